import { Readable } from 'node:stream';
import { ByteCursor } from './byte-cursor.js';
import { ByteKeyIndex } from '#core';
import { checkCentralEntries, checkDeclaredSize, isDirectoryEntry, type CentralExtents } from './central-checks.js';
import {
  collect,
  inflateEntry,
  isSmallEntry,
  openEntry,
  readEntry,
  readLocalHeader,
  readSmallEntry,
  toArchiveReadError,
  type EntryExpectation,
} from './entry-stream.js';
import { ArchiveRejected } from './errors.js';
import { parseJsonEntry } from './json-entry.js';
import { InflatedTotal, resolveLimits, type ArchiveLimits } from './limits.js';
import { checkListedCopies, MANIFEST_PATH, parseManifestEntries, type Manifest, type ManifestEntry } from './manifest.js';
import { ManifestEntryTableBuilder, type ManifestEntryTable } from './manifest-table.js';
import { SecretSealer } from './secret-sealing.js';
import { readCentralDirectory, type CentralDirectory, type CentralEntry } from './zip-directory.js';
import { openRange, toByteSource, type ArchiveByteSource, type ArchiveSource } from './zip-source.js';

export interface ArchiveReaderOptions {
  limits?: Partial<ArchiveLimits>;
}

/** The manifest without its entry list, which the reader keeps compact (see entries()). */
export type ManifestHead = Omit<Manifest, 'entries'>;

export interface VerifyAllOptions {
  /**
   * Called with each JSON entry once it has been verified, in archive order (the manifest
   * excluded); `listed` is the entry's index in the manifest's list (entryAt(listed)).
   */
  onJson?(entry: ManifestEntry, value: unknown, listed: number): void | Promise<void>;
  /**
   * Called with each resource entry's bytes once verified, in archive order. Given, the
   * resources are held one at a time (each within ARCHIVE_MAX_RESOURCE_ENTRY_BYTES); not
   * given, they are verified as they stream and let go.
   */
  onResource?(entry: ManifestEntry, bytes: Buffer, listed: number): void | Promise<void>;
  /**
   * false: check the entries' bytes only (limits, size, CRC-32, SHA-256, no overlap), not
   * that the JSON entries parse; onJson is not called. An integrity check of the archive as
   * stored, the work `unzip -t` does plus the hashes. Default true.
   */
  parseJson?: boolean;
}

export interface VerifyAllResult {
  /** Entries read, the manifest included. */
  entries: number;
  /** Bytes inflated. */
  inflatedBytes: number;
}

interface EntryPlan {
  central: CentralEntry;
  extentEnd: number;
  /** Undefined for the manifest and for directory entries. */
  listed?: ManifestEntry;
  maxBytes: number;
  json: boolean;
}

/** What each central record is, by record index (EntryPlans are made from these on demand). */
const KIND_DIRECTORY = 0;
const KIND_MANIFEST = 1;
const KIND_JSON = 2;
const KIND_RESOURCE = 3;

/**
 * Per record index: its kind and the index of its manifest listing. Together with the
 * compact central directory this is all the reader keeps per entry besides the manifest
 * (no object per entry), plus one name → record index hash for random access.
 */
interface EntryTable {
  kinds: Uint8Array;
  listedIndex: Int32Array;
  /** Entry name (as UTF-8 bytes) → record index; only listed records are ever looked up by callers. */
  byName: ByteKeyIndex;
  extents: CentralExtents;
}

/**
 * Reads an apiferry archive by random access through its central directory. open()
 * checks the whole directory and the manifest before any other entry is read; every
 * read then inflates through the limit counter and verifies size, CRC-32 and SHA-256.
 */
export class ArchiveReader {
  private constructor(
    private readonly source: ArchiveByteSource,
    private readonly limits: ArchiveLimits,
    private readonly directory: CentralDirectory,
    private readonly table: EntryTable,
    private readonly listed: ManifestEntryTable,
    readonly manifest: ManifestHead,
  ) {}

