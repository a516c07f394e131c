/**
 * Node's Buffer has fast latin1 slice/write methods that @types/node does not declare. Byte strings in Mica are
 * latin1 strings, so these are the conversions on every hot path.
 */
declare global {
  interface Buffer {
    latin1Slice(start?: number, end?: number): string;
    latin1Write(s: string, offset?: number, length?: number): number;
  }
}
export {};
