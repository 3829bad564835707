/**
 * Hostile archives for tests: each one is refused by ArchiveReader with a known reason.
 * They are built byte by byte by a minimal ZIP writer (not archiver, which would refuse
 * or fix most of them), in memory: they are tiny, except the bomb, whose inflated bytes
 * are only ever streamed.
 */
import { createHash } from 'node:crypto';
import { once } from 'node:events';
import { crc32, createDeflateRaw, deflateRawSync } from 'node:zlib';
import type { ArchiveRejectedReason } from './errors.js';
import type { ArchiveLimits } from './limits.js';
import { ARCHIVE_FORMAT, CURRENT_FORMAT_VERSION, MANIFEST_PATH, type EntryType, type Manifest } from './manifest.js';

// ---------------------------------------------------------------------------------------
// A minimal raw ZIP builder: local headers, data, central directory, end record.

export interface RawZipEntry {
  name: string | Buffer;
  /** The entry's inflated bytes (used for the CRC and sizes unless those are given). */
  data: Buffer;
  /** 0 stored, 8 deflate (default), anything else to test refusal. */
  method?: number;
  /** Compressed bytes as written; computed from data when omitted. */
  compressed?: Buffer;
  /** General-purpose flags in both headers; UTF-8 names (bit 11) by default. */
  flags?: number;
  /** Host in the high byte, spec version in the low; default unix (3), 2.0. */
  versionMadeBy?: number;
  /** Default: a regular unix file, mode 0644. */
  externalAttributes?: number;
  /** Declared values, to make the headers lie. */
  crc32?: number;
  uncompressedSize?: number;
  compressedSize?: number;
  /** Write the central record pointing at another entry's local header (by index). */
  localHeaderOf?: number;
}

const FLAG_UTF8 = 0x0800;
const UNIX_REGULAR_0644 = (0o100644 << 16) >>> 0;

/** Builds a ZIP archive from raw entries, exactly as described (no sanitising). */
export function buildRawZip(entries: RawZipEntry[], { comment = '' }: { comment?: string } = {}): Buffer {
  const parts: Buffer[] = [];
  const central: Buffer[] = [];
  const offsets: number[] = [];
  let offset = 0;
  for (const entry of entries) {
    const name = typeof entry.name === 'string' ? Buffer.from(entry.name, 'utf8') : entry.name;
    const method = entry.method ?? 8;
    const compressed = entry.compressed ?? (method === 8 ? deflateRawSync(entry.data) : entry.data);
    const flags = entry.flags ?? FLAG_UTF8;
    const crc = entry.crc32 ?? crc32(entry.data);
    const size = entry.uncompressedSize ?? entry.data.length;
    const compressedSize = entry.compressedSize ?? compressed.length;

    const local = Buffer.alloc(30);
    local.writeUInt32LE(0x04034b50, 0);
    local.writeUInt16LE(20, 4);
    local.writeUInt16LE(flags, 6);
    local.writeUInt16LE(method, 8);
    local.writeUInt32LE(0x5a210000, 10); // 2025-01-01 00:00
    local.writeUInt32LE(crc >>> 0, 14);
    local.writeUInt32LE(compressedSize, 18);
    local.writeUInt32LE(size, 22);
    local.writeUInt16LE(name.length, 26);
    local.writeUInt16LE(0, 28);
    offsets.push(offset);
    parts.push(local, name, compressed);
    offset += local.length + name.length + compressed.length;

    const record = Buffer.alloc(46);
    record.writeUInt32LE(0x02014b50, 0);
    record.writeUInt16LE(entry.versionMadeBy ?? (3 << 8) | 20, 4);
    record.writeUInt16LE(20, 6);
    record.writeUInt16LE(flags, 8);
    record.writeUInt16LE(method, 10);
    record.writeUInt32LE(0x5a210000, 12);
    record.writeUInt32LE(crc >>> 0, 16);
    record.writeUInt32LE(compressedSize, 20);
    record.writeUInt32LE(size, 24);
    record.writeUInt16LE(name.length, 28);
    record.writeUInt16LE(0, 30); // extra
    record.writeUInt16LE(0, 32); // comment
    record.writeUInt16LE(0, 34); // disk
    record.writeUInt16LE(0, 36); // internal attributes
    record.writeUInt32LE((entry.externalAttributes ?? UNIX_REGULAR_0644) >>> 0, 38);
    central.push(record, name);
  }
  // Offsets are known only now, for entries that borrow another's local header.
  central.forEach((part, index) => {
    if (index % 2 === 0) {
      const entryIndex = index / 2;
      const target = entries[entryIndex]!.localHeaderOf ?? entryIndex;
      part.writeUInt32LE(offsets[target]!, 42);
    }
  });
  const directory = Buffer.concat(central);
  const commentBytes = Buffer.from(comment, 'utf8');
  const end = Buffer.alloc(22);
  end.writeUInt32LE(0x06054b50, 0);
  end.writeUInt16LE(entries.length, 8);
  end.writeUInt16LE(entries.length, 10);
  end.writeUInt32LE(directory.length, 12);
  end.writeUInt32LE(offset, 16);
  end.writeUInt16LE(commentBytes.length, 20);
  return Buffer.concat([...parts, directory, end, commentBytes]);
}

