import type { Readable } from 'node:stream';
import { Transform, type TransformCallback } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { promisify } from 'node:util';
import { crc32, createDeflateRaw, deflateRaw, deflateRawSync } from 'node:zlib';

const SIG_LOCAL_HEADER = 0x04034b50;
const SIG_DATA_DESCRIPTOR = 0x08074b50;
const SIG_CENTRAL_HEADER = 0x02014b50;
const SIG_ZIP64_END = 0x06064b50;
const SIG_ZIP64_LOCATOR = 0x07064b50;
const SIG_END = 0x06054b50;
const LOCAL_HEADER_BYTES = 30;
const CENTRAL_HEADER_BYTES = 46;
const ZIP64_EXTRA_BYTES = 28;
const ZIP64_END_BYTES = 56;
const ZIP64_LOCATOR_BYTES = 20;
const END_BYTES = 22;
const UINT32_MAGIC = 0xffffffff;
const UINT16_MAGIC = 0xffff;
const METHOD_STORED = 0;
const METHOD_DEFLATED = 8;
const FLAG_DATA_DESCRIPTOR = 0x0008;
const FLAG_UTF8_NAME = 0x0800;
const VERSION_DEFAULT = 20;
const VERSION_ZIP64 = 45;
/** Unix host (3), spec version 4.5: readers then take the high 16 bits of the external attributes as st_mode. */
const VERSION_MADE_BY = (3 << 8) | VERSION_ZIP64;
/** A regular file, rw-r--r--. */
const EXTERNAL_ATTRIBUTES = (0o100644 << 16) >>> 0;
/** Buffers up to this size are deflated in one synchronous call: cheaper than a zlib stream per small entry. */
const SYNC_DEFLATE_BYTES = 256 * 1024;
/** The central directory is written in chunks of about this size. */
const DIRECTORY_CHUNK_BYTES = 64 * 1024;

const deflateRawAsync = promisify(deflateRaw);

/** Where the ZIP bytes go; resolves when the consumer can take more. */
export type ZipSink = (chunk: Buffer) => Promise<void>;

/**
 * A streaming ZIP writer that keeps, per entry, only what the central directory needs, in
 * typed arrays and one shared buffer of names (about 40 bytes an entry plus its name),
 * instead of an object graph per entry: a 100,000-entry export holds a few MB of
 * directory, out of the garbage collector's way.
 *
 * Buffers are written with their sizes and CRC-32 in the local header; streams with a
 * data descriptor (sizes after the data). ZIP64: an entry's central record gets a zip64
 * extra field when a size or its offset reaches 4 GiB, and the end records become zip64
 * ones at 65535 entries (a count readers take for a zip64 marker) or when the directory
 * reaches 4 GiB. A streamed entry past 4 GiB gets 8-byte sizes in its data descriptor
 * but no zip64 field in its local header (its size is not known when that is written),
 * which only readers that stream without the central directory mind.
 */
export class ZipStreamWriter {
  private readonly records = new CentralRecords();
  private readonly dosDateTime: number;
  private position = 0;
  private finished = false;

  constructor(
    private readonly sink: ZipSink,
    private readonly level: number,
    date: Date,
  ) {
    this.dosDateTime = toDosDateTime(date);
  }

  get entryCount(): number {
    return this.records.count;
  }

  /** Bytes written so far. */
  get offset(): number {
    return this.position;
  }

  /** Adds an entry whose bytes are all at hand. */
  async addBuffer(name: string, bytes: Buffer): Promise<void> {
    this.checkOpen();
    const nameBytes = Buffer.from(name, 'utf8');
    const method = this.level === 0 || bytes.length === 0 ? METHOD_STORED : METHOD_DEFLATED;
    let data = bytes;
    if (method === METHOD_DEFLATED) {
      // An output chunk the size of the input (deflate's worst case is a few bytes over):
      // zlib's default 16 KiB chunk per call would be 16 KiB of garbage outside the JS
      // heap for every small entry, which the GC frees late and RSS shows.
      const chunkSize = Math.max(64, Math.min(SYNC_DEFLATE_BYTES, bytes.length + 64));
      data =
        bytes.length <= SYNC_DEFLATE_BYTES
          ? deflateRawSync(bytes, { level: this.level, chunkSize })
          : await deflateRawAsync(bytes, { level: this.level });
    }
    const crc = crc32(bytes) >>> 0;
    const offset = this.position;
    const header = localHeader(nameBytes, method, 0, this.dosDateTime, { crc, compressedSize: data.length, size: bytes.length });
    this.records.add({ nameBytes, method, flags: FLAG_UTF8_NAME, crc, compressedSize: data.length, size: bytes.length, offset });
    await this.write(Buffer.concat([header, data]));
  }

