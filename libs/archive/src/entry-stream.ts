import { createHash, hash, type Hash } from 'node:crypto';
import { PassThrough, Readable, Transform, pipeline, type TransformCallback } from 'node:stream';
import { crc32, createInflateRaw, inflateRawSync } from 'node:zlib';
import { ByteCursor, UnexpectedEndOfData } from './byte-cursor.js';
import { METHOD_DEFLATED } from './central-checks.js';
import { ArchiveRejected } from './errors.js';
import { InflateLimiter, LimitedInflateCounter, type ArchiveLimits, type InflatedTotal } from './limits.js';
import type { CentralEntry } from './zip-directory.js';
import { isSourceFailure, openRange, type ArchiveByteSource } from './zip-source.js';

const SIG_LOCAL_HEADER = 0x04034b50;
const LOCAL_HEADER_BYTES = 30;
const MAX_EXTRA_BYTES = 0xffff;
/**
 * Entries this small are read into memory and inflated in one call (bounded by
 * maxOutputLength) instead of through a chain of streams: most entries of a big export
 * are a few KiB, and per-entry stream set-up would dominate reading them.
 */
const SMALL_COMPRESSED_BYTES = 256 * 1024;
const SMALL_INFLATED_BYTES = 8 * 1024 * 1024;

/** What an entry's inflated bytes must match. */
export interface EntryExpectation {
  entry: CentralEntry;
  /** The local header and data must end before this offset (see checkCentralEntries). */
  extentEnd: number;
  /** Most inflated bytes allowed for this entry's kind. */
  maxBytes: number;
  limits: ArchiveLimits;
  /** SHA-256 (hex) and size from the manifest, when the entry is listed there. */
  listed?: { sha256: string; size: number };
  /** Total inflated across one pass, when the pass counts one. */
  total?: InflatedTotal;
}

/**
 * Reads the local header at the cursor and checks it against the central record; leaves
 * the cursor at the first byte of the entry's data. Sizes and CRC come from the central
 * directory, so entries written with data descriptors read the same as any other.
 */
export async function readLocalHeader(cursor: ByteCursor, entry: CentralEntry, extentEnd: number): Promise<void> {
  const header = await cursor.read(LOCAL_HEADER_BYTES);
  if (header.readUInt32LE(0) !== SIG_LOCAL_HEADER) {
    throw new ArchiveRejected('corrupt', 'no local header where the central directory points', entry.name);
  }
  if (header.readUInt16LE(6) & 0x0001) throw new ArchiveRejected('encrypted-entry', 'the local header marks it encrypted', entry.name);
  if (header.readUInt16LE(8) !== entry.method) {
    throw new ArchiveRejected('corrupt', 'the local header and the central directory disagree on the compression method', entry.name);
  }
  const nameLength = header.readUInt16LE(26);
  const extraLength = header.readUInt16LE(28);
  const name = await cursor.read(nameLength);
  if (!name.equals(entry.nameBytes)) {
    throw new ArchiveRejected('corrupt', 'the local header and the central directory disagree on the name', entry.name);
  }
  await cursor.skip(extraLength);
  if (cursor.position + entry.compressedSize > extentEnd) {
    throw new ArchiveRejected('corrupt', 'its data runs into the next entry', entry.name);
  }
}

export function isSmallEntry(entry: CentralEntry): boolean {
  return entry.compressedSize <= SMALL_COMPRESSED_BYTES && entry.uncompressedSize <= SMALL_INFLATED_BYTES;
}

/**
 * A small entry's inflated, verified bytes, its data read from the cursor (positioned by
 * readLocalHeader). Same limits and checks as inflateEntry.
 */