  /**
   * Opens an archive: a local file path, `{ s3, bucket, key }`, or any ranged byte source.
   * Throws ArchiveRejected for anything wrong with the archive; errors reading the
   * source itself (missing file, network) are passed on unchanged.
   */
  static async open(source: ArchiveSource, options: ArchiveReaderOptions = {}): Promise<ArchiveReader> {
    const limits = resolveLimits(options.limits);
    const bytes = toByteSource(source);
    const directory = await readCentralDirectory(bytes, limits);
    const { records } = directory;
    const extents = checkCentralEntries(directory, limits);
    // Name → record index, over the directory's own name bytes: for matching the manifest
    // now and for random access (readJson, openResource) afterwards. Exact duplicates were
    // refused by checkCentralEntries, so every record goes in.
    const byName = new ByteKeyIndex((index) => records.nameBytes(index), records.count);
    for (let index = 0; index < records.count; index++) byName.add(index);

    const manifestIndex = byName.find(Buffer.from(MANIFEST_PATH));
    if (manifestIndex < 0) throw new ArchiveRejected('missing-manifest', `the archive has no ${MANIFEST_PATH}`);
    const manifestBytes = await readEntry(bytes, {
      entry: records.entry(manifestIndex),
      extentEnd: extents.ends[manifestIndex]!,
      maxBytes: limits.maxManifestBytes,
      limits,
    });
    // The list goes into columns entry by entry as it is parsed (never all objects at once).
    const builder = new ManifestEntryTableBuilder();
    const { head: manifest, copies } = parseManifestEntries(
      manifestBytes,
      (entry) => builder.add(entry),
      (count, listBytes) => builder.reserve(count, listBytes),
    );
    const listed = builder.finish();

    const listedIndex = new Int32Array(records.count).fill(-1);
    let firstMissing: string | undefined;
    for (let at = 0; at < listed.length; at++) {
      const index = byName.find(listed.pathBytes(at));
      if (index < 0) {
        firstMissing ??= listed.entry(at).path;
        continue;
      }
      listedIndex[index] = at;
    }
    if (copies.length > 0) {
      // Copies are rare (a single-proxy export's vendor-named duplicate): a path map only then.
      const listedAt = new Map<string, number>();
      for (let at = 0; at < listed.length; at++) listedAt.set(listed.entry(at).path, at);
      checkListedCopies(copies, (path) => (listedAt.has(path) ? listed.entry(listedAt.get(path)!) : undefined));
    }
    const kinds = new Uint8Array(records.count);
    for (let index = 0; index < records.count; index++) {
      const central = records.entry(index);
      if (central.name === MANIFEST_PATH || isDirectoryEntry(central)) {
        kinds[index] = central.name === MANIFEST_PATH ? KIND_MANIFEST : KIND_DIRECTORY;
        continue;
      }
      const at = listedIndex[index]!;
      if (at < 0) throw new ArchiveRejected('unlisted-entry', 'the manifest does not list it', central.name);
      const entry = listed.entry(at);
      if (central.uncompressedSize !== entry.size) {
        throw new ArchiveRejected(
          'tampered',
          `the central directory says ${central.uncompressedSize} bytes; the manifest says ${entry.size}`,
          central.name,
        );
      }
      kinds[index] = entry.type === 'resource' ? KIND_RESOURCE : KIND_JSON;
      checkDeclaredSize(central, kinds[index] === KIND_JSON ? limits.maxJsonEntryBytes : limits.maxResourceEntryBytes, limits);
    }
    if (firstMissing !== undefined) throw new ArchiveRejected('missing-entry', 'the manifest lists it but the archive does not hold it', firstMissing);
    return new ArchiveReader(bytes, limits, directory, { kinds, listedIndex, byName, extents }, listed, manifest);
  }

  /** How many entries the manifest lists. */
  get entryCount(): number {
    return this.listed.length;
  }

  /** Listed entry `index` (0 ≤ index < entryCount), made on each call: for one pass over a big list without holding it. */
  entryAt(index: number): ManifestEntry {
    return this.listed.entry(index);
  }

  /** Listed entry `index`'s path as UTF-8 bytes: a view into the reader's own columns (no string made). */
  entryPathBytes(index: number): Buffer {
    if (index < 0 || index >= this.listed.length) throw new RangeError(`no manifest entry ${index}`);
    return this.listed.pathBytes(index);
  }

  /** The listed entries, in manifest order (made on each call: a big archive's list is big). */
  entries(): ManifestEntry[] {
    return Array.from({ length: this.listed.length }, (_, index) => this.listed.entry(index));
  }

  /** The sealer for the archive's secrets, or undefined when it has none sealed. */
  async openSecrets(passphrase: string): Promise<SecretSealer | undefined> {
    const { secrets } = this.manifest;
    return secrets.mode === 'sealed' ? SecretSealer.fromManifest(secrets, passphrase) : undefined;
  }

  /** A listed entry parsed as JSON, after its size, CRC-32 and SHA-256 have been verified. */
  async readJson<T = unknown>(path: string): Promise<T> {
    const plan = this.listedPlan(path);
    const bytes = await readEntry(this.source, this.expectation(plan, Math.min(plan.maxBytes, this.limits.maxJsonEntryBytes)));
    return parseJsonEntry(bytes, path) as T;
  }

