import { PassThrough, Readable } from 'node:stream';
import unzipper from 'unzipper';
import { decodeEntryName } from './entry-path.js';
import { ArchiveRejected } from './errors.js';
import { isSourceFailure, openRange, readRange, type ArchiveByteSource } from './zip-source.js';

const SIG_LOCAL_HEADER = 0x04034b50;
const SIG_CENTRAL_HEADER = 0x02014b50;
const SIG_END = 0x06054b50;
const SIG_ZIP64_END = 0x06064b50;
const SIG_ZIP64_LOCATOR = 0x07064b50;
const END_BYTES = 22;
const ZIP64_END_BYTES = 56;
const ZIP64_LOCATOR_BYTES = 20;
const CENTRAL_HEADER_BYTES = 46;
const MAX_COMMENT_BYTES = 0xffff;

/** One central-directory record, with zip64 sizes and offset already applied. */
export interface CentralEntry {
  name: string;
  nameBytes: Buffer;
  versionMadeBy: number;
  flags: number;
  method: number;
  crc32: number;
  compressedSize: number;
  uncompressedSize: number;
  localHeaderOffset: number;
  externalAttributes: number;
}

export interface CentralDirectory {
  archiveSize: number;
  /** Where the central directory starts: entry data must end before it. */
  offset: number;
  size: number;
  zip64: boolean;
  entries: CentralEntry[];
}

interface EndRecord {
  endOffset: number;
  entryCount: number;
  directorySize: number;
  directoryOffset: number;
  /** Where the end records start (the zip64 record when there is one). */
  recordsOffset: number;
  zip64: boolean;
  /**
   * Exactly 65535 entries and no zip64 records: a valid archive (Info-ZIP writes them),
   * but unzipper takes the 0xFFFF count for a zip64 marker and fails. We show unzipper
   * the zip64 records such an archive could have had.
   */
  needsZip64View: boolean;
}

/**
 * Reads and checks the central directory: the end records ourselves (to tell not-a-zip,
 * truncated and corrupt apart, and to refuse an entry count over the limit before a
 * single record is parsed), the records through unzipper.
 */
export async function readCentralDirectory(
  source: ArchiveByteSource,
  { maxEntries }: { maxEntries: number },
): Promise<CentralDirectory> {
  const archiveSize = await source.size();
  const end = await findEndRecord(source, archiveSize);
  if (end.entryCount > maxEntries) {
    throw new ArchiveRejected('too-many-entries', `the archive has ${end.entryCount} entries; the limit is ${maxEntries}`);
  }
  if (end.directoryOffset + end.directorySize > end.recordsOffset) {
    throw new ArchiveRejected('corrupt', 'the central directory runs past the end records');
  }
  if (end.entryCount * CENTRAL_HEADER_BYTES > end.directorySize) {
    throw new ArchiveRejected('corrupt', `a ${end.directorySize}-byte central directory cannot hold ${end.entryCount} entries`);
  }
  const entries = await parseRecords(source, archiveSize, end);
  return { archiveSize, offset: end.directoryOffset, size: end.directorySize, zip64: end.zip64, entries };
}