  /** Adds an entry from a stream, consumed only as fast as the sink takes the bytes. */
  async addStream(name: string, source: Readable): Promise<{ size: number }> {
    this.checkOpen();
    const nameBytes = Buffer.from(name, 'utf8');
    const method = this.level === 0 ? METHOD_STORED : METHOD_DEFLATED;
    const offset = this.position;
    await this.write(localHeader(nameBytes, method, FLAG_DATA_DESCRIPTOR, this.dosDateTime));
    const counter = new CrcCounter();
    let compressedSize = 0;
    const sink = async (compressed: AsyncIterable<Buffer>): Promise<void> => {
      for await (const chunk of compressed) {
        compressedSize += chunk.length;
        await this.write(chunk);
      }
    };
    if (method === METHOD_DEFLATED) await pipeline(source, counter, createDeflateRaw({ level: this.level }), sink);
    else await pipeline(source, counter, sink);
    const { crc, size } = counter;
    const zip64 = size >= UINT32_MAGIC || compressedSize >= UINT32_MAGIC;
    const descriptor = Buffer.alloc(zip64 ? 24 : 16);
    descriptor.writeUInt32LE(SIG_DATA_DESCRIPTOR, 0);
    descriptor.writeUInt32LE(crc, 4);
    if (zip64) {
      descriptor.writeBigUInt64LE(BigInt(compressedSize), 8);
      descriptor.writeBigUInt64LE(BigInt(size), 16);
    } else {
      descriptor.writeUInt32LE(compressedSize, 8);
      descriptor.writeUInt32LE(size, 12);
    }
    this.records.add({ nameBytes, method, flags: FLAG_UTF8_NAME | FLAG_DATA_DESCRIPTOR, crc, compressedSize, size, offset });
    await this.write(descriptor);
    return { size };
  }

  /** Writes the central directory and the end records. */
  async finish(): Promise<void> {
    this.checkOpen();
    this.finished = true;
    const directoryOffset = this.position;
    let chunk: Buffer[] = [];
    let chunkBytes = 0;
    for (let index = 0; index < this.records.count; index++) {
      const record = this.records.centralRecord(index, this.dosDateTime);
      chunk.push(record);
      chunkBytes += record.length;
      if (chunkBytes >= DIRECTORY_CHUNK_BYTES) {
        await this.write(Buffer.concat(chunk, chunkBytes));
        chunk = [];
        chunkBytes = 0;
      }
    }
    if (chunkBytes > 0) await this.write(Buffer.concat(chunk, chunkBytes));
    const directorySize = this.position - directoryOffset;
    const count = this.records.count;
    const zip64 = count >= UINT16_MAGIC || directorySize >= UINT32_MAGIC || directoryOffset >= UINT32_MAGIC;
    const parts: Buffer[] = [];
    if (zip64) {
      const record = Buffer.alloc(ZIP64_END_BYTES + ZIP64_LOCATOR_BYTES);
      record.writeUInt32LE(SIG_ZIP64_END, 0);
      record.writeBigUInt64LE(BigInt(ZIP64_END_BYTES - 12), 4);
      record.writeUInt16LE(VERSION_MADE_BY, 12);
      record.writeUInt16LE(VERSION_ZIP64, 14);
      record.writeBigUInt64LE(BigInt(count), 24);
      record.writeBigUInt64LE(BigInt(count), 32);
      record.writeBigUInt64LE(BigInt(directorySize), 40);
      record.writeBigUInt64LE(BigInt(directoryOffset), 48);
      record.writeUInt32LE(SIG_ZIP64_LOCATOR, ZIP64_END_BYTES);
      record.writeBigUInt64LE(BigInt(directoryOffset + directorySize), ZIP64_END_BYTES + 8);
      record.writeUInt32LE(1, ZIP64_END_BYTES + 16);
      parts.push(record);
    }
    const end = Buffer.alloc(END_BYTES);
    end.writeUInt32LE(SIG_END, 0);
    end.writeUInt16LE(zip64 ? UINT16_MAGIC : count, 8);
    end.writeUInt16LE(zip64 ? UINT16_MAGIC : count, 10);
    end.writeUInt32LE(zip64 ? UINT32_MAGIC : directorySize, 12);
    end.writeUInt32LE(zip64 ? UINT32_MAGIC : directoryOffset, 16);
    parts.push(end);
    await this.write(Buffer.concat(parts));
  }