// ---------------------------------------------------------------------------------------
// Well-formed apiferry content to start from.

export interface ContentEntry {
  path: string;
  type: EntryType;
  data: Buffer;
}

export function json(value: unknown): Buffer {
  return Buffer.from(`${JSON.stringify(value, null, 2)}\n`, 'utf8');
}

export function sha256Hex(data: Buffer): string {
  return createHash('sha256').update(data).digest('hex');
}

/** A manifest listing `entries` with their true hashes and sizes. */
export function manifestFor(entries: ContentEntry[], overrides: Partial<Manifest> = {}): Manifest {
  return {
    format: ARCHIVE_FORMAT,
    formatVersion: CURRENT_FORMAT_VERSION,
    createdAt: '2025-01-01T00:00:00.000Z',
    source: { instance: 'hostile.example', project: 'fixtures' },
    options: {},
    entries: entries.map(({ path, type, data }, index) => ({
      path,
      type,
      uuid: `00000000-0000-4000-8000-${String(index).padStart(12, '0')}`,
      name: path.split('/').pop()!,
      sha256: sha256Hex(data),
      size: data.length,
    })),
    dependencies: [],
    secrets: { mode: 'none' },
    ...overrides,
  };
}

export function baseContent(): ContentEntry[] {
  return [
    { path: 'apiProxies/pets.json', type: 'apiProxy', data: json({ name: 'pets', basePath: '/pets', endpoints: [] }) },
    { path: 'policies/auth.json', type: 'policy', data: json({ name: 'auth', type: 'basic-auth' }) },
  ];
}

/** A valid archive of `content` plus its manifest (manifest last, as the writer puts it). */
export function validArchive(content: ContentEntry[] = baseContent(), manifest: Manifest = manifestFor(content)): Buffer {
  return buildRawZip([...content.map(({ path, data }) => ({ name: path, data })), { name: MANIFEST_PATH, data: json(manifest) }]);
}

/** Zeros deflated by streaming zlib: `size` inflated bytes are never held at once. */
export async function deflatedZeros(size: number): Promise<{ compressed: Buffer; crc32: number; sha256: string }> {
  const deflate = createDeflateRaw({ level: 9 });
  const chunks: Buffer[] = [];
  deflate.on('data', (chunk: Buffer) => chunks.push(chunk));
  const ended = once(deflate, 'end');
  const zeros = Buffer.alloc(1024 * 1024);
  const hash = createHash('sha256');
  let crc = 0;
  for (let written = 0; written < size; ) {
    const piece = zeros.subarray(0, Math.min(zeros.length, size - written));
    crc = crc32(piece, crc);
    hash.update(piece);
    written += piece.length;
    if (!deflate.write(piece)) await once(deflate, 'drain');
  }
  deflate.end();
  await ended;
  return { compressed: Buffer.concat(chunks), crc32: crc, sha256: hash.digest('hex') };
}

// ---------------------------------------------------------------------------------------
// The hostile archives.

export interface HostileArchive {
  /** Short id, usable as a file name. */
  id: string;
  description: string;
  bytes: Buffer;
  /** Limits to open it with (most use the defaults). */
  limits?: Partial<ArchiveLimits>;
  /** Whether ArchiveReader.open refuses it, or only verifyAll (reading the entries) does. */
  refusedBy: 'open' | 'verify';
  expected: { reason: ArchiveRejectedReason; entry?: string };
}

