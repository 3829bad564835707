import { createHash } from 'node:crypto';
import { performance } from 'node:perf_hooks';
import { Readable, Transform, type TransformCallback } from 'node:stream';
import { setImmediate as nextLoopTurn } from 'node:timers/promises';
import { serializeJsonEntry } from './json-entry.js';
import { resolveLimits, type ArchiveLimits } from './limits.js';
import {
  ARCHIVE_FORMAT,
  ASSET_DIRECTORIES,
  CURRENT_FORMAT_VERSION,
  MANIFEST_PATH,
  RESOURCE_DIRECTORY,
  type ArchiveOrigin,
  type AssetType,
  type DependencyEdge,
  type Manifest,
  type ManifestEntry,
  type ManifestSecrets,
  type OmittedSecret,
} from './manifest.js';
import { JsonArrayLog } from './json-log.js';
import { OutputTap } from './output-tap.js';
import { SafeNameAllocator, safeName } from './safe-name.js';
import { secretAad, type SecretSealer } from './secret-sealing.js';
import type { SealedValue } from './sealed-value.js';
import { ZipStreamWriter } from './zip-writer.js';

export interface ArchiveWriterOptions {
  source: ArchiveOrigin;
  /** The export options, recorded in the manifest. */
  options?: Record<string, unknown>;
  /** Present when the export has a passphrase: secret fields are sealed, not left out. */
  sealer?: SecretSealer;
  /** zlib level, 0 (stored) to 9; default 6. */
  zlibLevel?: number;
  /** The writer refuses to write what a reader with these limits would refuse. */
  limits?: Partial<ArchiveLimits>;
  /** The archive's creation time (manifest createdAt and every entry's date). */
  createdAt?: Date;
}

/** A written entry as listed in the manifest, with the safe name its file got. */
export interface WrittenEntry extends ManifestEntry {
  /** The entry's file name without directory or `.json`: pass an apiProxy's to addResource. */
  safeName: string;
}

export interface ArchiveWriteResult {
  /** ZIP entries, the manifest included. */
  entries: number;
  /** Bytes of the whole ZIP stream. */
  bytes: number;
  /** Hex SHA-256 of the whole ZIP stream. */
  sha256: string;
}

const RESOURCE_EXTENSION = /(\.[A-Za-z0-9]{1,16})$/;
/**
 * The longest the writer and its caller work before letting the event loop take its
 * other callbacks: an export adds entries as fast as the ZIP layer takes them, and
 * without a turn now and then a worker's other jobs, their webhooks and its queue
 * connection would wait for a whole catalog batch (hundreds of entries) at a time.
 */
const LOOP_SLICE_MS = 10;

/**
 * Writes an apiferry archive as a stream: pipe `output` somewhere (an S3 multipart
 * upload), add entries one at a time (each add resolves once the entry has gone into the
 * ZIP stream and the consumer has room for more, so nothing queues without bound), then
 * finish(), which writes manifest.json last, with every entry's SHA-256 and size.
 *
 * Memory stays flat in the number of entries: the ZIP layer (ZipStreamWriter) keeps the
 * central directory in typed arrays, and the manifest's entry list and dependency edges
 * are serialised as they are added (JsonArrayLog) and streamed into manifest.json at the
 * end. What grows per entry is a few dozen bytes outside the JS heap, and its name in
 * the set of names taken (for collision suffixes), outside the heap too.
 */
export class ArchiveWriter {
  readonly output: Readable;
  private readonly tap = new OutputTap();
  private readonly zip: ZipStreamWriter;
  private readonly limits: ArchiveLimits;
  private readonly createdAt: Date;
  /** The manifest's entries, serialised as they are written. */
  private readonly entries = new JsonArrayLog();
  private readonly dependencies = new JsonArrayLog();
  private readonly omitted: OmittedSecret[] = [];
  /** Entry names in every directory; the root's reserves the manifest's. */
  private readonly names = new SafeNameAllocator(undefined, [MANIFEST_PATH]);
  private totalBytes = 0;
  private proxyCount = 0;
  /** The first apiProxy entry's bytes, kept while it is the only one, for the bare copy of a single-proxy export. */
  private soleProxy?: { entry: WrittenEntry; bytes: Buffer };
  private queue: Promise<unknown> = Promise.resolve();
  private sliceStarted = performance.now();
  private failure?: Error;
  private finishing = false;

