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
 * Hands out distinct safe names within one directory. A name already taken (ignoring
 * case) gets a suffix: `name`, `name~2`, `name~3`, ... An extension, when given, goes
 * after the suffix (`readme~2.md`) and is compared along with the name.
 */
export class SafeNameAllocator {
  // An export makes one allocator per proxy's resource directory, most holding one name:
  // the first name is a plain field, the set and the suffix counters come with a second.
  private first?: string;
  private taken?: Set<string>;
  private nextSuffix?: Map<string, number>;

  constructor(
    private readonly maxBytes = SAFE_NAME_MAX_BYTES,
    reserved: Iterable<string> = [],
  ) {
    for (const name of reserved) this.take(collisionKey(name));
  }

  allocate(name: string, extension = ''): string {
    const base = safeName(name, this.maxBytes);
    const baseKey = collisionKey(base + extension);
    if (!this.has(baseKey)) {
      this.take(baseKey);
      return base + extension;
    }
    this.nextSuffix ??= new Map();
    for (let suffix = this.nextSuffix.get(baseKey) ?? 2; ; suffix++) {
      const tail = `~${suffix}`;
      const candidate = truncateUtf8(base, this.maxBytes - tail.length) + tail + extension;
      const key = collisionKey(candidate);
      if (!this.has(key)) {
        this.take(key);
        this.nextSuffix.set(baseKey, suffix + 1);
        return candidate;
      }
    }
  }

  private has(key: string): boolean {
    return this.first === key || (this.taken?.has(key) ?? false);
  }

  private take(key: string): void {
    if (this.first === undefined) this.first = key;
    else (this.taken ??= new Set()).add(key);
  }
}
