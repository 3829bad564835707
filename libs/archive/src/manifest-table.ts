import { ENTRY_TYPES, type EntryType, type ManifestEntry } from './manifest.js';

const SHA256_BYTES = 32;
/** Per entry, in this order, in the shared string buffer. */
const FIELDS = ['path', 'uuid', 'name', 'aliasOf'] as const;
type StringField = (typeof FIELDS)[number];

/**
 * The manifest's entry list as columns: the type and size in typed arrays, the SHA-256 as
 * 32 bytes, and the path, uuid, name and aliasOf of every entry in one UTF-8 buffer, about
 * 100 bytes an entry outside the JS heap. Parsed as objects, an entry is six strings and
 * an object, about 370 bytes of heap, held for the whole import of an archive.
 */
export class ManifestEntryTable {
  private constructor(
    readonly length: number,
    private readonly types: Uint8Array,
    private readonly sizes: Float64Array,
    private readonly sha256: Buffer,
    /** Bit i set: FIELDS[i] is present. */
    private readonly present: Uint8Array,
    private readonly strings: Buffer,
    /** Entry e's field f is strings[starts[e * 4 + f], starts[e * 4 + f + 1]). */
    private readonly starts: Float64Array,
  ) {}

  static from(entries: readonly ManifestEntry[]): ManifestEntryTable {
    const count = entries.length;
    let bytes = 0;
    for (const entry of entries) for (const field of FIELDS) bytes += Buffer.byteLength(entry[field] ?? '', 'utf8');
    const types = new Uint8Array(count);
    const sizes = new Float64Array(count);
    const sha256 = Buffer.alloc(count * SHA256_BYTES);
    const present = new Uint8Array(count);
    const strings = Buffer.allocUnsafeSlow(bytes);
    const starts = new Float64Array(count * FIELDS.length + 1);
    let at = 0;
    entries.forEach((entry, e) => {
      types[e] = ENTRY_TYPES.indexOf(entry.type);
      sizes[e] = entry.size;
      sha256.write(entry.sha256, e * SHA256_BYTES, SHA256_BYTES, 'hex');
      FIELDS.forEach((field, f) => {
        starts[e * FIELDS.length + f] = at;
        const value = entry[field];
        if (value === undefined) return;
        present[e]! |= 1 << f;
        at += strings.write(value, at, 'utf8');
      });
    });
    starts[count * FIELDS.length] = at;
    return new ManifestEntryTable(count, types, sizes, sha256, present, strings, starts);
  }

  /** Entry e as an object (made on each call). */
  entry(e: number): ManifestEntry {
    if (e < 0 || e >= this.length) throw new RangeError(`no manifest entry ${e}`);
    const uuid = this.field(e, 'uuid');
    const name = this.field(e, 'name');
    const aliasOf = this.field(e, 'aliasOf');
    // The manifest's own key order.
    const entry: ManifestEntry = {
      path: this.field(e, 'path')!,
      type: ENTRY_TYPES[this.types[e]!] as EntryType,
      ...(uuid !== undefined ? { uuid } : {}),
      ...(name !== undefined ? { name } : {}),
      sha256: this.sha256.toString('hex', e * SHA256_BYTES, (e + 1) * SHA256_BYTES),
      size: this.sizes[e]!,
      ...(aliasOf !== undefined ? { aliasOf } : {}),
    };
    return entry;
  }

  private field(e: number, field: StringField): string | undefined {
    const f = FIELDS.indexOf(field);
    if (!(this.present[e]! & (1 << f))) return undefined;
    const slot = e * FIELDS.length + f;
    return this.strings.toString('utf8', this.starts[slot]!, this.starts[slot + 1]!);
  }
}