  constructor(private readonly settings: ArchiveWriterOptions) {
    this.limits = resolveLimits(settings.limits);
    this.createdAt = settings.createdAt ?? new Date();
    const level = settings.zlibLevel ?? 6;
    if (!Number.isInteger(level) || level < 0 || level > 9) throw new RangeError(`zlibLevel must be 0 to 9, got ${level}`);
    this.zip = new ZipStreamWriter((chunk) => this.writeOut(chunk), level, this.createdAt);
    // Failures reach callers through the writer's promises; without this listener a
    // failure before anyone consumes the output would be an uncaught 'error'.
    this.tap.on('error', () => undefined);
    // A consumer that gives up (a failed upload) ends the archive too.
    this.tap.once('close', () => {
      if (!this.tap.complete) this.fail(this.tap.errored ?? new Error('the archive output was closed before the archive was complete'));
    });
    this.output = this.tap;
  }

  get sealer(): SecretSealer | undefined {
    return this.settings.sealer;
  }

  /** Seals one secret field for the entry of asset (type, uuid); requires a sealer. */
  sealSecret(type: AssetType, uuid: string, field: string, value: unknown): SealedValue {
    if (!this.settings.sealer) throw new Error('this export has no passphrase: record the secret with omitSecret instead');
    return this.settings.sealer.seal(value, secretAad(type, uuid, field));
  }

  /** Records a secret field left out of the archive (exports without a passphrase). */
  omitSecret(secret: OmittedSecret): void {
    if (this.settings.sealer) throw new Error('this export has a passphrase: seal the secret with sealSecret instead');
    this.omitted.push({ ...secret });
  }

  addDependency(edge: DependencyEdge): void {
    this.dependencies.push({ from: { type: edge.from.type, uuid: edge.from.uuid }, to: { type: edge.to.type, uuid: edge.to.uuid }, required: edge.required });
  }

  /** Adds one asset as `<dir>/<safe-name>.json`; resolves when it has been written. */
  addJson(type: AssetType, ref: { uuid: string; name: string }, value: unknown): Promise<WrittenEntry> {
    return this.enqueue(async () => {
      const bytes = serializeJsonEntry(value);
      if (bytes.length > this.limits.maxJsonEntryBytes) {
        throw new RangeError(`${type} ${ref.name} is ${bytes.length} bytes as JSON; the limit is ${this.limits.maxJsonEntryBytes}`);
      }
      const directory = ASSET_DIRECTORIES[type];
      const name = this.names.allocate(ref.name || ref.uuid, '', directory);
      const entry: WrittenEntry = {
        path: `${directory}/${name}.json`,
        type,
        uuid: ref.uuid,
        name: ref.name,
        sha256: createHash('sha256').update(bytes).digest('hex'),
        size: bytes.length,
        safeName: name,
      };
      this.checkRoomFor(entry.size);
      await this.append(entry.path, bytes);
      this.record(entry);
      if (type === 'apiProxy') {
        this.proxyCount += 1;
        this.soleProxy = this.proxyCount === 1 ? { entry, bytes } : undefined;
      }
      return { ...entry };
    });
  }

