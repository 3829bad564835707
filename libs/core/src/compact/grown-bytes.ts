/**
 * `buffer` when it holds `needed` bytes, else a buffer at least twice as large with the
 * first `used` bytes copied over: the one way the archive library's byte columns grow
 * (names, manifest strings, key sets) when their size was not known up front.
 */
export function grownBytes<T extends Buffer>(buffer: T, used: number, needed: number): T {
  if (needed <= buffer.length) return buffer;
  const grown = Buffer.allocUnsafeSlow(Math.max(needed, buffer.length * 2));
  buffer.copy(grown, 0, 0, used);
  return grown as T;
}