/** An archive whose extra entry has a hostile name (listed in the manifest too, as an attacker would). */
function withNamedEntry(id: string, description: string, name: string | Buffer, reason: ArchiveRejectedReason): HostileArchive {
  const content = baseContent();
  const data = json({ evil: true });
  const label = typeof name === 'string' ? name : name.toString('utf8');
  const manifest = manifestFor([...content, { path: label, type: 'apiProxy', data }]);
  const bytes = buildRawZip([
    ...content.map(({ path, data: bytes }) => ({ name: path, data: bytes })),
    { name, data },
    { name: MANIFEST_PATH, data: json(manifest) },
  ]);
  return { id, description, bytes, refusedBy: 'open', expected: { reason, entry: label } };
}

export function zipSlip(): HostileArchive {
  return withNamedEntry('zip-slip', 'an entry named ../evil.json', '../evil.json', 'path-unsafe');
}

export function nestedZipSlip(): HostileArchive {
  return withNamedEntry('nested-zip-slip', 'an entry climbing out from a subdirectory', 'apiProxies/../../evil.json', 'path-unsafe');
}

export function absolutePath(): HostileArchive {
  return withNamedEntry('absolute-path', 'an entry named /etc/x', '/etc/x', 'path-unsafe');
}

export function driveLetter(): HostileArchive {
  return withNamedEntry('drive-letter', 'an entry named C:\\x', 'C:\\x', 'path-unsafe');
}

export function backslashPath(): HostileArchive {
  return withNamedEntry('backslash-path', 'an entry whose name uses backslashes', 'apiProxies\\..\\evil.json', 'path-unsafe');
}

export function controlCharacterName(): HostileArchive {
  return withNamedEntry('control-character', 'an entry whose name holds a NUL', 'apiProxies/evil\u0000.json', 'path-unsafe');
}

export function symlinkEntry(): HostileArchive {
  const content = baseContent();
  const target = Buffer.from('/etc/passwd');
  const manifest = manifestFor([...content, { path: 'apiProxies/link.json', type: 'apiProxy', data: target }]);
  const bytes = buildRawZip([
    ...content.map(({ path, data }) => ({ name: path, data })),
    { name: 'apiProxies/link.json', data: target, method: 0, externalAttributes: (0o120777 << 16) >>> 0 },
    { name: MANIFEST_PATH, data: json(manifest) },
  ]);
  return { id: 'symlink', description: 'a unix symlink entry', bytes, refusedBy: 'open', expected: { reason: 'symlink', entry: 'apiProxies/link.json' } };
}

export function duplicateNames(): HostileArchive {
  const content = baseContent();
  const bytes = buildRawZip([
    ...content.map(({ path, data }) => ({ name: path, data })),
    { name: 'apiProxies/pets.json', data: json({ name: 'pets', basePath: '/evil' }) },
    { name: MANIFEST_PATH, data: json(manifestFor(content)) },
  ]);
  return {
    id: 'duplicate-names',
    description: 'two entries with the same name',
    bytes,
    refusedBy: 'open',
    expected: { reason: 'duplicate-entry', entry: 'apiProxies/pets.json' },
  };
}

export function duplicateNamesFolded(): HostileArchive {
  const content = baseContent();
  const bytes = buildRawZip([
    ...content.map(({ path, data }) => ({ name: path, data })),
    { name: 'apiProxies/PETS.json', data: json({ name: 'pets', basePath: '/evil' }) },
    { name: MANIFEST_PATH, data: json(manifestFor(content)) },
  ]);
  return {
    id: 'duplicate-names-folded',
    description: 'two entries whose names differ only by case',
    bytes,
    refusedBy: 'open',
    expected: { reason: 'duplicate-entry', entry: 'apiProxies/PETS.json' },
  };
}

export function duplicateNamesUnicode(): HostileArchive {
  const composed = 'apiProxies/caf\u00e9.json';
  const decomposed = 'apiProxies/cafe\u0301.json';
  const content: ContentEntry[] = [{ path: composed, type: 'apiProxy', data: json({ name: 'café' }) }];
  const bytes = buildRawZip([
    { name: composed, data: content[0]!.data },
    { name: decomposed, data: json({ name: 'evil café' }) },
    { name: MANIFEST_PATH, data: json(manifestFor(content)) },
  ]);
  return {
    id: 'duplicate-names-unicode',
    description: 'two entries whose names differ only by Unicode normalisation form',
    bytes,
    refusedBy: 'open',
    expected: { reason: 'duplicate-entry', entry: decomposed },
  };
}

