import { grownBytes } from '#core';
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
    const builder = new ManifestEntryTableBuilder();
    for (const entry of entries) builder.add(entry);
    return builder.finish();
  }

  /** @internal the builder's columns, trimmed to their length. */
  static fromColumns(columns: {
    length: number;
    types: Uint8Array;
    sizes: Float64Array;
    sha256: Buffer;
    present: Uint8Array;
    strings: Buffer;
    starts: Float64Array;
  }): ManifestEntryTable {
    const { length, types, sizes, sha256, present, strings, starts } = columns;
    return new ManifestEntryTable(length, types, sizes, sha256, present, strings, starts);
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

  /** Entry e's path as UTF-8 bytes (a view into the shared buffer, no copy). */
  pathBytes(e: number): Buffer {
    const slot = e * FIELDS.length; // path is FIELDS[0], and always present
    return this.strings.subarray(this.starts[slot]!, this.starts[slot + 1]!);
  }

  private field(e: number, field: StringField): string | undefined {
    const f = FIELDS.indexOf(field);
    if (!(this.present[e]! & (1 << f))) return undefined;
    const slot = e * FIELDS.length + f;
    return this.strings.toString('utf8', this.starts[slot]!, this.starts[slot + 1]!);
  }
}

/**
 * Builds a table one entry at a time, so a manifest's list never needs to exist as objects
 * all at once: the manifest parser hands each entry over as it reaches it. Columns grow by
 * doubling and are copied to their final length once.
 */
export class ManifestEntryTableBuilder {
  private length = 0;
  private types = new Uint8Array(1024);
  private sizes = new Float64Array(1024);
  private sha256 = Buffer.alloc(1024 * SHA256_BYTES);
  private present = new Uint8Array(1024);
  private strings = Buffer.allocUnsafeSlow(64 * 1024);
  private stringBytes = 0;
  private starts = new Float64Array(1024 * FIELDS.length + 1);

  get count(): number {
    return this.length;
  }

  /**
   * Sizes the columns before the first entry, from the list's entry count and its JSON
   * bytes: no column is then grown by doubling and copied (for 200,000 entries those copies
   * were tens of MB at once while the archive was being opened). The strings take at most
   * the list's bytes (JSON escapes are never shorter than what they decode to); half of
   * them is the estimate, as apiferry manifests spend most bytes on keys and hashes.
   */
  reserve(entries: number, listBytes: number): void {
    if (this.length > 0) return;
    const rows = Math.max(1, entries);
    this.types = new Uint8Array(rows);
    this.sizes = new Float64Array(rows);
    this.sha256 = Buffer.alloc(rows * SHA256_BYTES);
    this.present = new Uint8Array(rows);
    this.starts = new Float64Array(rows * FIELDS.length + 1);
    this.strings = Buffer.allocUnsafeSlow(Math.max(1024, Math.ceil(listBytes / 2)));
  }

  add(entry: ManifestEntry): void {
    const e = this.length;
    if (e === this.types.length) this.growRows();
    this.types[e] = ENTRY_TYPES.indexOf(entry.type);
    this.sizes[e] = entry.size;
    this.sha256.write(entry.sha256, e * SHA256_BYTES, SHA256_BYTES, 'hex');
    for (let f = 0; f < FIELDS.length; f++) {
      this.starts[e * FIELDS.length + f] = this.stringBytes;
      const value = entry[FIELDS[f]!];
      if (value === undefined) continue;
      this.present[e]! |= 1 << f;
      const bytes = Buffer.byteLength(value, 'utf8');
      this.strings = grownBytes(this.strings, this.stringBytes, this.stringBytes + bytes);
      this.stringBytes += this.strings.write(value, this.stringBytes, 'utf8');
    }
    this.length = e + 1;
  }

  finish(): ManifestEntryTable {
    const n = this.length;
    this.starts[n * FIELDS.length] = this.stringBytes;
    return ManifestEntryTable.fromColumns({
      length: n,
      types: trimmed(this.types, n),
      sizes: trimmed(this.sizes, n),
      sha256: trimmed(this.sha256, n * SHA256_BYTES),
      present: trimmed(this.present, n),
      strings: trimmed(this.strings, this.stringBytes),
      starts: trimmed(this.starts, n * FIELDS.length + 1),
    });
  }

  private growRows(): void {
    const rows = this.types.length * 2;
    this.types = grown(this.types, new Uint8Array(rows));
    this.sizes = grown(this.sizes, new Float64Array(rows));
    this.present = grown(this.present, new Uint8Array(rows));
    this.starts = grown(this.starts, new Float64Array(rows * FIELDS.length + 1));
    const sha256 = Buffer.alloc(rows * SHA256_BYTES);
    this.sha256.copy(sha256);
    this.sha256 = sha256;
  }

}

/**
 * The first `used` elements: a view when the column is at least half full (no copy while
 * the archive is opened), a copy of just them otherwise (a column grown by doubling, or an
 * estimate far off, would keep its slack for the whole import).
 */
function trimmed<T extends Uint8Array | Float64Array>(column: T, used: number): T {
  if (used * 2 >= column.length) return column.subarray(0, used) as T;
  if (Buffer.isBuffer(column)) {
    // Buffer#slice is a view, not a copy.
    const copy = Buffer.allocUnsafeSlow(used);
    column.copy(copy, 0, 0, used);
    return copy as unknown as T;
  }
  return column.slice(0, used) as T;
}

function grown<T extends Uint8Array | Float64Array>(from: T, to: T): T {
  to.set(from);
  return to;
}
