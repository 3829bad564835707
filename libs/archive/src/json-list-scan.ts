/**
 * Finds, in JSON bytes whose top level is an object, the array under one key and the byte
 * extent of each of its elements, without parsing them: the manifest parser then parses
 * one element at a time instead of a 100,000-element list at once. Only the structure is
 * read (strings with their escapes, nesting, commas); each element's and the rest's syntax
 * is left to JSON.parse. Structural characters are ASCII, so UTF-8 needs no decoding here.
 */
export interface ListExtent {
  /** Offset of the array's `[` and of its `]`. */
  open: number;
  close: number;
  /** Element k spans [bounds[2k], bounds[2k + 1]). */
  bounds: Uint32Array;
  count: number;
}

const QUOTE = 0x22;
const BACKSLASH = 0x5c;
const COMMA = 0x2c;
const COLON = 0x3a;
const OPEN_OBJECT = 0x7b;
const CLOSE_OBJECT = 0x7d;
const OPEN_ARRAY = 0x5b;
const CLOSE_ARRAY = 0x5d;

export class JsonStructureError extends SyntaxError {}

/** The array under `key` in the top-level object; undefined when the top level is not an object or the key's value is not an array. */
export function scanTopLevelList(bytes: Buffer, key: string): ListExtent | undefined {
  let i = skipSpace(bytes, 0);
  if (bytes[i] !== OPEN_OBJECT) return undefined;
  i = skipSpace(bytes, i + 1);
  let found: ListExtent | undefined;
  if (bytes[i] === CLOSE_OBJECT) return undefined;
  for (;;) {
    if (bytes[i] !== QUOTE) fail(i, 'a key');
    const keyEnd = stringEnd(bytes, i);
    const name = JSON.parse(bytes.toString('utf8', i, keyEnd)) as string;
    i = skipSpace(bytes, keyEnd);
    if (bytes[i] !== COLON) fail(i, '":"');
    i = skipSpace(bytes, i + 1);
    if (name === key && bytes[i] === OPEN_ARRAY) {
      if (found) fail(i, `one "${key}"`);
      found = scanList(bytes, i);
      i = found.close + 1;
    } else {
      i = valueEnd(bytes, i);
    }
    i = skipSpace(bytes, i);
    if (bytes[i] === COMMA) {
      i = skipSpace(bytes, i + 1);
      continue;
    }
    if (bytes[i] === CLOSE_OBJECT) return found;
    fail(i, '"," or "}"');
  }
}

function scanList(bytes: Buffer, open: number): ListExtent {
  let bounds = new Uint32Array(2048);
  let count = 0;
  let i = skipSpace(bytes, open + 1);
  if (bytes[i] === CLOSE_ARRAY) return { open, close: i, bounds, count };
  for (;;) {
    const start = i;
    const end = valueEnd(bytes, i);
    if (2 * count + 2 > bounds.length) {
      const wider = new Uint32Array(bounds.length * 2);
      wider.set(bounds);
      bounds = wider;
    }
    bounds[2 * count] = start;
    bounds[2 * count + 1] = end;
    count++;
    i = skipSpace(bytes, end);
    if (bytes[i] === COMMA) {
      i = skipSpace(bytes, i + 1);
      continue;
    }
    if (bytes[i] === CLOSE_ARRAY) return { open, close: i, bounds, count };
    fail(i, '"," or "]"');
  }
}

/** Offset just past the value starting at i (its syntax is checked later by JSON.parse). */
function valueEnd(bytes: Buffer, i: number): number {
  const first = bytes[i];
  if (first === QUOTE) return stringEnd(bytes, i);
  if (first === OPEN_OBJECT || first === OPEN_ARRAY) {
    let depth = 0;
    for (let at = i; at < bytes.length; at++) {
      const byte = bytes[at];
      if (byte === QUOTE) at = stringEnd(bytes, at) - 1;
      else if (byte === OPEN_OBJECT || byte === OPEN_ARRAY) depth++;
      else if (byte === CLOSE_OBJECT || byte === CLOSE_ARRAY) {
        if (--depth === 0) return at + 1;
      }
    }
    fail(bytes.length, 'the end of a value');
  }
  // A number, true, false or null: up to the next delimiter.
  let at = i;
  while (at < bytes.length && !isDelimiter(bytes[at]!)) at++;
  if (at === i) fail(i, 'a value');
  return at;
}

/** Offset just past the closing quote of the string starting at i. */
function stringEnd(bytes: Buffer, i: number): number {
  for (let at = i + 1; at < bytes.length; at++) {
    const byte = bytes[at];
    if (byte === BACKSLASH) at++;
    else if (byte === QUOTE) return at + 1;
  }
  return fail(bytes.length, 'the end of a string');
}

function isDelimiter(byte: number): boolean {
  return byte === COMMA || byte === CLOSE_OBJECT || byte === CLOSE_ARRAY || byte === 0x20 || byte === 0x0a || byte === 0x0d || byte === 0x09;
}

function skipSpace(bytes: Buffer, i: number): number {
  while (i < bytes.length && (bytes[i] === 0x20 || bytes[i] === 0x0a || bytes[i] === 0x0d || bytes[i] === 0x09)) i++;
  return i;
}

function fail(at: number, expected: string): never {
  throw new JsonStructureError(`expected ${expected} at byte ${at}`);
}
