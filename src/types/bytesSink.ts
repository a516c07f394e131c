/**
 * Where a value that keeps its bytes packed (string slab cells, list nodes) writes an element as a bulk reply:
 * the reply writer (protocol/writer.ts ReplyWriter.bulkBytes), which copies the range at once, so the value
 * never builds a JS string for it.
 */
export interface BytesSink {
  bulkBytes(src: Uint8Array, start: number, end: number): void;
}
