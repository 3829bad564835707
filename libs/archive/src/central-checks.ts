import { ByteKeyIndex } from '#core';
import { decodeEntryName, entryPathKey, entryPathProblem } from './entry-path.js';
import { ArchiveRejected } from './errors.js';
import type { ArchiveLimits } from './limits.js';
import { MANIFEST_PATH } from './manifest.js';
import type { CentralDirectory, CentralEntry } from './zip-directory.js';

export const METHOD_STORED = 0;
export const METHOD_DEFLATED = 8;
const LOCAL_HEADER_BYTES = 30;
const FLAG_ENCRYPTED = 0x0001;
const FLAG_STRONG_ENCRYPTION = 0x0040;
const FLAG_MASKED_HEADERS = 0x2000;
const METHOD_AES = 99;
// Hosts whose external attributes carry a unix st_mode in the high 16 bits.
const UNIX_HOSTS = new Set([3 /* unix */, 19 /* OS X */]);
const S_IFMT = 0o170000;
const S_IFREG = 0o100000;
const S_IFDIR = 0o040000;
const S_IFLNK = 0o120000;

export function isDirectoryEntry(entry: CentralEntry): boolean {
  return entry.name.endsWith('/');
}

/** Where each entry may extend to, and the entries in the order their bytes lie. */
export interface CentralExtents {
  /** Per record index: the offset its local header and data must end before. */
  ends: Float64Array;
  /** Record indexes by local header offset. */
  byOffset: Uint32Array;
}

/**
 * Checks every central-directory record before any entry is read: names (path safety,
 * duplicates), symlinks and special files, encryption, compression method, the declared
 * sizes against the limits (declared sizes can only get an archive refused early; the
 * bytes actually inflated are counted later), and that no two entries' data overlap.
 */
export function checkCentralEntries(directory: CentralDirectory, limits: ArchiveLimits): CentralExtents {
  let declaredTotal = 0;
  const { records } = directory;
  // Names compared once case and Unicode form are folded; the folded key of an earlier
  // record is made again only when two hashes are equal.
  const foldedNames = new ByteKeyIndex((index) => Buffer.from(foldedKey(records.entry(index).name), 'utf8'), records.count);
  for (let index = 0; index < records.count; index++) {
    const entry = records.entry(index);
    const { name } = entry;
    if (decodeEntryName(entry.nameBytes) === undefined) throw new ArchiveRejected('path-unsafe', 'the name is not UTF-8', name);
    const directoryEntry = isDirectoryEntry(entry);
    const problem = entryPathProblem(name, { directory: directoryEntry });
    if (problem) throw new ArchiveRejected('path-unsafe', problem, name);

    const earlierIndex = foldedNames.add(index);
    if (earlierIndex >= 0) {
      const earlier = records.entry(earlierIndex).name;
      throw new ArchiveRejected(
        'duplicate-entry',
        earlier === name ? 'the name appears twice' : `the name clashes with "${earlier}" once case and Unicode form are folded`,
        name,
      );
    }

    checkFileType(entry, directoryEntry);
    if (entry.flags & (FLAG_ENCRYPTED | FLAG_STRONG_ENCRYPTION | FLAG_MASKED_HEADERS) || entry.method === METHOD_AES) {
      throw new ArchiveRejected('encrypted-entry', 'the entry is encrypted', name);
    }
    if (entry.method !== METHOD_STORED && entry.method !== METHOD_DEFLATED) {
      throw new ArchiveRejected('corrupt', `compression method ${entry.method} is not supported (only stored and deflate)`, name);
    }
    if (entry.method === METHOD_STORED && entry.compressedSize !== entry.uncompressedSize) {
      throw new ArchiveRejected('corrupt', 'a stored entry has different compressed and uncompressed sizes', name);
    }
    if (directoryEntry && entry.uncompressedSize !== 0) throw new ArchiveRejected('corrupt', 'a directory entry holds data', name);

    // Before the manifest says which entries are resources, the larger limit applies.
    const maxBytes = name === MANIFEST_PATH ? limits.maxManifestBytes : Math.max(limits.maxJsonEntryBytes, limits.maxResourceEntryBytes);
    checkDeclaredSize(entry, maxBytes, limits);
    declaredTotal += entry.uncompressedSize;
    if (declaredTotal > limits.maxTotalBytes) {
      throw new ArchiveRejected('total-too-large', `the entries declare more than ${limits.maxTotalBytes} bytes in all`, name);
    }
  }
  return checkExtents(directory);
}

/** A name as the duplicate check compares it: a directory without its slash, case and Unicode form folded. */
function foldedKey(name: string): string {
  return entryPathKey(name.endsWith('/') ? name.slice(0, -1) : name);
}

/** Refuses an entry whose declared size is over `maxBytes` or over the compression ratio. */
export function checkDeclaredSize(entry: CentralEntry, maxBytes: number, limits: ArchiveLimits): void {
  if (entry.uncompressedSize > maxBytes) {
    throw new ArchiveRejected('entry-too-large', `it declares ${entry.uncompressedSize} bytes; the limit is ${maxBytes}`, entry.name);
  }
  if (
    entry.uncompressedSize > limits.ratioCheckMinBytes &&
    entry.uncompressedSize > entry.compressedSize * limits.maxCompressionRatio
  ) {
    throw new ArchiveRejected(
      'compression-ratio',
      `it declares ${entry.uncompressedSize} bytes from ${entry.compressedSize} compressed (over ${limits.maxCompressionRatio}:1)`,
      entry.name,
    );
  }
}

function checkFileType(entry: CentralEntry, directoryEntry: boolean): void {
  if (!UNIX_HOSTS.has(entry.versionMadeBy >> 8)) return;
  const type = (entry.externalAttributes >>> 16) & S_IFMT;
  if (type === S_IFLNK) throw new ArchiveRejected('symlink', 'the entry is a symbolic link', entry.name);
  // 0 means "no unix mode recorded"; anything else must be a plain file or a directory.
  if (type !== 0 && type !== S_IFREG && !(directoryEntry && type === S_IFDIR)) {
    throw new ArchiveRejected('path-unsafe', `the entry is a special file (mode ${type.toString(8)})`, entry.name);
  }
}

/**
 * Entries' local headers and data must lie one after another, before the central
 * directory: overlapping entries are how some bombs make a few bytes inflate many times.
 */
function checkExtents(directory: CentralDirectory): CentralExtents {
  const { records } = directory;
  const byOffset = new Uint32Array(records.count);
  for (let index = 0; index < records.count; index++) byOffset[index] = index;
  // Stable for equal offsets (TypedArray sort is), so the earlier record is named first.
  byOffset.sort((a, b) => records.localHeaderOffset(a) - records.localHeaderOffset(b));
  const ends = new Float64Array(records.count);
  for (let at = 0; at < byOffset.length; at++) {
    const entry = records.entry(byOffset[at]!);
    const last = at + 1 === byOffset.length;
    const end = last ? directory.offset : records.localHeaderOffset(byOffset[at + 1]!);
    const minimumExtent = LOCAL_HEADER_BYTES + entry.nameBytes.length + entry.compressedSize;
    if (entry.localHeaderOffset + minimumExtent > end) {
      throw new ArchiveRejected(
        'corrupt',
        last ? 'its data runs into the central directory' : `its data overlaps entry "${records.entry(byOffset[at + 1]!).name}"`,
        entry.name,
      );
    }
    ends[byOffset[at]!] = end;
  }
  return { ends, byOffset };
}
