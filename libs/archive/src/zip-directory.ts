import { ByteCursor, UnexpectedEndOfData } from './byte-cursor.js';
import { decodeEntryName } from './entry-path.js';
import { ArchiveRejected } from './errors.js';
import { grownBytes } from '#core';
import { openRange, readRange, type ArchiveByteSource } from './zip-source.js';

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

const UINT32_MAGIC = 0xffffffff;
/** The most the name buffer is sized from the end record's word before any record is read (it grows past that). */
const NAME_BUFFER_HINT_MAX = 64 * 1024 * 1024;
const ZIP64_EXTRA_ID = 0x0001;

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
  /** The records, kept compact: materialise one with entry(i). */
  records: CentralRecords;
}

interface EndRecord {
  endOffset: number;
  entryCount: number;
  directorySize: number;
  directoryOffset: number;
  /** Where the end records start (the zip64 record when there is one). */
  recordsOffset: number;
  zip64: boolean;
}

/**
 * Reads and checks the central directory: the end records (to tell not-a-zip, truncated
 * and corrupt apart, and to refuse an entry count over the limit before a single record
 * is parsed), then the records, in one ranged read, into typed arrays (CentralRecords).
 *
 * Why our own parser rather than unzipper's Open: unzipper builds an object per record
 * (with a Buffer for its name and a parsed extra-field object), which for a 100,000-entry
 * archive is tens of MB of small objects held for the whole import; it also needs help
 * with a 65535-entry archive without zip64 records and leaves source errors unhandled.
 * The records are simple fixed-layout structures; sizes, CRC-32 and SHA-256 are verified
 * by our own code as entries inflate (entry-stream.ts), as before.
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
  const records = await parseRecords(source, end);
  return { archiveSize, offset: end.directoryOffset, size: end.directorySize, zip64: end.zip64, records };
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
    // Readers that follow the 32-bit fields and readers that follow the zip64 ones would
    // see two different archives: refuse one that can be read two ways.
    throw new ArchiveRejected('corrupt', 'zip64 end records are present but the end record does not point to them');
  }
  return { endOffset, entryCount, directorySize, directoryOffset, recordsOffset: recordOffset, zip64: true };
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

async function parseRecords(source: ArchiveByteSource, end: EndRecord): Promise<CentralRecords> {
  // The names fit in what the directory holds beyond its fixed-size headers (extra fields
  // and comments take the rest): one buffer of that size instead of one grown by doubling.
  const records = new CentralRecords(end.entryCount, Math.min(end.directorySize - end.entryCount * CENTRAL_HEADER_BYTES, NAME_BUFFER_HINT_MAX));
  const cursor = new ByteCursor(openRange(source, end.directoryOffset, end.directorySize), end.directoryOffset);
  let name = '';
  try {
    for (let index = 0; index < end.entryCount; index++) {
      name = '';
      const header = await cursor.read(CENTRAL_HEADER_BYTES);
      const nameLength = header.readUInt16LE(28);
      const extraLength = header.readUInt16LE(30);
      const commentLength = header.readUInt16LE(32);
      const nameBytes = await cursor.read(nameLength);
      name = decodeEntryName(nameBytes) ?? nameBytes.toString('latin1');
      if (header.readUInt32LE(0) !== SIG_CENTRAL_HEADER) {
        throw new ArchiveRejected('corrupt', 'its central directory record has a bad signature', name);
      }
      if (header.readUInt16LE(34) !== 0) throw new ArchiveRejected('corrupt', 'it lives on another volume of a spanned archive', name);
      const extra = await cursor.read(extraLength);
      await cursor.skip(commentLength);
      const sizes = zip64Sizes(header, extra, name);
      records.add(header, nameBytes, sizes);
    }
  } catch (error) {
    if (error instanceof UnexpectedEndOfData) {
      throw new ArchiveRejected('corrupt', 'the central directory ends early', name || undefined, { cause: error });
    }
    throw error;
  } finally {
    await cursor.close();
  }
  const recordBytes = cursor.position - end.directoryOffset;
  if (recordBytes !== end.directorySize) {
    throw new ArchiveRejected(
      'corrupt',
      `the central directory holds ${recordBytes} bytes of records; the end record says ${end.directorySize}`,
    );
  }
  return records;
}

/** Sizes and offset from a central record, taking each from the zip64 extra field when its 32-bit slot says so. */
function zip64Sizes(header: Buffer, extra: Buffer, name: string): { compressedSize: number; uncompressedSize: number; localHeaderOffset: number } {
  let compressedSize = header.readUInt32LE(20);
  let uncompressedSize = header.readUInt32LE(24);
  let localHeaderOffset = header.readUInt32LE(42);
  if (compressedSize !== UINT32_MAGIC && uncompressedSize !== UINT32_MAGIC && localHeaderOffset !== UINT32_MAGIC) {
    return { compressedSize, uncompressedSize, localHeaderOffset };
  }
  let field: Buffer | undefined;
  for (let at = 0; at + 4 <= extra.length; ) {
    const id = extra.readUInt16LE(at);
    const length = extra.readUInt16LE(at + 2);
    if (id === ZIP64_EXTRA_ID) {
      field = extra.subarray(at + 4, Math.min(extra.length, at + 4 + length));
      break;
    }
    at += 4 + length;
  }
  // The zip64 field holds, in this order, only the values whose 32-bit slots are 0xFFFFFFFF.
  let at = 0;
  const next = (what: string): number => {
    if (!field || at + 8 > field.length) throw new ArchiveRejected('corrupt', `its zip64 ${what} is missing`, name);
    const value = field.readBigUInt64LE(at);
    at += 8;
    if (value > BigInt(Number.MAX_SAFE_INTEGER)) throw new ArchiveRejected('corrupt', `its zip64 ${what} is out of range`, name);
    return Number(value);
  };
  if (uncompressedSize === UINT32_MAGIC) uncompressedSize = next('uncompressedSize');
  if (compressedSize === UINT32_MAGIC) compressedSize = next('compressedSize');
  if (localHeaderOffset === UINT32_MAGIC) localHeaderOffset = next('offsetToLocalFileHeader');
  return { compressedSize, uncompressedSize, localHeaderOffset };
}

