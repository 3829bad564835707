import { ByteKeyIndex } from '../compact/byte-key-index.js';
import { grownBytes } from '../compact/grown-bytes.js';
import { ASSET_KINDS, type AssetKind } from './conflict-policy.js';

/** A required reference of an asset to another one (a shared policy, an alias, a proxy). */
export interface Requirement {
  type: AssetKind;
  uuid?: string;
  name: string;
}

/** What the planner knows of one archive entry: identity and required references, not the body. */
export interface IncomingAsset {
  type: AssetKind;
  uuid: string;
  name: string;
  path: string;
  basePath?: string;
  /** Required references to other assets (shared policies, aliases, proxies). */
  requires: Requirement[];
  /** Set when the entry failed validation: the import cannot go ahead. */
  invalid?: string;
}

/** Text fields per identity, in this order, in the byte arena. */
const UUID_KEY = 0;
const NAME_KEY = 1;
const PATH = 2;
const BASE_PATH = 3;
const FIELDS = 4;

const HAS_BASE_PATH = 1;

const NONE: readonly Requirement[] = Object.freeze([]);

/**
 * The identities of an archive's assets, as columns: an import holds one per asset from the
 * verifying pass to its commit. 100,000 of them as objects were ~30 MB of heap (a uuid, a
 * name, a path and a base path string each, plus the object); here they are one byte
 * arena and a few typed arrays outside the heap (~150 bytes an asset), decoded to strings
 * only when asked for. References and validation errors are rare, so they stay sparse.
 *
 * uuids and names are stored with their type's number as a first byte: the keys the
 * planner's indexes compare (same type and same uuid, same type and same name).
 */
export class AssetIdentities {
  private bytes: Buffer;
  private used = 0;
  /** Field f of identity i is bytes[starts[i * FIELDS + f], starts[i * FIELDS + f + 1]). */
  private starts: Uint32Array;
  private types: Uint8Array;
  private flags: Uint8Array;
  private entries: Int32Array;
  private count = 0;
  private readonly requirements = new Map<number, Requirement[]>();
  private readonly invalids = new Map<number, string>();

  /** Sized for `expected` identities (the archive's asset entries); grows past that. */
  constructor(expected = 1024) {
    const capacity = Math.max(16, expected);
    this.bytes = Buffer.allocUnsafeSlow(capacity * 96);
    this.starts = new Uint32Array(FIELDS * capacity + 1);
    this.types = new Uint8Array(capacity);
    this.flags = new Uint8Array(capacity);
    this.entries = new Int32Array(capacity);
  }

  /** The identities of a list of assets (tests, small imports). */
  static of(assets: readonly IncomingAsset[]): AssetIdentities {
    const identities = new AssetIdentities();
    for (const asset of assets) identities.add(asset);
    return identities;
  }

  get size(): number {
    return this.count;
  }

  /**
   * Adds an asset; `entry` is the caller's handle on where it came from (the manifest
   * index of its archive entry). Returns the identity's number.
   */
  add(asset: IncomingAsset, entry = -1): number {
    const i = this.count;
    this.reserve(i + 1);
    const type = kindNumber(asset.type);
    this.types[i] = type;
    this.entries[i] = entry;
    this.flags[i] = asset.basePath === undefined ? 0 : HAS_BASE_PATH;
    const base = i * FIELDS;
    this.starts[base + UUID_KEY] = this.used;
    this.writeKey(type, asset.uuid);
    this.starts[base + NAME_KEY] = this.used;
    this.writeKey(type, asset.name);
    this.starts[base + PATH] = this.used;
    this.writeText(asset.path);
    this.starts[base + BASE_PATH] = this.used;
    this.writeText(asset.basePath ?? '');
    this.starts[base + FIELDS] = this.used;
    if (asset.requires.length > 0) this.requirements.set(i, asset.requires);
    if (asset.invalid !== undefined) this.invalids.set(i, asset.invalid);
    this.count++;
    return i;
  }

  type(i: number): AssetKind {
    return ASSET_KINDS[this.types[i]!]!;
  }

  /** The type's position in ASSET_KINDS (the order the planner takes types in). */
  typeNumber(i: number): number {
    return this.types[i]!;
  }