  /**
   * Adds `resources/<proxySafeName>/<safe file name>` from a stream, hashing it on the
   * way. The stream is consumed only as fast as the output is.
   */
  addResource(proxySafeName: string, fileName: string, stream: Readable): Promise<WrittenEntry> {
    return this.enqueue(async () => {
      if (safeName(proxySafeName) !== proxySafeName) throw new TypeError(`${JSON.stringify(proxySafeName)} is not a safe name`);
      const extension = RESOURCE_EXTENSION.exec(fileName)?.[1] ?? '';
      const directory = `${RESOURCE_DIRECTORY}/${proxySafeName}`;
      const name = this.names.allocate(fileName.slice(0, fileName.length - extension.length), extension, directory);
      const hasher = new HashingCounter(this.limits.maxResourceEntryBytes, `${directory}/${name}`);
      // A failed or oversized resource fails the whole archive, not only this entry:
      // its local header is already out.
      hasher.once('error', (error) => this.fail(error));
      stream.once('error', (error) => hasher.destroy(error));
      this.checkRoomFor(0);
      await this.appendStream(`${directory}/${name}`, stream.pipe(hasher));
      const entry: WrittenEntry = {
        path: `${directory}/${name}`,
        type: 'resource',
        name: fileName,
        sha256: hasher.sha256,
        size: hasher.size,
        safeName: name,
      };
      this.record(entry);
      if (this.totalBytes > this.limits.maxTotalBytes) throw new RangeError(`the archive inflates past ${this.limits.maxTotalBytes} bytes`);
      return { ...entry };
    });
  }

  /**
   * Adds the bare `<apiProxyName>.json` copy of a single-proxy export (what vendor tools
   * expect), listed with `aliasOf` so importers skip it. `path` is the proxy's entry; the
   * writer keeps the bytes of an export's apiProxy entry only while it is the only one.
   */
  addAlias(path: string): Promise<WrittenEntry> {
    return this.enqueue(async () => {
      const original = this.soleProxy;
      if (!original || original.entry.path !== path) {
        throw new Error(`addAlias copies the apiProxy entry of a single-proxy export; ${JSON.stringify(path)} is not one`);
      }
      const name = this.names.allocate(original.entry.name ?? original.entry.safeName, '.json');
      const entry: WrittenEntry = { ...original.entry, path: name, safeName: name.slice(0, -'.json'.length), aliasOf: original.entry.path };
      this.checkRoomFor(entry.size);
      await this.append(entry.path, original.bytes);
      this.record(entry);
      return { ...entry };
    });
  }

  /**
   * Writes manifest.json and ends the ZIP stream. Resolves once the last byte has passed
   * through `output`, so keep consuming `output` while awaiting this.
   */
  finish(): Promise<ArchiveWriteResult> {
    if (this.finishing) return Promise.reject(new Error('finish() was already called'));
    this.finishing = true;
    const finished = this.enqueue(async () => {
      // Compact: the manifest of a big export is large, and only programs read it.
      const { chunks, bytes } = this.manifestChunks();
      if (bytes > this.limits.maxManifestBytes) {
        throw new RangeError(`the manifest is ${bytes} bytes; the limit is ${this.limits.maxManifestBytes}`);
      }
      // A byte stream, not Readable.from's default object mode: that reads 16 chunks ahead,
      // and a spilled entry list comes back in 1 MiB chunks (16 MiB held at the very end of
      // a 200,000-entry export, its peak).
      await this.appendStream(MANIFEST_PATH, Readable.from(chunks, { objectMode: false }));
      this.closeLogs();
      await this.zip.finish();
      this.tap.end();
      const totals = await this.tap.totals;
      if (this.failure) throw this.failure;
      return { entries: this.zip.entryCount, bytes: totals.bytes, sha256: totals.sha256 };
    }, true);
    // An archive that cannot be finished must not leave its consumer waiting for more bytes.
    finished.catch((error: Error) => this.fail(error));
    return finished;
  }

  /** Stops writing: the output fails with `error`. */
  abort(error: Error = new Error('the archive was aborted')): void {
    this.fail(error);
  }

  private closeLogs(): void {
    this.entries.close();
    this.dependencies.close();
  }