  /**
   * A listed entry's bytes as a stream. It fails with ArchiveRejected instead of ending
   * when the entry does not verify, so act on the bytes only once it has ended.
   */
  openResource(path: string): Readable {
    return openEntry(this.source, this.expectation(this.listedPlan(path)));
  }

  /**
   * Reads every entry once, front to back in one ranged read, verifying each (limits,
   * size, CRC-32, SHA-256, JSON syntax, the total inflated size) and that the entries'
   * bytes do not overlap. Run it before an import applies anything.
   */
  async verifyAll(options: VerifyAllOptions = {}): Promise<VerifyAllResult> {
    const { records } = this.directory;
    const { byOffset } = this.table.extents;
    const start = byOffset.length > 0 ? records.localHeaderOffset(byOffset[0]!) : this.directory.offset;
    const cursor = new ByteCursor(openRange(this.source, start, this.directory.offset - start), start);
    const total = new InflatedTotal(this.limits.maxTotalBytes);
    try {
      for (const index of byOffset) {
        const plan = this.plan(index);
        const { central } = plan;
        const expectation = { ...this.expectation(plan), total };
        let bytes: Buffer | undefined;
        try {
          if (cursor.position > central.localHeaderOffset) {
            throw new ArchiveRejected('corrupt', 'its local header overlaps the entry before it', central.name);
          }
          await cursor.skip(central.localHeaderOffset - cursor.position);
          await readLocalHeader(cursor, central, plan.extentEnd);
          if (isSmallEntry(central)) bytes = await readSmallEntry(cursor, expectation);
        } catch (error) {
          throw toArchiveReadError(error, central.name);
        }
        // The manifest (a JSON entry the manifest itself does not list) was parsed at open:
        // here its bytes are only checked as they stream. Collected, a 200,000-entry
        // manifest was ~50 MB held at the end of every pass, the import's peak.
        const parseJson = plan.json && plan.listed !== undefined && options.parseJson !== false;
        // Bytes are collected only for what uses them: a document to parse, a resource to hand over.
        const handedOver = !plan.json && plan.listed !== undefined && options.onResource !== undefined;
        if (!bytes) {
          const inflated = inflateEntry(Readable.from(takeData(cursor, central), { objectMode: false }), expectation);
          if (!parseJson && !handedOver) {
            await drain(inflated);
            continue;
          }
          bytes = await collect(inflated);
        }
        if (!plan.json && plan.listed) await options.onResource?.(plan.listed, bytes, this.table.listedIndex[index]!);
        if (!parseJson || !plan.listed) continue;
        const value = parseJsonEntry(bytes, central.name);
        await options.onJson?.(plan.listed, value, this.table.listedIndex[index]!);
      }
    } finally {
      await cursor.close();
    }
    return { entries: byOffset.length, inflatedBytes: total.bytes };
  }

  private listedPlan(path: string): EntryPlan {
    const index = this.table.byName.find(Buffer.from(path, 'utf8'));
    const plan = index < 0 ? undefined : this.plan(index);
    if (!plan?.listed) throw new RangeError(`the archive's manifest lists no entry ${JSON.stringify(path)}`);
    return plan;
  }

  private plan(index: number): EntryPlan {
    const { kinds, listedIndex, extents } = this.table;
    const kind = kinds[index]!;
    const maxBytes =
      kind === KIND_MANIFEST
        ? this.limits.maxManifestBytes
        : kind === KIND_JSON
          ? this.limits.maxJsonEntryBytes
          : kind === KIND_RESOURCE
            ? this.limits.maxResourceEntryBytes
            : 0;
    const listed = kind === KIND_JSON || kind === KIND_RESOURCE ? this.listed.entry(listedIndex[index]!) : undefined;
    return { central: this.directory.records.entry(index), extentEnd: extents.ends[index]!, listed, maxBytes, json: kind === KIND_MANIFEST || kind === KIND_JSON };
  }

  private expectation(plan: EntryPlan, maxBytes = plan.maxBytes): EntryExpectation {
    return {
      entry: plan.central,
      extentEnd: plan.extentEnd,
      maxBytes,
      limits: this.limits,
      listed: plan.listed && { sha256: plan.listed.sha256, size: plan.listed.size },
    };
  }
}

async function* takeData(cursor: ByteCursor, entry: CentralEntry): AsyncGenerator<Buffer> {
  try {
    yield* cursor.take(entry.compressedSize);
  } catch (error) {
    throw toArchiveReadError(error, entry.name);
  }
}

async function drain(stream: Readable): Promise<void> {
  for await (const chunk of stream) void chunk;
}
