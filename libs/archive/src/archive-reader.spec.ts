import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { GetObjectCommand, HeadObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import unzipper from 'unzipper';
import { createHash, randomBytes } from 'node:crypto';
import { readFile, writeFile } from 'node:fs/promises';
import { Readable } from 'node:stream';
import { ArchiveReader } from './archive-reader.js';
import { ArchiveWriter } from './archive-writer.js';
import { ArchiveRejected } from './errors.js';
import {
  badCrc,
  baseContent,
  buildRawZip,
  json,
  malformedJson,
  manifestFor,
  tamperedEntry,
  validArchive,
  type ContentEntry,
} from './hostile-archives.js';
import { MANIFEST_PATH, type ManifestEntry } from './manifest.js';
import { TempDir, writeArchiveFile } from './testing/temp-archive.js';
import { endRecords } from './testing/zip-end-records.js';
import { isSourceFailure, type ArchiveByteSource } from './zip-source.js';

interface S3Call {
  command: 'head' | 'get';
  range?: string;
  ifMatch?: string;
}

/** Just enough of an S3 client: HeadObject and ranged, ETag-conditional GetObject over a buffer. */
function fakeS3(bytes: Buffer, { failGets = false } = {}): { client: S3Client; calls: S3Call[] } {
  const etag = '"v1"';
  const calls: S3Call[] = [];
  const client = {
    send: async (command: unknown) => {
      if (command instanceof HeadObjectCommand) {
        calls.push({ command: 'head' });
        return { ContentLength: bytes.length, ETag: etag };
      }
      if (command instanceof GetObjectCommand) {
        const { Range, IfMatch } = command.input;
        calls.push({ command: 'get', range: Range, ifMatch: IfMatch });
        if (failGets) throw Object.assign(new Error('connect ECONNRESET'), { code: 'ECONNRESET' });
        const [, start, end] = /^bytes=(\d+)-(\d*)$/.exec(Range!)!;
        return { Body: Readable.from([bytes.subarray(Number(start), end ? Number(end) + 1 : bytes.length)]) };
      }
      throw new Error('unexpected command');
    },
  };
  return { client: client as unknown as S3Client, calls };
}

async function readAll(stream: Readable): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of stream) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
}