  private checkOpen(): void {
    if (this.finished) throw new Error('the ZIP stream is finished');
  }

  private async write(chunk: Buffer): Promise<void> {
    this.position += chunk.length;
    await this.sink(chunk);
  }
}

interface EntryRecord {
  nameBytes: Buffer;
  method: number;
  flags: number;
  crc: number;
  compressedSize: number;
  size: number;
  offset: number;
}

/** The central directory's per-entry fields, column by column in growable typed arrays. */
class CentralRecords {
  count = 0;
  private capacity = 1024;
  private offsets = new Float64Array(this.capacity);
  private sizes = new Float64Array(this.capacity);
  private compressedSizes = new Float64Array(this.capacity);
  private crcs = new Uint32Array(this.capacity);
  private flags = new Uint16Array(this.capacity);
  private methods = new Uint8Array(this.capacity);
  /** Entry i's name is names[nameStarts[i], nameStarts[i + 1]). */
  private nameStarts = new Float64Array(this.capacity + 1);
  private names = Buffer.allocUnsafeSlow(64 * 1024);

  add(entry: EntryRecord): void {
    if (this.count === this.capacity) this.grow();
    const i = this.count;
    const nameStart = this.nameStarts[i]!;
    const nameEnd = nameStart + entry.nameBytes.length;
    if (nameEnd > this.names.length) {
      const names = Buffer.allocUnsafeSlow(Math.max(nameEnd, this.names.length * 2));
      this.names.copy(names, 0, 0, nameStart);
      this.names = names;
    }
    entry.nameBytes.copy(this.names, nameStart);
    this.nameStarts[i + 1] = nameEnd;
    this.offsets[i] = entry.offset;
    this.sizes[i] = entry.size;
    this.compressedSizes[i] = entry.compressedSize;
    this.crcs[i] = entry.crc;
    this.flags[i] = entry.flags;
    this.methods[i] = entry.method;
    this.count++;
  }

  /** Entry i's central-directory record. */
  centralRecord(i: number, dosDateTime: number): Buffer {
    const name = this.names.subarray(this.nameStarts[i]!, this.nameStarts[i + 1]!);
    const offset = this.offsets[i]!;
    const size = this.sizes[i]!;
    const compressedSize = this.compressedSizes[i]!;
    const zip64 = size >= UINT32_MAGIC || compressedSize >= UINT32_MAGIC || offset >= UINT32_MAGIC;
    const record = Buffer.alloc(CENTRAL_HEADER_BYTES + name.length + (zip64 ? ZIP64_EXTRA_BYTES : 0));
    record.writeUInt32LE(SIG_CENTRAL_HEADER, 0);
    record.writeUInt16LE(VERSION_MADE_BY, 4);
    record.writeUInt16LE(zip64 ? VERSION_ZIP64 : VERSION_DEFAULT, 6);
    record.writeUInt16LE(this.flags[i]!, 8);
    record.writeUInt16LE(this.methods[i]!, 10);
    record.writeUInt32LE(dosDateTime, 12);
    record.writeUInt32LE(this.crcs[i]!, 16);
    record.writeUInt32LE(zip64 ? UINT32_MAGIC : compressedSize, 20);
    record.writeUInt32LE(zip64 ? UINT32_MAGIC : size, 24);
    record.writeUInt16LE(name.length, 28);
    record.writeUInt16LE(zip64 ? ZIP64_EXTRA_BYTES : 0, 30);
    // comment length, disk number start, internal attributes: 0
    record.writeUInt32LE(EXTERNAL_ATTRIBUTES, 38);
    record.writeUInt32LE(zip64 ? UINT32_MAGIC : offset, 42);
    name.copy(record, CENTRAL_HEADER_BYTES);
    if (zip64) {
      // All three fields, as their 32-bit slots all say 0xFFFFFFFF.
      const at = CENTRAL_HEADER_BYTES + name.length;
      record.writeUInt16LE(0x0001, at);
      record.writeUInt16LE(24, at + 2);
      record.writeBigUInt64LE(BigInt(size), at + 4);
      record.writeBigUInt64LE(BigInt(compressedSize), at + 12);
      record.writeBigUInt64LE(BigInt(offset), at + 20);
    }
    return record;
  }