const BOMB_PATH = 'resources/pets/bomb.bin';

/** 16 MiB of zeros in about 16 KiB: over 200:1 and past 1 MiB. */
export async function deflateBomb(inflatedBytes = 16 * 1024 * 1024): Promise<HostileArchive> {
  const bomb = await deflatedZeros(inflatedBytes);
  const content = baseContent();
  const manifest = manifestFor(content);
  manifest.entries.push({ path: BOMB_PATH, type: 'resource', name: 'bomb.bin', sha256: bomb.sha256, size: inflatedBytes });
  const bytes = buildRawZip([
    ...content.map(({ path, data }) => ({ name: path, data })),
    { name: BOMB_PATH, data: Buffer.alloc(0), compressed: bomb.compressed, crc32: bomb.crc32, uncompressedSize: inflatedBytes },
    { name: MANIFEST_PATH, data: json(manifest) },
  ]);
  return {
    id: 'deflate-bomb',
    description: `${inflatedBytes} zero bytes deflated to ${bomb.compressed.length}`,
    bytes,
    refusedBy: 'open',
    expected: { reason: 'compression-ratio', entry: BOMB_PATH },
  };
}

/** The same bomb with headers (and manifest) that understate its size: caught while inflating. */
export async function understatedDeflateBomb(inflatedBytes = 16 * 1024 * 1024): Promise<HostileArchive> {
  const bomb = await deflatedZeros(inflatedBytes);
  const declared = bomb.compressed.length * 2;
  const content = baseContent();
  const manifest = manifestFor(content);
  manifest.entries.push({ path: BOMB_PATH, type: 'resource', name: 'bomb.bin', sha256: bomb.sha256, size: declared });
  const bytes = buildRawZip([
    ...content.map(({ path, data }) => ({ name: path, data })),
    { name: BOMB_PATH, data: Buffer.alloc(0), compressed: bomb.compressed, crc32: bomb.crc32, uncompressedSize: declared },
    { name: MANIFEST_PATH, data: json(manifest) },
  ]);
  return {
    id: 'deflate-bomb-understated',
    description: `a bomb whose headers claim ${declared} bytes`,
    bytes,
    refusedBy: 'verify',
    expected: { reason: 'corrupt', entry: BOMB_PATH },
  };
}

export function tooManyEntries(): HostileArchive {
  const content = Array.from({ length: 5 }, (_, index): ContentEntry => ({
    path: `policies/p${index}.json`,
    type: 'policy',
    data: json({ index }),
  }));
  return {
    id: 'too-many-entries',
    description: '6 entries against a limit of 3',
    bytes: validArchive(content),
    limits: { maxEntries: 3 },
    refusedBy: 'open',
    expected: { reason: 'too-many-entries' },
  };
}

export function entryTooLarge(): HostileArchive {
  const content = [...baseContent(), { path: 'apiProxies/big.json', type: 'apiProxy' as const, data: json({ padding: 'x'.repeat(2048) }) }];
  return {
    id: 'entry-too-large',
    description: 'a 2 KiB JSON entry against a 1 KiB limit',
    bytes: validArchive(content),
    limits: { maxJsonEntryBytes: 1024 },
    refusedBy: 'open',
    expected: { reason: 'entry-too-large', entry: 'apiProxies/big.json' },
  };
}

export function totalTooLarge(): HostileArchive {
  const content = Array.from({ length: 4 }, (_, index): ContentEntry => ({
    path: `policies/p${index}.json`,
    type: 'policy',
    data: json({ padding: 'x'.repeat(1000), index }),
  }));
  return {
    id: 'total-too-large',
    description: 'four 1 KiB entries against a 3 KiB total',
    bytes: validArchive(content),
    limits: { maxTotalBytes: 3 * 1024 },
    refusedBy: 'open',
    expected: { reason: 'total-too-large', entry: 'policies/p2.json' },
  };
}

export function truncatedArchive(): HostileArchive {
  const whole = validArchive();
  return {
    id: 'truncated',
    description: 'a valid archive cut at 60%',
    bytes: whole.subarray(0, Math.floor(whole.length * 0.6)),
    refusedBy: 'open',
    expected: { reason: 'truncated' },
  };
}