  uuid(i: number): string {
    return this.text(i, UUID_KEY, 1);
  }

  name(i: number): string {
    return this.text(i, NAME_KEY, 1);
  }

  path(i: number): string {
    return this.text(i, PATH, 0);
  }

  basePath(i: number): string | undefined {
    return this.flags[i]! & HAS_BASE_PATH ? this.text(i, BASE_PATH, 0) : undefined;
  }

  entry(i: number): number {
    return this.entries[i]!;
  }

  requires(i: number): readonly Requirement[] {
    return this.requirements.get(i) ?? NONE;
  }

  /** Identities with required references, in the order they were added. */
  withRequirements(): IterableIterator<number> {
    return this.requirements.keys();
  }

  invalid(i: number): string | undefined {
    return this.invalids.get(i);
  }

  /** Identity i as an object (tests, and the few places that want one). */
  get(i: number): IncomingAsset {
    const basePath = this.basePath(i);
    const invalid = this.invalid(i);
    return {
      type: this.type(i),
      uuid: this.uuid(i),
      name: this.name(i),
      path: this.path(i),
      ...(basePath !== undefined ? { basePath } : {}),
      requires: [...this.requires(i)],
      ...(invalid !== undefined ? { invalid } : {}),
    };
  }

  /** An index of identities by type and uuid; records are added by the caller. */
  uuidIndex(expected = this.count): ByteKeyIndex {
    return new ByteKeyIndex((i) => this.uuidKey(i), expected);
  }

  /** An index of identities by type and name (exact, case-sensitive); records are added by the caller. */
  nameIndex(expected = this.count): ByteKeyIndex {
    return new ByteKeyIndex((i) => this.nameKey(i), expected);
  }

  /** Identity i's key in a uuidIndex (a view into the arena: nothing is allocated). */
  uuidKey(i: number): Buffer {
    return this.field(i, UUID_KEY);
  }

  /** Identity i's key in a nameIndex (a view into the arena: nothing is allocated). */
  nameKey(i: number): Buffer {
    return this.field(i, NAME_KEY);
  }

  /** The key an index built by uuidIndex or nameIndex is searched with. */
  static key(type: AssetKind, text: string): Buffer {
    const key = Buffer.allocUnsafe(1 + Buffer.byteLength(text, 'utf8'));
    key[0] = kindNumber(type);
    key.write(text, 1, 'utf8');
    return key;
  }

  private field(i: number, f: number): Buffer {
    const base = i * FIELDS + f;
    return this.bytes.subarray(this.starts[base]!, this.starts[base + 1]!);
  }

  private text(i: number, f: number, skip: number): string {
    const base = i * FIELDS + f;
    return this.bytes.toString('utf8', this.starts[base]! + skip, this.starts[base + 1]!);
  }

  private writeKey(type: number, text: string): void {
    this.roomFor(1 + Buffer.byteLength(text, 'utf8'));
    this.bytes[this.used++] = type;
    this.used += this.bytes.write(text, this.used, 'utf8');
  }

  private writeText(text: string): void {
    this.roomFor(Buffer.byteLength(text, 'utf8'));
    this.used += this.bytes.write(text, this.used, 'utf8');
  }

  private roomFor(length: number): void {
    // Offsets are 32-bit: an archive's identities are far below 4 GiB (the manifest's own limit).
    if (this.used + length > 0xffffffff) throw new RangeError('asset identities past 4 GiB');
    this.bytes = grownBytes(this.bytes, this.used, this.used + length);
  }

  private reserve(needed: number): void {
    if (needed <= this.types.length) return;
    const size = this.types.length * 2;
    this.types = grownArray(this.types, new Uint8Array(size));
    this.flags = grownArray(this.flags, new Uint8Array(size));
    this.entries = grownArray(this.entries, new Int32Array(size));
    this.starts = grownArray(this.starts, new Uint32Array(FIELDS * size + 1));
  }
}

function grownArray<T extends Uint8Array | Int32Array | Uint32Array>(from: T, to: T): T {
  to.set(from as never);
  return to;
}

function kindNumber(type: AssetKind): number {
  const n = ASSET_KINDS.indexOf(type);
  if (n < 0) throw new RangeError(`not an asset type: ${String(type)}`);
  return n;
}