async function findEndRecord(source: ArchiveByteSource, archiveSize: number): Promise<EndRecord> {
  const tailLength = Math.min(archiveSize, END_BYTES + MAX_COMMENT_BYTES + ZIP64_LOCATOR_BYTES);
  const tailStart = archiveSize - tailLength;
  const tail = await readExactly(source, tailStart, tailLength);
  // The end record is the one whose comment reaches exactly to the end of the file;
  // searching back from the end finds it before any look-alike inside the comment.
  let at = -1;
  for (let candidate = tail.length - END_BYTES; candidate >= 0; candidate--) {
    if (tail.readUInt32LE(candidate) === SIG_END && candidate + END_BYTES + tail.readUInt16LE(candidate + 20) === tail.length) {
      at = candidate;
      break;
    }
  }
  if (at < 0) throw await notAZipOrTruncated(source, archiveSize);

  const endOffset = tailStart + at;
  const disk = tail.readUInt16LE(at + 4);
  const directoryDisk = tail.readUInt16LE(at + 6);
  const entriesOnDisk = tail.readUInt16LE(at + 8);
  let entryCount = tail.readUInt16LE(at + 10);
  let directorySize = tail.readUInt32LE(at + 12);
  let directoryOffset = tail.readUInt32LE(at + 16);
  const zip64Marked = entryCount === 0xffff || directorySize === 0xffffffff || directoryOffset === 0xffffffff || disk === 0xffff;

  const locatorAt = at - ZIP64_LOCATOR_BYTES;
  const hasLocator = locatorAt >= 0 && tail.readUInt32LE(locatorAt) === SIG_ZIP64_LOCATOR;
  if (!hasLocator) {
    if (disk !== 0 || directoryDisk !== 0 || entriesOnDisk !== entryCount) {
      throw new ArchiveRejected('corrupt', 'multi-volume (spanned) archives are not supported');
    }
    if (zip64Marked && (directorySize === 0xffffffff || directoryOffset === 0xffffffff)) {
      throw new ArchiveRejected('corrupt', 'the end record asks for zip64 records that are missing');
    }
    return {
      endOffset,
      entryCount,
      directorySize,
      directoryOffset,
      recordsOffset: endOffset,
      zip64: false,
      needsZip64View: entryCount === 0xffff,
    };
  }

  const locator = tail.subarray(locatorAt, at);
  const recordOffset = safeUInt64(locator, 8, 'zip64 end record offset');
  if (locator.readUInt32LE(4) !== 0 || locator.readUInt32LE(16) > 1) {
    throw new ArchiveRejected('corrupt', 'multi-volume (spanned) archives are not supported');
  }
  if (recordOffset + ZIP64_END_BYTES > tailStart + locatorAt) {
    throw new ArchiveRejected('corrupt', 'the zip64 end record is not where its locator says');
  }
  const record = await readExactly(source, recordOffset, ZIP64_END_BYTES);
  if (record.readUInt32LE(0) !== SIG_ZIP64_END) throw new ArchiveRejected('corrupt', 'the zip64 end record has a bad signature');
  if (record.readUInt32LE(16) !== 0 || record.readUInt32LE(20) !== 0) {
    throw new ArchiveRejected('corrupt', 'multi-volume (spanned) archives are not supported');
  }
  entryCount = safeUInt64(record, 32, 'entry count');
  if (safeUInt64(record, 24, 'entry count on disk') !== entryCount) {
    throw new ArchiveRejected('corrupt', 'multi-volume (spanned) archives are not supported');
  }
  directorySize = safeUInt64(record, 40, 'central directory size');
  directoryOffset = safeUInt64(record, 48, 'central directory offset');
  if (!zip64Marked) {
    // unzipper would follow the 32-bit fields and we the zip64 ones: refuse an archive
    // that can be read two ways.
    throw new ArchiveRejected('corrupt', 'zip64 end records are present but the end record does not point to them');
  }
  return { endOffset, entryCount, directorySize, directoryOffset, recordsOffset: recordOffset, zip64: true, needsZip64View: false };
}

async function notAZipOrTruncated(source: ArchiveByteSource, archiveSize: number): Promise<ArchiveRejected> {
  const head = archiveSize >= 4 ? await readExactly(source, 0, 4) : Buffer.alloc(0);
  if (head.length === 4 && head.readUInt32LE(0) === SIG_LOCAL_HEADER) {
    return new ArchiveRejected('truncated', 'the archive starts like a ZIP but its end records are missing: it was cut short');
  }
  return new ArchiveRejected('not-a-zip', 'the file is not a ZIP archive');
}

async function readExactly(source: ArchiveByteSource, offset: number, length: number): Promise<Buffer> {
  const bytes = await readRange(source, offset, length);
  if (bytes.length < length) throw new ArchiveRejected('truncated', `the archive ends before byte ${offset + length}`);
  return bytes.subarray(0, length);
}

function safeUInt64(buffer: Buffer, offset: number, what: string): number {
  const value = buffer.readBigUInt64LE(offset);
  if (value > BigInt(Number.MAX_SAFE_INTEGER)) throw new ArchiveRejected('corrupt', `the ${what} is out of range`);
  return Number(value);
}