/**
 * The central directory's records, column by column: a few typed arrays and one buffer
 * holding every name, about 50 bytes an entry plus its name and outside the JS heap.
 */
export class CentralRecords {
  count = 0;
  private readonly versionMadeBy: Uint16Array;
  private readonly flags: Uint16Array;
  private readonly methods: Uint16Array;
  private readonly crcs: Uint32Array;
  private readonly externalAttributes: Uint32Array;
  private readonly compressedSizes: Float64Array;
  private readonly uncompressedSizes: Float64Array;
  private readonly offsets: Float64Array;
  /** Record i's name is names[nameStarts[i], nameStarts[i + 1]). */
  private readonly nameStarts: Float64Array;
  private names: Buffer;

  constructor(capacity: number, nameBytesHint = 16 * 1024) {
    this.names = Buffer.allocUnsafeSlow(Math.max(1024, nameBytesHint));
    this.versionMadeBy = new Uint16Array(capacity);
    this.flags = new Uint16Array(capacity);
    this.methods = new Uint16Array(capacity);
    this.crcs = new Uint32Array(capacity);
    this.externalAttributes = new Uint32Array(capacity);
    this.compressedSizes = new Float64Array(capacity);
    this.uncompressedSizes = new Float64Array(capacity);
    this.offsets = new Float64Array(capacity);
    this.nameStarts = new Float64Array(capacity + 1);
  }

  add(header: Buffer, nameBytes: Buffer, sizes: { compressedSize: number; uncompressedSize: number; localHeaderOffset: number }): void {
    const i = this.count;
    this.versionMadeBy[i] = header.readUInt16LE(4);
    this.flags[i] = header.readUInt16LE(8);
    this.methods[i] = header.readUInt16LE(10);
    this.crcs[i] = header.readUInt32LE(16);
    this.externalAttributes[i] = header.readUInt32LE(38);
    this.compressedSizes[i] = sizes.compressedSize;
    this.uncompressedSizes[i] = sizes.uncompressedSize;
    this.offsets[i] = sizes.localHeaderOffset;
    const start = this.nameStarts[i]!;
    const end = start + nameBytes.length;
    this.names = grownBytes(this.names, start, end);
    nameBytes.copy(this.names, start);
    this.nameStarts[i + 1] = end;
    this.count++;
  }

  localHeaderOffset(i: number): number {
    return this.offsets[i]!;
  }

  /** Record i's name as stored (a view into the shared name buffer, no copy). */
  nameBytes(i: number): Buffer {
    return this.names.subarray(this.nameStarts[i]!, this.nameStarts[i + 1]!);
  }

  /** Record i as an object (made on each call: hold it only while working on the entry). */
  entry(i: number): CentralEntry {
    if (i < 0 || i >= this.count) throw new RangeError(`no central record ${i}`);
    return new CentralRecord(
      this.nameBytes(i),
      this.versionMadeBy[i]!,
      this.flags[i]!,
      this.methods[i]!,
      this.crcs[i]!,
      this.compressedSizes[i]!,
      this.uncompressedSizes[i]!,
      this.offsets[i]!,
      this.externalAttributes[i]!,
    );
  }
}

/**
 * One central record. Its name is decoded on first use: a verifying pass compares name
 * bytes and needs the text only to explain a refusal (decoding every name took ~5 % of a
 * pass over 20,000 small entries).
 */
class CentralRecord implements CentralEntry {
  private decodedName?: string;

  constructor(
    readonly nameBytes: Buffer,
    readonly versionMadeBy: number,
    readonly flags: number,
    readonly method: number,
    readonly crc32: number,
    readonly compressedSize: number,
    readonly uncompressedSize: number,
    readonly localHeaderOffset: number,
    readonly externalAttributes: number,
  ) {}

  get name(): string {
    this.decodedName ??= decodeEntryName(this.nameBytes) ?? this.nameBytes.toString('latin1');
    return this.decodedName;
  }
}
