/**
 * Opaque cursors: base64url of the sort key of the last row returned. Clients pass them
 * back unchanged; a tampered cursor is rejected rather than silently restarting the list.
 */
export interface Page<T> {
  items: T[];
  nextCursor: string | null;
}

export class InvalidCursorError extends Error {
  constructor() {
    super('the cursor is not one this service issued');
    this.name = 'InvalidCursorError';
  }
}

export function encodeCursor(key: unknown[]): string {
  return Buffer.from(JSON.stringify(key)).toString('base64url');
}

export function decodeCursor(cursor: string | undefined, arity: number): unknown[] | undefined {
  if (cursor === undefined || cursor === '') return undefined;
  try {
    const key = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
    if (Array.isArray(key) && key.length === arity && key.every((v) => typeof v === 'string')) return key;
  } catch {
    // fall through
  }
  throw new InvalidCursorError();
}

/** Fetch limit+1 rows; the extra one only tells whether another page exists. */
export function toPage<T>(rows: T[], limit: number, keyOf: (row: T) => unknown[]): Page<T> {
  const items = rows.slice(0, limit);
  const last = items.at(-1);
  return { items, nextCursor: rows.length > limit && last ? encodeCursor(keyOf(last)) : null };
}