  private grow(): void {
    const capacity = this.capacity * 2;
    const grown = <T extends Float64Array | Uint32Array | Uint16Array | Uint8Array>(from: T, make: (n: number) => T, length = capacity): T => {
      const to = make(length);
      to.set(from);
      return to;
    };
    this.offsets = grown(this.offsets, (n) => new Float64Array(n));
    this.sizes = grown(this.sizes, (n) => new Float64Array(n));
    this.compressedSizes = grown(this.compressedSizes, (n) => new Float64Array(n));
    this.crcs = grown(this.crcs, (n) => new Uint32Array(n));
    this.flags = grown(this.flags, (n) => new Uint16Array(n));
    this.methods = grown(this.methods, (n) => new Uint8Array(n));
    this.nameStarts = grown(this.nameStarts, (n) => new Float64Array(n), capacity + 1);
    this.capacity = capacity;
  }
}

function localHeader(
  nameBytes: Buffer,
  method: number,
  flags: number,
  dosDateTime: number,
  known?: { crc: number; compressedSize: number; size: number },
): Buffer {
  const header = Buffer.alloc(LOCAL_HEADER_BYTES + nameBytes.length);
  header.writeUInt32LE(SIG_LOCAL_HEADER, 0);
  header.writeUInt16LE(VERSION_DEFAULT, 4);
  header.writeUInt16LE(FLAG_UTF8_NAME | flags, 6);
  header.writeUInt16LE(method, 8);
  header.writeUInt32LE(dosDateTime, 10);
  if (known) {
    header.writeUInt32LE(known.crc, 14);
    header.writeUInt32LE(known.compressedSize, 18);
    header.writeUInt32LE(known.size, 22);
  }
  header.writeUInt16LE(nameBytes.length, 26);
  // extra field length: 0
  nameBytes.copy(header, LOCAL_HEADER_BYTES);
  return header;
}

/** MS-DOS date (high 16 bits) and time (low 16 bits) of `date` in UTC, clamped to 1980–2107. */
function toDosDateTime(date: Date): number {
  const year = date.getUTCFullYear();
  if (year < 1980) return (1 << 21) | (1 << 16);
  if (year > 2107) return ((127 << 25) | (12 << 21) | (31 << 16) | (23 << 11) | (59 << 5) | 29) >>> 0;
  return (
    (((year - 1980) << 25) |
      ((date.getUTCMonth() + 1) << 21) |
      (date.getUTCDate() << 16) |
      (date.getUTCHours() << 11) |
      (date.getUTCMinutes() << 5) |
      (date.getUTCSeconds() >> 1)) >>>
    0
  );
}

/** CRC-32 and size of the uncompressed bytes on their way to the compressor. */
class CrcCounter extends Transform {
  crc = 0;
  size = 0;

  override _transform(chunk: Buffer, _encoding: BufferEncoding, callback: TransformCallback): void {
    this.crc = crc32(chunk, this.crc) >>> 0;
    this.size += chunk.length;
    callback(null, chunk);
  }
}