export async function readSmallEntry(cursor: ByteCursor, expectation: EntryExpectation): Promise<Buffer> {
  const { entry } = expectation;
  // A deflated entry's compressed bytes are inflated at once: they need not outlive this call.
  const compressed = entry.method === METHOD_DEFLATED ? await cursor.readTransient(entry.compressedSize) : await cursor.read(entry.compressedSize);
  const limiter = limiterFor(expectation);
  let inflated: Buffer;
  if (entry.method === METHOD_DEFLATED) {
    // One byte past every bound tells "over a limit" apart from "exactly at it".
    const bound = Math.min(limiter.bound, entry.uncompressedSize);
    try {
      // One output chunk of the declared size (plus the byte that detects more): zlib's
      // default 16 KiB chunks would leave 16 KiB of garbage outside the JS heap per
      // small entry, or a copy per chunk for a bigger one.
      const chunkSize = Math.max(64, Math.min(SMALL_INFLATED_BYTES, bound + 1));
      inflated = inflateRawSync(compressed, { maxOutputLength: Math.max(1, bound + 1), chunkSize });
    } catch (error) {
      if ((error as { code?: string }).code !== 'ERR_BUFFER_TOO_LARGE') throw toArchiveReadError(error, entry.name);
      limiter.count(bound + 1);
      throw new ArchiveRejected('corrupt', `it inflates past its declared size of ${entry.uncompressedSize} bytes`, entry.name);
    }
  } else {
    inflated = compressed;
  }
  limiter.count(inflated.length);
  new EntryDigestCheck(entry, expectation.listed, false).checkWhole(inflated);
  return inflated;
}

/**
 * The entry's inflated bytes from its compressed bytes: inflate, count against the
 * limits as bytes come out, and verify size, CRC-32 (unzipper checks neither) and the
 * manifest's SHA-256. The stream errors with ArchiveRejected instead of ending when
 * anything does not match, so a consumer that waits for 'end' never acts on bad bytes.
 */
export function inflateEntry(compressed: Readable, expectation: EntryExpectation): Readable {
  const { entry } = expectation;
  const inflater = entry.method === METHOD_DEFLATED ? createInflateRaw() : new PassThrough();
  const counter = new LimitedInflateCounter(limiterOptions(expectation));
  const verifier = new EntryVerifier(new EntryDigestCheck(entry, expectation.listed));
  // The verifier is outside the pipeline so that it fails with the translated error
  // rather than the raw zlib or stream one.
  pipeline(compressed, inflater, counter, (error) => {
    if (error) verifier.destroy(toArchiveReadError(error, entry.name) as Error);
  });
  counter.pipe(verifier);
  verifier.once('close', () => counter.destroy());
  return verifier;
}

/** Random access: one entry's inflated, verified bytes as a stream, from a ranged read of the source. */
export function openEntry(source: ArchiveByteSource, expectation: EntryExpectation): Readable {
  const { entry } = expectation;
  async function* compressedBytes(): AsyncGenerator<Buffer> {
    const cursor = openEntryCursor(source, expectation);
    try {
      await readLocalHeader(cursor, entry, expectation.extentEnd);
      yield* cursor.take(entry.compressedSize);
    } catch (error) {
      throw toArchiveReadError(error, entry.name);
    } finally {
      await cursor.close();
    }
  }
  return inflateEntry(Readable.from(compressedBytes(), { objectMode: false }), expectation);
}

/** Random access: one entry's inflated, verified bytes in memory (the limits bound them). */
export async function readEntry(source: ArchiveByteSource, expectation: EntryExpectation): Promise<Buffer> {
  const { entry } = expectation;
  // A big entry (the manifest of a 200,000-entry archive is ~40 MB) goes into one buffer of
  // its declared size: collecting chunks and concatenating them held it twice.
  if (!isSmallEntry(entry)) return collect(openEntry(source, expectation), Math.min(entry.uncompressedSize, expectation.maxBytes));
  const cursor = openEntryCursor(source, expectation);
  try {
    await readLocalHeader(cursor, entry, expectation.extentEnd);
    return await readSmallEntry(cursor, expectation);
  } catch (error) {
    throw toArchiveReadError(error, entry.name);
  } finally {
    await cursor.close();
  }
}

/**
 * The stream's bytes in one buffer. With `expectedBytes` (a declared size the stream itself
 * verifies) they are copied into a buffer of that size as they come; a stream that brings
 * more (it is about to fail its size check) falls back to collecting chunks.
 */
export async function collect(stream: Readable, expectedBytes?: number): Promise<Buffer> {
  if (expectedBytes === undefined) {
    const chunks: Buffer[] = [];
    for await (const chunk of stream) chunks.push(chunk as Buffer);
    return Buffer.concat(chunks);
  }
  const bytes = Buffer.allocUnsafeSlow(expectedBytes);
  let filled = 0;
  let overflow: Buffer[] | undefined;
  for await (const chunk of stream as AsyncIterable<Buffer>) {
    if (overflow) overflow.push(chunk);
    else if (filled + chunk.length > bytes.length) overflow = [bytes.subarray(0, filled), chunk];
    else filled += chunk.copy(bytes, filled);
  }
  return overflow ? Buffer.concat(overflow) : bytes.subarray(0, filled);
}

