/**
 * jemalloc's size classes, for the figures Mica reports in Redis's terms (MEMORY USAGE, CLIENT LIST buffer fields):
 * Redis counts what its allocator hands out, which rounds each request up to a class.
 */

/** jemalloc's size class for an allocation of `n` bytes (16-byte steps to 128, then four classes per power of two). */
export function jemallocSize(n: number): number {
  if (n <= 8) return 8;
  if (n <= 128) return (n + 15) & ~15;
  let p = 128;
  while (p * 2 < n) p *= 2;
  const step = p / 4;
  return Math.ceil(n / step) * step;
}
