import { ArchiveRejected } from './errors.js';

const utf8 = new TextDecoder('utf-8', { fatal: true, ignoreBOM: false });

/**
 * The bytes of a JSON entry: two-space indented (vendor tools and people read these
 * files), keys in the value's own order, so the same value always gives the same bytes
 * and the same hash.
 */
export function serializeJsonEntry(value: unknown, { indent = 2 }: { indent?: number } = {}): Buffer {
  const text = JSON.stringify(value, null, indent);
  if (text === undefined) throw new TypeError('an archive entry must be JSON-serialisable');
  return Buffer.from(`${text}\n`, 'utf8');
}

/** Parses a JSON entry; bytes that are not UTF-8 JSON are ArchiveRejected('malformed-json'). */
export function parseJsonEntry(bytes: Uint8Array, entry: string): unknown {
  let text: string;
  try {
    text = utf8.decode(bytes);
  } catch (error) {
    throw new ArchiveRejected('malformed-json', 'it is not UTF-8 text', entry, { cause: error });
  }
  try {
    return JSON.parse(text) as unknown;
  } catch (error) {
    throw new ArchiveRejected('malformed-json', `it is not valid JSON (${(error as Error).message})`, entry, { cause: error });
  }
}