export function corruptCentralDirectory(): HostileArchive {
  const bytes = Buffer.from(validArchive());
  const directoryOffset = bytes.readUInt32LE(bytes.length - 22 + 16);
  bytes.write('XXXX', directoryOffset, 'latin1');
  return {
    id: 'corrupt-central-directory',
    description: 'the first central directory record has a broken signature',
    bytes,
    refusedBy: 'open',
    expected: { reason: 'corrupt', entry: 'apiProxies/pets.json' },
  };
}

export function notAZip(): HostileArchive {
  return {
    id: 'not-a-zip',
    description: 'a PNG header and text, named .zip',
    bytes: Buffer.concat([Buffer.from('89504e470d0a1a0a', 'hex'), Buffer.from('this is not an archive\n'.repeat(20))]),
    refusedBy: 'open',
    expected: { reason: 'not-a-zip' },
  };
}

export function emptyFile(): HostileArchive {
  return { id: 'empty-file', description: 'zero bytes', bytes: Buffer.alloc(0), refusedBy: 'open', expected: { reason: 'not-a-zip' } };
}

export function tamperedEntry(): HostileArchive {
  const content = baseContent();
  const manifest = manifestFor(content);
  // Same length, consistent CRC and sizes: only the manifest's hash can tell.
  const original = content[0]!.data.toString('utf8');
  content[0] = { ...content[0]!, data: Buffer.from(original.replace('/pets', '/evil'), 'utf8') };
  return {
    id: 'tampered-entry',
    description: 'an entry changed after the manifest was written',
    bytes: validArchive(content, manifest),
    refusedBy: 'verify',
    expected: { reason: 'tampered', entry: 'apiProxies/pets.json' },
  };
}

export function tamperedSize(): HostileArchive {
  const content = baseContent();
  const manifest = manifestFor(content);
  content[1] = { ...content[1]!, data: json({ name: 'auth', type: 'none', note: 'longer than before' }) };
  return {
    id: 'tampered-size',
    description: 'an entry whose size no longer matches the manifest',
    bytes: validArchive(content, manifest),
    refusedBy: 'open',
    expected: { reason: 'tampered', entry: 'policies/auth.json' },
  };
}

export function badCrc(): HostileArchive {
  const content = baseContent();
  const bytes = buildRawZip([
    { name: content[0]!.path, data: content[0]!.data, crc32: 0x12345678 },
    { name: content[1]!.path, data: content[1]!.data },
    { name: MANIFEST_PATH, data: json(manifestFor(content)) },
  ]);
  return {
    id: 'bad-crc',
    description: 'an entry whose CRC-32 is wrong',
    bytes,
    refusedBy: 'verify',
    expected: { reason: 'corrupt', entry: 'apiProxies/pets.json' },
  };
}

export function unlistedEntry(): HostileArchive {
  const content = baseContent();
  const bytes = buildRawZip([
    ...content.map(({ path, data }) => ({ name: path, data })),
    { name: 'policies/extra.json', data: json({ name: 'extra' }) },
    { name: MANIFEST_PATH, data: json(manifestFor(content)) },
  ]);
  return {
    id: 'unlisted-entry',
    description: 'an entry the manifest does not list',
    bytes,
    refusedBy: 'open',
    expected: { reason: 'unlisted-entry', entry: 'policies/extra.json' },
  };
}

export function missingEntry(): HostileArchive {
  const content = baseContent();
  const manifest = manifestFor([...content, { path: 'policies/gone.json', type: 'policy', data: json({ name: 'gone' }) }]);
  return {
    id: 'missing-entry',
    description: 'a listed entry the archive does not hold',
    bytes: validArchive(content, manifest),
    refusedBy: 'open',
    expected: { reason: 'missing-entry', entry: 'policies/gone.json' },
  };
}

export function newerFormatVersion(): HostileArchive {
  const content = baseContent();
  return {
    id: 'newer-format-version',
    description: 'formatVersion 2.0',
    bytes: validArchive(content, manifestFor(content, { formatVersion: '2.0' })),
    refusedBy: 'open',
    expected: { reason: 'unsupported-format-version', entry: MANIFEST_PATH },
  };
}

export function malformedJson(): HostileArchive {
  const content = [...baseContent(), { path: 'aliases/broken.json', type: 'alias' as const, data: Buffer.from('{"name": "broken", ') }];
  return {
    id: 'malformed-json',
    description: 'a listed JSON entry that does not parse',
    bytes: validArchive(content),
    refusedBy: 'verify',
    expected: { reason: 'malformed-json', entry: 'aliases/broken.json' },
  };
}