function openEntryCursor(source: ArchiveByteSource, { entry, extentEnd }: EntryExpectation): ByteCursor {
  const start = entry.localHeaderOffset;
  const end = Math.min(extentEnd, start + LOCAL_HEADER_BYTES + entry.nameBytes.length + MAX_EXTRA_BYTES + entry.compressedSize);
  return new ByteCursor(openRange(source, start, end - start), start);
}

/** Errors met while reading an entry, in the reader's terms; I/O failures pass through. */
export function toArchiveReadError(error: unknown, entryName: string): unknown {
  if (error instanceof ArchiveRejected || isSourceFailure(error)) return error;
  if (error instanceof UnexpectedEndOfData) {
    return new ArchiveRejected('truncated', 'the archive ends inside this entry', entryName, { cause: error });
  }
  const code = (error as { code?: unknown } | undefined)?.code;
  if (typeof code === 'string' && code.startsWith('Z_')) {
    return new ArchiveRejected('corrupt', `its compressed data is invalid (${(error as Error).message})`, entryName, { cause: error });
  }
  return error;
}

function limiterOptions({ entry, maxBytes, limits, total }: EntryExpectation) {
  return {
    entry: entry.name,
    maxBytes,
    compressedSize: entry.compressedSize,
    maxCompressionRatio: limits.maxCompressionRatio,
    ratioCheckMinBytes: limits.ratioCheckMinBytes,
    total,
  };
}

function limiterFor(expectation: EntryExpectation): InflateLimiter {
  return new InflateLimiter(limiterOptions(expectation));
}

/** Size, CRC-32 and SHA-256 of inflated bytes against the central directory and the manifest. */
class EntryDigestCheck {
  private size = 0;
  private crc = 0;
  private readonly sha256: Hash | undefined;

  constructor(
    private readonly entry: CentralEntry,
    private readonly listed?: { sha256: string; size: number },
    /** Whether bytes come in chunks (update, then finish) or all at once (checkWhole). */
    incremental = true,
  ) {
    this.sha256 = listed && incremental ? createHash('sha256') : undefined;
  }

  /** Throws on the first byte past the declared size. */
  update(chunk: Buffer): void {
    this.count(chunk.length);
    this.crc = crc32(chunk, this.crc);
    this.sha256?.update(chunk);
  }

  /**
   * A small entry's bytes, all at once: one-shot CRC-32 and SHA-256, without a hash object
   * per entry (creating and finalising one was ~5 % of a pass over 20,000 small entries).
   */
  checkWhole(bytes: Buffer): void {
    this.count(bytes.length);
    this.crc = crc32(bytes);
    this.finish(this.listed ? hash('sha256', bytes, 'hex') : undefined);
  }

  private count(bytes: number): void {
    this.size += bytes;
    if (this.size > this.entry.uncompressedSize) {
      throw new ArchiveRejected('corrupt', `it inflates past its declared size of ${this.entry.uncompressedSize} bytes`, this.entry.name);
    }
  }

  finish(sha256Hex = this.sha256?.digest('hex')): void {
    const { name, uncompressedSize, crc32: expectedCrc } = this.entry;
    if (this.size !== uncompressedSize) {
      throw new ArchiveRejected('corrupt', `it inflates to ${this.size} bytes; the central directory says ${uncompressedSize}`, name);
    }
    if (this.crc >>> 0 !== expectedCrc) throw new ArchiveRejected('corrupt', 'its CRC-32 does not match the central directory', name);
    if (this.listed && this.size !== this.listed.size) {
      throw new ArchiveRejected('tampered', `it is ${this.size} bytes; the manifest says ${this.listed.size}`, name);
    }
    if (this.listed && sha256Hex !== this.listed.sha256) {
      throw new ArchiveRejected('tampered', 'its SHA-256 does not match the manifest', name);
    }
  }
}

class EntryVerifier extends Transform {
  constructor(private readonly check: EntryDigestCheck) {
    super();
  }

  override _transform(chunk: Buffer, _encoding: BufferEncoding, callback: TransformCallback): void {
    try {
      this.check.update(chunk);
    } catch (error) {
      callback(error as Error);
      return;
    }
    callback(null, chunk);
  }

  override _flush(callback: TransformCallback): void {
    try {
      this.check.finish();
    } catch (error) {
      callback(error as Error);
      return;
    }
    callback();
  }
}