  /**
   * manifest.json as serializeJsonEntry(manifest, { indent: 0 }) would write it, with the
   * entry list and the dependencies spliced in from their logs instead of built as objects.
   */
  private manifestChunks(): { chunks: Iterable<Buffer>; bytes: number } {
    let secrets: ManifestSecrets = { mode: 'none' };
    if (this.settings.sealer) secrets = this.settings.sealer.manifestSecrets();
    else if (this.omitted.length > 0) secrets = { mode: 'omitted', omitted: this.omitted };
    const head: Omit<Manifest, 'entries' | 'dependencies' | 'secrets'> = {
      format: ARCHIVE_FORMAT,
      formatVersion: CURRENT_FORMAT_VERSION,
      createdAt: this.createdAt.toISOString(),
      source: { instance: this.settings.source.instance, project: this.settings.source.project },
      options: this.settings.options ?? {},
    };
    const headJson = JSON.stringify(head);
    const opening = Buffer.from(`${headJson.slice(0, -1)},"entries":`, 'utf8');
    const between = Buffer.from(',"dependencies":');
    const closing = Buffer.from(`,"secrets":${JSON.stringify(secrets)}}\n`, 'utf8');
    const { entries, dependencies } = this;
    return {
      // Generated as the manifest entry is written: a spilled list is read back a chunk at a time.
      chunks: (function* manifest() {
        yield opening;
        yield* entries.chunks();
        yield between;
        yield* dependencies.chunks();
        yield closing;
      })(),
      bytes: opening.length + entries.byteLength + between.length + dependencies.byteLength + closing.length,
    };
  }

  private enqueue<T>(task: () => Promise<T>, allowWhileFinishing = false): Promise<T> {
    if (this.finishing && !allowWhileFinishing) return Promise.reject(new Error('the archive is finishing: no more entries'));
    const run = this.queue.then(() => {
      if (this.failure) throw this.failure;
      return task();
    });
    this.queue = run.catch(() => undefined);
    return run;
  }

  /** Refuses an entry a reader with the same limits would refuse for the count or the total. */
  private checkRoomFor(size: number): void {
    if (this.zip.entryCount + 2 > this.limits.maxEntries) {
      throw new RangeError(`an archive may hold ${this.limits.maxEntries} entries, the manifest included`);
    }
    if (this.totalBytes + size > this.limits.maxTotalBytes) {
      throw new RangeError(`the archive would inflate past ${this.limits.maxTotalBytes} bytes`);
    }
  }

  private record({ safeName: _safeName, ...listed }: WrittenEntry): void {
    this.entries.push(listed satisfies ManifestEntry);
    this.totalBytes += listed.size;
  }

  /** Appends one entry and waits until the consumer has room. */
  private async append(path: string, bytes: Buffer): Promise<void> {
    await this.zip.addBuffer(path, bytes);
    await this.afterEntry();
  }

  private async appendStream(path: string, source: Readable): Promise<void> {
    await this.zip.addStream(path, source);
    await this.afterEntry();
  }

  private async afterEntry(): Promise<void> {
    if (this.failure) throw this.failure;
    await this.tap.whenRoom();
    if (performance.now() - this.sliceStarted >= LOOP_SLICE_MS) {
      await nextLoopTurn();
      this.sliceStarted = performance.now();
    }
    if (this.failure) throw this.failure;
  }

  /** The ZIP layer's sink: into the tap, waiting while the tap's buffer is full. */
  private async writeOut(chunk: Buffer): Promise<void> {
    if (this.failure) throw this.failure;
    if (this.tap.write(chunk)) return;
    await new Promise<void>((resolve) => {
      const done = () => {
        this.tap.off('drain', done);
        this.tap.off('close', done);
        resolve();
      };
      this.tap.once('drain', done);
      this.tap.once('close', done);
    });
    if (this.failure) throw this.failure;
  }

  private fail(error: Error): void {
    if (this.failure) return;
    this.failure = error;
    this.tap.destroy(error);
    this.closeLogs();
  }
}

/** Counts and hashes a resource on its way into the archive, refusing one over the limit. */
class HashingCounter extends Transform {
  size = 0;
  sha256 = '';
  private readonly hash = createHash('sha256');

  constructor(
    private readonly maxBytes: number,
    private readonly path: string,
  ) {
    super();
  }

  override _transform(chunk: Buffer, _encoding: BufferEncoding, callback: TransformCallback): void {
    this.size += chunk.length;
    if (this.size > this.maxBytes) {
      callback(new RangeError(`resource ${this.path} is over ${this.maxBytes} bytes`));
      return;
    }
    this.hash.update(chunk);
    callback(null, chunk);
  }

  override _flush(callback: TransformCallback): void {
    this.sha256 = this.hash.digest('hex');
    callback();
  }
}
