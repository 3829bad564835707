/**
 * JSON text for a jsonb column. PostgreSQL's jsonb cannot hold U+0000, which an error about
 * a hostile archive entry name may quote; it is stored as U+FFFD instead of failing the write.
 */
export function toJsonb(value: unknown): string {
  return JSON.stringify(value).replace(/(?<!\\)\\u0000/g, '\\ufffd');
}
