import { ByteKeySet } from '#core';
/** Longest sanitised name, in UTF-8 bytes, before any collision suffix or extension. */
export const SAFE_NAME_MAX_BYTES = 100;

// Path separators, characters Windows refuses in file names (':' would also read as a
// drive letter), and control characters (C0, DEL, C1).
// eslint-disable-next-line no-control-regex
const UNSAFE_CHARACTERS = /[/\\:*?"<>|\u0000-\u001f\u007f-\u009f]/g;
const DOT_RUNS = /\.{2,}/g;
const WINDOWS_DEVICE_NAMES = /^(con|prn|aux|nul|com[0-9]|lpt[0-9])(\.|$)/i;

/**
 * A name that is safe as one path segment of an archive entry: no separators, no `..`,
 * no control characters, at most `maxBytes` UTF-8 bytes (cut on a character boundary),
 * never empty. The asset's real name lives in its JSON; this is only the file name.
 */
export function safeName(name: string, maxBytes = SAFE_NAME_MAX_BYTES): string {
  let cleaned = name
    .toWellFormed()
    .normalize('NFC')
    .replace(UNSAFE_CHARACTERS, '_')
    .replace(DOT_RUNS, '_')
    .trim();
  if (WINDOWS_DEVICE_NAMES.test(cleaned)) cleaned = `_${cleaned}`;
  // Windows drops trailing dots and spaces, which would merge two names on extraction
  // (and a lone '.' is the current directory).
  cleaned = truncateUtf8(cleaned, maxBytes).replace(/[. ]+$/, '_');
  return cleaned === '' ? '_' : cleaned;
}

/** The longest prefix of `text` that fits in `maxBytes` UTF-8 bytes, never splitting a character. */
export function truncateUtf8(text: string, maxBytes: number): string {
  if (Buffer.byteLength(text, 'utf8') <= maxBytes) return text;
  let bytes = 0;
  let end = 0;
  for (const character of text) {
    const size = Buffer.byteLength(character, 'utf8');
    if (bytes + size > maxBytes) break;
    bytes += size;
    end += character.length;
  }
  return text.slice(0, end);
}

/** The comparison key for collisions: extraction on macOS and Windows folds case. */
function collisionKey(name: string): string {
  return name.normalize('NFC').toLowerCase();
}

/**
 * Hands out distinct safe names within each directory of an archive. A name already taken
 * in its directory (ignoring case) gets a suffix: `name`, `name~2`, `name~3`, ... An
 * extension, when given, goes after the suffix (`readme~2.md`) and is compared along with
 * the name. Directories are plain strings ('' is the archive's root).
 *
 * One allocator serves a whole archive: an export of 100,000 proxies takes 200,000 names in
 * 100,001 directories (one per proxy's resources). They live as UTF-8 bytes in one compact
 * set outside the JS heap (a map of per-directory sets held 25 MB of heap at that size);
 * suffix counters exist only for names that collided.
 */
export class SafeNameAllocator {
  private readonly taken = new ByteKeySet(4096, 256 * 1024);
  private nextSuffix?: Map<string, number>;

  constructor(
    private readonly maxBytes = SAFE_NAME_MAX_BYTES,
    /** Names taken in the root directory from the start. */
    reserved: Iterable<string> = [],
  ) {
    for (const name of reserved) this.taken.add(takenKey('', collisionKey(name)));
  }

  allocate(name: string, extension = '', directory = ''): string {
    const base = safeName(name, this.maxBytes);
    const baseKey = takenKey(directory, collisionKey(base + extension));
    if (!this.taken.has(baseKey)) {
      this.taken.add(baseKey);
      return base + extension;
    }
    this.nextSuffix ??= new Map();
    for (let suffix = this.nextSuffix.get(baseKey) ?? 2; ; suffix++) {
      const tail = `~${suffix}`;
      const candidate = truncateUtf8(base, this.maxBytes - tail.length) + tail + extension;
      const key = takenKey(directory, collisionKey(candidate));
      if (!this.taken.has(key)) {
        this.taken.add(key);
        this.nextSuffix.set(baseKey, suffix + 1);
        return candidate;
      }
    }
  }
}

/** NUL cannot occur in a directory or a safe name: the pair's key is unambiguous. */
function takenKey(directory: string, nameKey: string): string {
  return `${directory}\u0000${nameKey}`;
}