export function malformedManifest(): HostileArchive {
  const content = baseContent();
  const bytes = buildRawZip([
    ...content.map(({ path, data }) => ({ name: path, data })),
    { name: MANIFEST_PATH, data: Buffer.from('{"format": "apiferry-archive", ') },
  ]);
  return { id: 'malformed-manifest', description: 'manifest.json does not parse', bytes, refusedBy: 'open', expected: { reason: 'malformed-json', entry: MANIFEST_PATH } };
}

export function manifestSchemaViolation(): HostileArchive {
  const content = baseContent();
  const manifest = manifestFor(content);
  manifest.entries[0]!.sha256 = 'not-a-hash';
  return {
    id: 'manifest-schema-violation',
    description: 'a manifest entry without a valid sha256',
    bytes: validArchive(content, manifest),
    refusedBy: 'open',
    expected: { reason: 'schema-violation', entry: MANIFEST_PATH },
  };
}

export function encryptedEntry(): HostileArchive {
  const content = baseContent();
  const bytes = buildRawZip([
    { name: content[0]!.path, data: content[0]!.data, flags: FLAG_UTF8 | 0x0001 },
    { name: content[1]!.path, data: content[1]!.data },
    { name: MANIFEST_PATH, data: json(manifestFor(content)) },
  ]);
  return {
    id: 'encrypted-entry',
    description: 'an entry with general-purpose bit 0 (encrypted) set in both headers',
    bytes,
    refusedBy: 'open',
    expected: { reason: 'encrypted-entry', entry: 'apiProxies/pets.json' },
  };
}

export function unsupportedMethod(): HostileArchive {
  const content = baseContent();
  const bytes = buildRawZip([
    { name: content[0]!.path, data: content[0]!.data, method: 12, compressed: content[0]!.data },
    { name: content[1]!.path, data: content[1]!.data },
    { name: MANIFEST_PATH, data: json(manifestFor(content)) },
  ]);
  return {
    id: 'unsupported-method',
    description: 'an entry compressed with bzip2 (method 12)',
    bytes,
    refusedBy: 'open',
    expected: { reason: 'corrupt', entry: 'apiProxies/pets.json' },
  };
}

export function overlappingEntries(): HostileArchive {
  const content = baseContent();
  const second = { path: 'apiProxies/pets-copy.json', type: 'apiProxy' as const, data: content[0]!.data };
  const bytes = buildRawZip([
    { name: content[0]!.path, data: content[0]!.data },
    // Central record of a second entry pointing at the first entry's bytes.
    { name: second.path, data: second.data, localHeaderOf: 0 },
    { name: MANIFEST_PATH, data: json(manifestFor([content[0]!, second])) },
  ]);
  return {
    id: 'overlapping-entries',
    description: 'two central records sharing one local header (the overlap bomb technique)',
    bytes,
    refusedBy: 'open',
    expected: { reason: 'corrupt', entry: 'apiProxies/pets.json' },
  };
}

export function missingManifest(): HostileArchive {
  const bytes = buildRawZip(baseContent().map(({ path, data }) => ({ name: path, data })));
  return { id: 'missing-manifest', description: 'no manifest.json', bytes, refusedBy: 'open', expected: { reason: 'missing-manifest' } };
}

/** Every hostile archive above. */
export async function hostileArchives(): Promise<HostileArchive[]> {
  return [
    zipSlip(),
    nestedZipSlip(),
    absolutePath(),
    driveLetter(),
    backslashPath(),
    controlCharacterName(),
    symlinkEntry(),
    duplicateNames(),
    duplicateNamesFolded(),
    duplicateNamesUnicode(),
    await deflateBomb(),
    await understatedDeflateBomb(),
    tooManyEntries(),
    entryTooLarge(),
    totalTooLarge(),
    truncatedArchive(),
    corruptCentralDirectory(),
    notAZip(),
    emptyFile(),
    tamperedEntry(),
    tamperedSize(),
    badCrc(),
    unlistedEntry(),
    missingEntry(),
    newerFormatVersion(),
    malformedJson(),
    malformedManifest(),
    manifestSchemaViolation(),
    encryptedEntry(),
    unsupportedMethod(),
    overlappingEntries(),
    missingManifest(),
  ];
}