async function parseRecords(source: ArchiveByteSource, archiveSize: number, end: EndRecord): Promise<CentralEntry[]> {
  // unzipper leaves the errors of the streams it opens unhandled; hand it streams that
  // end instead, and keep the real failure to report.
  let sourceFailure: unknown;
  const view = end.needsZip64View ? withZip64Records(source, archiveSize, end) : { source, size: archiveSize, endOffset: end.endOffset };
  const forgiving = {
    size: () => Promise.resolve(view.size),
    stream: (offset: number, length?: number): Readable => {
      const output = new PassThrough();
      const input = openRange(view.source, offset, length);
      input.on('error', (error) => {
        sourceFailure ??= error;
        output.end();
      });
      return input.pipe(output);
    },
  };
  let files: unzipper.File[];
  try {
    // tailSize puts the end record unzipper finds exactly where we found it.
    const open = unzipper.Open.custom as (source: unknown, options: { tailSize: number }) => Promise<unzipper.CentralDirectory>;
    ({ files } = await open(forgiving, { tailSize: view.size - view.endOffset }));
  } catch (error) {
    if (sourceFailure !== undefined) throw sourceFailure;
    if (isSourceFailure(error)) throw error;
    const detail = (error as Error).message === 'FILE_ENDED' ? 'ends early' : `cannot be read (${(error as Error).message})`;
    throw new ArchiveRejected('corrupt', `the central directory ${detail}`, undefined, { cause: error });
  }
  if (sourceFailure !== undefined) throw sourceFailure;

  let recordBytes = 0;
  const entries = files.map((file): CentralEntry => {
    const name = decodeEntryName(file.pathBuffer) ?? file.pathBuffer.toString('latin1');
    if (file.signature !== SIG_CENTRAL_HEADER) {
      throw new ArchiveRejected('corrupt', 'its central directory record has a bad signature', name);
    }
    if (file.diskNumber !== 0) throw new ArchiveRejected('corrupt', 'it lives on another volume of a spanned archive', name);
    for (const field of ['compressedSize', 'uncompressedSize', 'offsetToLocalFileHeader'] as const) {
      if (!Number.isSafeInteger(file[field])) throw new ArchiveRejected('corrupt', `its zip64 ${field} is missing`, name);
    }
    recordBytes += CENTRAL_HEADER_BYTES + file.fileNameLength + file.extraFieldLength + file.fileCommentLength;
    return {
      name,
      nameBytes: file.pathBuffer,
      versionMadeBy: file.versionMadeBy,
      flags: file.flags,
      method: file.compressionMethod,
      crc32: file.crc32 >>> 0,
      compressedSize: file.compressedSize,
      uncompressedSize: file.uncompressedSize,
      localHeaderOffset: file.offsetToLocalFileHeader,
      externalAttributes: file.externalFileAttributes >>> 0,
    };
  });
  if (entries.length !== end.entryCount || recordBytes !== end.directorySize) {
    throw new ArchiveRejected(
      'corrupt',
      `the central directory holds ${recordBytes} bytes of records; the end record says ${end.directorySize}`,
    );
  }
  return entries;
}

/**
 * The archive as unzipper should see it when it has exactly 65535 entries and no zip64
 * records: the same bytes with a zip64 end record and locator (pointing to the same
 * central directory) inserted before the end record. Offsets before it are unchanged.
 */
function withZip64Records(
  source: ArchiveByteSource,
  archiveSize: number,
  end: EndRecord,
): { source: ArchiveByteSource; size: number; endOffset: number } {
  const inserted = Buffer.alloc(ZIP64_END_BYTES + ZIP64_LOCATOR_BYTES);
  inserted.writeUInt32LE(SIG_ZIP64_END, 0);
  inserted.writeBigUInt64LE(BigInt(ZIP64_END_BYTES - 12), 4);
  inserted.writeUInt16LE(45, 12);
  inserted.writeUInt16LE(45, 14);
  inserted.writeBigUInt64LE(BigInt(end.entryCount), 24);
  inserted.writeBigUInt64LE(BigInt(end.entryCount), 32);
  inserted.writeBigUInt64LE(BigInt(end.directorySize), 40);
  inserted.writeBigUInt64LE(BigInt(end.directoryOffset), 48);
  inserted.writeUInt32LE(SIG_ZIP64_LOCATOR, ZIP64_END_BYTES);
  inserted.writeBigUInt64LE(BigInt(end.endOffset), ZIP64_END_BYTES + 8);
  inserted.writeUInt32LE(1, ZIP64_END_BYTES + 16);

  const insertAt = end.endOffset;
  const size = archiveSize + inserted.length;
  async function* viewBytes(offset: number, stop: number): AsyncGenerator<Buffer> {
    if (offset < insertAt) yield* openRange(source, offset, Math.min(stop, insertAt) - offset);
    const insertedFrom = Math.max(offset, insertAt) - insertAt;
    const insertedTo = Math.min(stop, insertAt + inserted.length) - insertAt;
    if (insertedTo > insertedFrom) yield inserted.subarray(insertedFrom, insertedTo);
    const realFrom = Math.max(offset, insertAt + inserted.length);
    if (stop > realFrom) yield* openRange(source, realFrom - inserted.length, stop - realFrom);
  }
  const view: ArchiveByteSource = {
    size: () => Promise.resolve(size),
    stream: (offset, length) => Readable.from(viewBytes(offset, length === undefined ? size : Math.min(size, offset + length))),
  };
  return { source: view, size, endOffset: insertAt + inserted.length };
}
