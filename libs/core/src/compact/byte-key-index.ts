import { grownBytes } from './grown-bytes.js';

/**
 * A hash index from byte-string keys to record numbers: two typed arrays (slot → record,
 * slot → hash) instead of a Map of strings. The keys stay where they already are (the
 * central directory's name buffer, the manifest table's strings); `keyOf(record)` reads
 * one back only when two hashes are equal. For 200,000 entries this is ~4 MB outside the
 * JS heap, where a Map<string, number> of their paths is ~20 MB of heap that lives for
 * the whole import, and the reader opening a big archive used to hold four such maps.
 */
export class ByteKeyIndex {
  /** Record number + 1 per slot; 0 is an empty slot. */
  private slots: Int32Array;
  private hashes: Uint32Array;
  private mask: number;
  private filled = 0;

  constructor(
    private readonly keyOf: (record: number) => Uint8Array,
    expected = 16,
  ) {
    const size = slotCount(expected);
    this.slots = new Int32Array(size);
    this.hashes = new Uint32Array(size);
    this.mask = size - 1;
  }

  get size(): number {
    return this.filled;
  }

  /**
   * Adds `record` under keyOf(record). Returns -1 when added, or the record that already
   * holds an equal key (then nothing is added).
   */
  add(record: number): number {
    const key = this.keyOf(record);
    const hash = hashBytes(key);
    const slot = this.probe(key, hash);
    if (this.slots[slot] !== 0) return this.slots[slot]! - 1;
    this.slots[slot] = record + 1;
    this.hashes[slot] = hash;
    // Kept at most half full: probe chains stay short.
    if (++this.filled * 2 > this.slots.length) this.grow();
    return -1;
  }

  /** The record whose key equals `key`, or -1. */
  find(key: Uint8Array): number {
    return this.slots[this.probe(key, hashBytes(key))]! - 1;
  }

  /** The slot holding `key`, or the empty slot where it would go. */
  private probe(key: Uint8Array, hash: number): number {
    for (let slot = hash & this.mask; ; slot = (slot + 1) & this.mask) {
      const held = this.slots[slot]!;
      if (held === 0) return slot;
      if (this.hashes[slot] === hash && Buffer.compare(this.keyOf(held - 1), key) === 0) return slot;
    }
  }

  private grow(): void {
    const { slots, hashes } = this;
    this.slots = new Int32Array(slots.length * 2);
    this.hashes = new Uint32Array(slots.length * 2);
    this.mask = this.slots.length - 1;
    for (let from = 0; from < slots.length; from++) {
      if (slots[from] === 0) continue;
      let slot = hashes[from]! & this.mask;
      while (this.slots[slot] !== 0) slot = (slot + 1) & this.mask;
      this.slots[slot] = slots[from]!;
      this.hashes[slot] = hashes[from]!;
    }
  }
}

/**
 * A set of strings kept as UTF-8 bytes in one growing buffer, indexed by ByteKeyIndex:
 * for duplicate checks over every path of a big archive without a string per path on the
 * heap. Same has/add surface as the Set<string> it replaces.
 */
export class ByteKeySet {
  private bytes: Buffer;
  private used = 0;
  /** Key k is bytes[starts[k], starts[k + 1]). */
  private starts: Float64Array;
  private count = 0;
  private readonly index: ByteKeyIndex;

  /** Sized for `expectedKeys` keys of `expectedBytes` in all; either grows past its estimate. */
  constructor(expectedKeys = 1024, expectedBytes = 64 * 1024) {
    this.bytes = Buffer.allocUnsafeSlow(Math.max(1024, expectedBytes));
    this.starts = new Float64Array(Math.max(16, expectedKeys) + 1);
    this.index = new ByteKeyIndex((k) => this.bytes.subarray(this.starts[k]!, this.starts[k + 1]!), expectedKeys);
  }

  has(key: string): boolean {
    return this.index.find(Buffer.from(key, 'utf8')) >= 0;
  }

  add(key: string): this {
    this.bytes = grownBytes(this.bytes, this.used, this.used + Buffer.byteLength(key, 'utf8'));
    if (this.count + 2 > this.starts.length) {
      const starts = new Float64Array(this.starts.length * 2);
      starts.set(this.starts);
      this.starts = starts;
    }
    const k = this.count;
    this.starts[k] = this.used;
    this.starts[k + 1] = this.used + this.bytes.write(key, this.used, 'utf8');
    if (this.index.add(k) >= 0) return this; // already held: the bytes just written are left unused
    this.used = this.starts[k + 1]!;
    this.count++;
    return this;
  }

  get size(): number {
    return this.count;
  }
}

function slotCount(expected: number): number {
  let size = 16;
  while (size < expected * 2) size *= 2;
  return size;
}

/** FNV-1a, 32 bits. */
function hashBytes(key: Uint8Array): number {
  let hash = 0x811c9dc5;
  for (let i = 0; i < key.length; i++) hash = Math.imul(hash ^ key[i]!, 0x01000193);
  return hash >>> 0;
}