describe('ArchiveReader', () => {
  let dir: TempDir;
  let sample: string;
  let sampleBytes: Buffer;
  let counter = 0;
  const nextPath = () => dir.file(`archive-${++counter}.zip`);

  async function fileOf(bytes: Buffer): Promise<string> {
    const path = nextPath();
    await writeFile(path, bytes);
    return path;
  }

  beforeAll(async () => {
    dir = await TempDir.create();
    sample = nextPath();
    await writeArchiveFile(new ArchiveWriter({ source: { instance: 'i', project: 'p' } }), sample, async (writer) => {
      const proxy = await writer.addJson('apiProxy', { uuid: 'p1', name: 'pets' }, { name: 'pets', basePath: '/pets' });
      await writer.addJson('policy', { uuid: 'po1', name: 'auth' }, { name: 'auth' });
      await writer.addResource(proxy.safeName, 'readme.md', Readable.from([Buffer.from('# Pets\n')]));
    });
    sampleBytes = await readFile(sample);
  });
  afterAll(() => dir.remove());

  it('reads the same archive from a file, S3 and a custom byte source', async () => {
    const custom: ArchiveByteSource = {
      size: async () => sampleBytes.length,
      stream: async (offset, length) => Readable.from([sampleBytes.subarray(offset, length === undefined ? undefined : offset + length)]),
    };
    const readers = [
      await ArchiveReader.open(sample),
      await ArchiveReader.open({ s3: fakeS3(sampleBytes).client, bucket: 'b', key: 'k' }),
      await ArchiveReader.open(custom),
    ];
    for (const reader of readers) {
      expect(reader.entries().map((entry) => entry.path)).toEqual(['apiProxies/pets.json', 'policies/auth.json', 'resources/pets/readme.md']);
      expect(await reader.readJson('apiProxies/pets.json')).toEqual({ name: 'pets', basePath: '/pets' });
      expect((await readAll(reader.openResource('resources/pets/readme.md'))).toString()).toBe('# Pets\n');
      await expect(reader.verifyAll()).resolves.toEqual({ entries: 4, inflatedBytes: expect.any(Number) });
    }
  });

  it('verifies everything in one ranged GET, every GET pinned to the ETag it saw', async () => {
    const { client, calls } = fakeS3(sampleBytes);
    const reader = await ArchiveReader.open({ s3: client, bucket: 'b', key: 'k' });
    const openCalls = calls.length;
    await reader.verifyAll();
    expect(calls.slice(openCalls)).toEqual([{ command: 'get', range: expect.stringMatching(/^bytes=0-\d+$/), ifMatch: '"v1"' }]);
    expect(calls.filter((call) => call.command === 'get').every((call) => call.ifMatch === '"v1"')).toBe(true);
  });

  it('passes failures to read the source through unchanged, not as ArchiveRejected', async () => {
    const { client } = fakeS3(sampleBytes, { failGets: true });
    const failure = await ArchiveReader.open({ s3: client, bucket: 'b', key: 'k' }).catch((error: unknown) => error);
    expect(failure).not.toBeInstanceOf(ArchiveRejected);
    expect(failure).toMatchObject({ code: 'ECONNRESET' });
    expect(isSourceFailure(failure)).toBe(true);

    const missing = await ArchiveReader.open(dir.file('nope.zip')).catch((error: unknown) => error);
    expect(missing).toMatchObject({ code: 'ENOENT' });
  });

  it('passes on a source failure at any of its reads: end records, central directory, manifest, or mid-entry', async () => {
    // open() makes three ranged reads: the tail (end records), the central directory, the manifest.
    const failing = (failFrom: number): ArchiveByteSource => {
      let calls = 0;
      return {
        size: async () => sampleBytes.length,
        stream: (offset, length) => {
          calls += 1;
          if (calls < failFrom) return Readable.from([sampleBytes.subarray(offset, length === undefined ? undefined : offset + length)]);
          return new Readable({
            read() {
              this.destroy(Object.assign(new Error('socket hang up'), { code: 'ECONNRESET' }));
            },
          });
        },
      };
    };
    for (let failFrom = 1; failFrom <= 3; failFrom++) {
      await expect(ArchiveReader.open(failing(failFrom))).rejects.toMatchObject({ code: 'ECONNRESET' });
    }
    const reader = await ArchiveReader.open(failing(4));
    await expect(reader.readJson('apiProxies/pets.json')).rejects.toMatchObject({ code: 'ECONNRESET' });
    await expect(readAll(reader.openResource('resources/pets/readme.md'))).rejects.toMatchObject({ code: 'ECONNRESET' });
    await expect(reader.verifyAll()).rejects.toMatchObject({ code: 'ECONNRESET' });
  });

  it('lists entries with their hashes and exposes the manifest', async () => {
    const reader = await ArchiveReader.open(sample);
    const readme = reader.entries()[2]!;
    expect(readme).toMatchObject({ type: 'resource', name: 'readme.md', size: 7, sha256: createHash('sha256').update('# Pets\n').digest('hex') });
    expect(reader.manifest.source).toEqual({ instance: 'i', project: 'p' });
  });

  it('refuses to read a path the manifest does not list', async () => {
    const reader = await ArchiveReader.open(sample);
    await expect(reader.readJson('apiProxies/other.json')).rejects.toThrow(RangeError);
    await expect(reader.readJson(MANIFEST_PATH)).rejects.toThrow(RangeError);
  });

  it('readJson verifies the entry it reads: hash, CRC-32, JSON', async () => {
    const cases: [ReturnType<typeof tamperedEntry>, string][] = [
      [tamperedEntry(), 'tampered'],
      [badCrc(), 'corrupt'],
      [malformedJson(), 'malformed-json'],
    ];
    for (const [archive, reason] of cases) {
      const reader = await ArchiveReader.open(await fileOf(archive.bytes));
      await expect(reader.readJson(archive.expected.entry!)).rejects.toMatchObject({ reason, entry: archive.expected.entry });
      // The other entries still read.
      expect(await reader.readJson('policies/auth.json')).toEqual({ name: 'auth', type: 'basic-auth' });
    }
  });

  describe('entries too big to read in one piece', () => {
    const big = randomBytes(600 * 1024); // incompressible: about 600 KiB compressed too
    const content: ContentEntry[] = [...baseContent(), { path: 'resources/pets/blob.bin', type: 'resource', data: big }];

    it('stream through the inflater and verify', async () => {
      const reader = await ArchiveReader.open(await fileOf(validArchive(content)));
      expect((await readAll(reader.openResource('resources/pets/blob.bin'))).equals(big)).toBe(true);
      await expect(reader.verifyAll()).resolves.toMatchObject({ entries: 4 });
    });

    it('fail at the end instead of ending when the bytes do not match', async () => {
      const manifest = manifestFor(content);
      manifest.entries[2]!.sha256 = createHash('sha256').update('something else').digest('hex');
      const reader = await ArchiveReader.open(await fileOf(validArchive(content, manifest)));
      const stream = reader.openResource('resources/pets/blob.bin');
      let received = 0;
      let ended = false;
      stream.on('data', (chunk: Buffer) => (received += chunk.length));
      stream.on('end', () => (ended = true));
      await expect(new Promise((resolve, reject) => stream.on('error', reject).on('end', resolve))).rejects.toMatchObject({
        reason: 'tampered',
        entry: 'resources/pets/blob.bin',
      });
      expect(ended).toBe(false);
      expect(received).toBeGreaterThan(0);
      await expect(reader.verifyAll()).rejects.toMatchObject({ reason: 'tampered', entry: 'resources/pets/blob.bin' });
    });
  });

  it('verifyAll hands over each JSON entry in archive order, once verified', async () => {
    const reader = await ArchiveReader.open(sample);
    const seen: [string, unknown][] = [];
    await reader.verifyAll({ onJson: (entry: ManifestEntry, value) => void seen.push([entry.path, value]) });
    expect(seen).toEqual([
      ['apiProxies/pets.json', { name: 'pets', basePath: '/pets' }],
      ['policies/auth.json', { name: 'auth' }],
    ]);
  });

  it('verifyAll with parseJson: false checks the bytes (a bad CRC-32 still fails) but not that documents parse', async () => {
    const content = baseContent();
    content[0]!.data = Buffer.from('{ not json');
    const notJson = await ArchiveReader.open(await fileOf(validArchive(content, manifestFor(content))));
    const seen: string[] = [];
    await expect(notJson.verifyAll({ parseJson: false, onJson: (entry) => void seen.push(entry.path) })).resolves.toMatchObject({ entries: content.length + 1 });
    expect(seen).toEqual([]);
    await expect(notJson.verifyAll()).rejects.toMatchObject({ reason: 'malformed-json', entry: content[0]!.path });

    const badCrc = buildRawZip([
      { name: content[1]!.path, data: content[1]!.data, crc32: 0x12345678 },
      ...content.slice(2).map((c) => ({ name: c.path, data: c.data })),
      { name: MANIFEST_PATH, data: json(manifestFor(content.slice(1))) },
    ]);
    const reader = await ArchiveReader.open(await fileOf(badCrc));
    await expect(reader.verifyAll({ parseJson: false })).rejects.toMatchObject({ reason: 'corrupt', message: expect.stringContaining('CRC-32') });
  });

  it('matches manifest paths to entry names byte for byte: a name with a byte-order mark is not the listed path', async () => {
    const content = baseContent();
    const bytes = buildRawZip([
      { name: `\uFEFF${content[0]!.path}`, data: content[0]!.data },
      ...content.slice(1).map((c) => ({ name: c.path, data: c.data })),
      { name: MANIFEST_PATH, data: json(manifestFor(content)) },
    ]);
    await expect(ArchiveReader.open(await fileOf(bytes))).rejects.toMatchObject({ reason: 'unlisted-entry' });
  });

  it('verifyAll names the first bad entry in archive order when a later one is broken too', async () => {
    const content = baseContent();
    const bytes = buildRawZip([
      { name: content[0]!.path, data: content[0]!.data, crc32: 0x12345678 },
      { name: content[1]!.path, data: content[1]!.data },
      { name: MANIFEST_PATH, data: json(manifestFor(content)) },
    ]);
    // Break the second entry's local header too: both lie in the first piece verifyAll reads.
    bytes.writeUInt32LE(0, bytes.indexOf(Buffer.from(content[1]!.path)) - 30);
    const reader = await ArchiveReader.open(await fileOf(bytes));
    const seen: string[] = [];
    await expect(reader.verifyAll({ onJson: (entry) => void seen.push(entry.path) })).rejects.toMatchObject({
      reason: 'corrupt',
      entry: 'apiProxies/pets.json',
      message: expect.stringContaining('CRC-32'),
    });
    expect(seen).toEqual([]);
  });

  it('verifyAll refuses compressed data that does not inflate, naming the entry', async () => {
    const content = baseContent();
    const bytes = buildRawZip([
      { name: content[0]!.path, data: content[0]!.data },
      // Deflate block type 3 does not exist.
      { name: content[1]!.path, data: content[1]!.data, compressed: Buffer.from([0xff, 0xff, 0xff, 0xff]) },
      { name: MANIFEST_PATH, data: json(manifestFor(content)) },
    ]);
    const reader = await ArchiveReader.open(await fileOf(bytes));
    const seen: string[] = [];
    await expect(reader.verifyAll({ onJson: (entry) => void seen.push(entry.path) })).rejects.toMatchObject({
      reason: 'corrupt',
      entry: 'policies/auth.json',
      message: expect.stringContaining('compressed data is invalid'),
    });
    expect(seen).toEqual(['apiProxies/pets.json']);
  });

  it('verifyAll checks a many-entry archive in order and lets timers run while it works', async () => {
    const content: ContentEntry[] = Array.from({ length: 3000 }, (_, index) => ({
      path: `policies/p${index}.json`,
      type: 'policy',
      data: json({ name: `p${index}`, padding: randomBytes(300).toString('hex') }),
    }));
    const reader = await ArchiveReader.open(await fileOf(validArchive(content)));
    let ticks = 0;
    const timer = setInterval(() => ticks++, 1);
    const seen: string[] = [];
    try {
      await reader.verifyAll({ onJson: (entry) => void seen.push(entry.path) });
    } finally {
      clearInterval(timer);
    }
    expect(seen).toEqual(content.map(({ path }) => path));
    expect(ticks).toBeGreaterThan(0);
  });

  it('treats a nested archive as bytes', async () => {
    const inner = validArchive();
    const content: ContentEntry[] = [...baseContent(), { path: 'resources/pets/inner.zip', type: 'resource', data: inner }];
    const reader = await ArchiveReader.open(await fileOf(validArchive(content)));
    expect((await readAll(reader.openResource('resources/pets/inner.zip'))).equals(inner)).toBe(true);
    await reader.verifyAll();
  });

  it('tolerates directory entries, which hold no data', async () => {
    const content = baseContent();
    const bytes = buildRawZip([
      { name: 'apiProxies/', data: Buffer.alloc(0), method: 0, externalAttributes: (0o040755 << 16) >>> 0 },
      ...content.map(({ path, data }) => ({ name: path, data })),
      { name: MANIFEST_PATH, data: json(manifestFor(content)) },
    ]);
    const reader = await ArchiveReader.open(await fileOf(bytes));
    expect(reader.entries()).toHaveLength(2);
    await expect(reader.verifyAll()).resolves.toMatchObject({ entries: 4 });
  });

  it('finds the end record behind an archive comment, even one holding its signature', async () => {
    const content = baseContent();
    const comment = `exported by hand PK\u0005\u0006 ${'x'.repeat(2000)}`;
    const bytes = buildRawZip([...content.map(({ path, data }) => ({ name: path, data })), { name: MANIFEST_PATH, data: json(manifestFor(content)) }], {
      comment,
    });
    const reader = await ArchiveReader.open(await fileOf(bytes));
    await expect(reader.verifyAll()).resolves.toMatchObject({ entries: 3 });
  });

  it('reads a foreign archive of exactly 65535 entries without zip64 records, which unzipper alone cannot', async () => {
    const content: ContentEntry[] = Array.from({ length: 0xfffe }, (_, index) => ({
      path: `policies/p${index}.json`,
      type: 'policy',
      data: Buffer.from(String(index)),
    }));
    const path = await fileOf(
      buildRawZip([...content.map(({ path: name, data }) => ({ name, data, method: 0 })), { name: MANIFEST_PATH, data: json(manifestFor(content)) }]),
    );
    expect(await endRecords(path)).toEqual({ entryCount: 0xffff, zip64Locator: false });

    await expect(unzipper.Open.file(path)).rejects.toThrow(/invalid zip64 end of central dir locator signature/);
    const reader = await ArchiveReader.open(path);
    expect(await reader.readJson('policies/p65533.json')).toBe(65533);
    await expect(reader.verifyAll()).resolves.toMatchObject({ entries: 0xffff });
  }, 60_000);

  it('applies limits given at open', async () => {
    await expect(ArchiveReader.open(sample, { limits: { maxEntries: 2 } })).rejects.toMatchObject({ reason: 'too-many-entries' });
    await expect(ArchiveReader.open(sample, { limits: { maxResourceEntryBytes: 3 } })).rejects.toMatchObject({
      reason: 'entry-too-large',
      entry: 'resources/pets/readme.md',
    });
  });
});
