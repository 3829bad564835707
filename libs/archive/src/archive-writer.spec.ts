import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { createHash, randomBytes } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { Readable, Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import unzipper from 'unzipper';
import { ArchiveReader } from './archive-reader.js';
import { ArchiveWriter, type ArchiveWriterOptions } from './archive-writer.js';
import { SecretSealer } from './secret-sealing.js';
import { TempDir, writeArchiveFile } from './testing/temp-archive.js';
import { endRecords, writeManyEntries } from './testing/zip-end-records.js';

const ORIGIN = { instance: 'https://gw.example', project: 'payments' };
const CREATED_AT = new Date('2026-01-02T03:04:05.000Z');

function newWriter(options: Partial<ArchiveWriterOptions> = {}): ArchiveWriter {
  return new ArchiveWriter({ source: ORIGIN, createdAt: CREATED_AT, ...options });
}

function devNull(): Writable {
  return new Writable({ write: (_chunk, _encoding, callback) => callback() });
}

describe('ArchiveWriter', () => {
  let dir: TempDir;
  let counter = 0;
  const nextPath = () => dir.file(`archive-${++counter}.zip`);

  beforeAll(async () => {
    dir = await TempDir.create();
  });
  afterAll(() => dir.remove());

  it('writes each asset under its directory with safe, collision-suffixed names and the manifest last', async () => {
    const path = nextPath();
    const written = await writeArchiveFile(newWriter({ options: { scope: 'project' } }), path, async (writer) => {
      await writer.addJson('apiProxy', { uuid: 'p1', name: 'Pets API' }, { name: 'Pets API' });
      await writer.addJson('apiProxy', { uuid: 'p2', name: 'pets api' }, { name: 'pets api' });
      await writer.addJson('policy', { uuid: 'po1', name: 'rate/limit' }, { name: 'rate/limit' });
      await writer.addJson('alias', { uuid: 'a1', name: '..' }, { name: '..' });
      await writer.addJson('application', { uuid: 'ap1', name: 'CON' }, { name: 'CON' });
      writer.addDependency({ from: { type: 'apiProxy', uuid: 'p1' }, to: { type: 'policy', uuid: 'po1' }, required: true });
    });
    const directory = await unzipper.Open.file(path);
    expect(directory.files.map((file) => file.path)).toEqual([
      'apiProxies/Pets API.json',
      'apiProxies/pets api~2.json',
      'policies/rate_limit.json',
      'aliases/_.json',
      'applications/_CON.json',
      'manifest.json',
    ]);
    const bytes = await readFile(path);
    expect(written).toEqual({ entries: 6, bytes: bytes.length, sha256: createHash('sha256').update(bytes).digest('hex') });

    const reader = await ArchiveReader.open(path);
    expect(reader.manifest).toMatchObject({
      format: 'apiferry-archive',
      formatVersion: '1.0',
      createdAt: CREATED_AT.toISOString(),
      source: ORIGIN,
      options: { scope: 'project' },
      dependencies: [{ from: { type: 'apiProxy', uuid: 'p1' }, to: { type: 'policy', uuid: 'po1' }, required: true }],
      secrets: { mode: 'none' },
    });
    expect(reader.entries()[1]).toMatchObject({ path: 'apiProxies/pets api~2.json', type: 'apiProxy', uuid: 'p2', name: 'pets api' });
    expect(await reader.readJson('policies/rate_limit.json')).toEqual({ name: 'rate/limit' });
  });

  it('writes a manifest bigger than it keeps in memory (the list spilled to an unlinked temporary file) byte for byte', async () => {
    const path = nextPath();
    const count = 40_000; // ~6 MB of manifest list: past the 4 MiB kept in memory
    await writeArchiveFile(newWriter(), path, async (writer) => {
      for (let i = 0; i < count; i++) await writer.addJson('policy', { uuid: `u-${i}`, name: `policy-${i}` }, { n: i });
      for (let i = 0; i < 3000; i++) writer.addDependency({ from: { type: 'apiProxy', uuid: `p-${i}` }, to: { type: 'policy', uuid: `u-${i}` }, required: i % 2 === 0 });
    });
    const reader = await ArchiveReader.open(path);
    expect(reader.entryCount).toBe(count);
    expect(reader.entryAt(0)).toMatchObject({ path: 'policies/policy-0.json', uuid: 'u-0' });
    expect(reader.entryAt(count - 1)).toMatchObject({ path: `policies/policy-${count - 1}.json`, uuid: `u-${count - 1}` });
    expect(reader.manifest.dependencies).toHaveLength(3000);
    expect(reader.manifest.dependencies[2999]).toEqual({ from: { type: 'apiProxy', uuid: 'p-2999' }, to: { type: 'policy', uuid: 'u-2999' }, required: false });
    const verified = await reader.verifyAll();
    expect(verified.entries).toBe(count + 1);
    // An independent reader agrees on the manifest's bytes.
    const directory = await unzipper.Open.file(path);
    const manifest = JSON.parse((await directory.files.find((f) => f.path === 'manifest.json')!.buffer()).toString('utf8'));
    expect(manifest.entries).toHaveLength(count);
    expect(manifest.entries[count - 1].name).toBe(`policy-${count - 1}`);
  }, 60_000);

  it('records the hash and size of what it wrote, as two-space JSON in insertion order', async () => {
    const path = nextPath();
    const value = { zeta: 1, alpha: { nested: [1, 2] } };
    let entry: Awaited<ReturnType<ArchiveWriter['addJson']>> | undefined;
    await writeArchiveFile(newWriter(), path, async (writer) => {
      entry = await writer.addJson('policy', { uuid: 'u', name: 'p' }, value);
    });
    const expected = Buffer.from(`${JSON.stringify(value, null, 2)}\n`);
    expect(entry).toMatchObject({ sha256: createHash('sha256').update(expected).digest('hex'), size: expected.length, safeName: 'p' });
    const directory = await unzipper.Open.file(path);
    expect((await directory.files[0]!.buffer()).equals(expected)).toBe(true);
  });

  it('is deterministic for the same input and creation time', async () => {
    const build = async (writer: ArchiveWriter) => {
      await writer.addJson('apiProxy', { uuid: 'u1', name: 'one' }, { n: 1 });
      await writer.addResource('one', 'doc.txt', Readable.from([Buffer.from('hello')]));
    };
    const first = await writeArchiveFile(newWriter(), nextPath(), build);
    const second = await writeArchiveFile(newWriter(), nextPath(), build);
    expect(second.sha256).toBe(first.sha256);
  });

  it('streams resources, hashing them on the way, with data descriptors', async () => {
    const path = nextPath();
    const content = randomBytes(3 * 1024 * 1024);
    let resource: Awaited<ReturnType<ArchiveWriter['addResource']>> | undefined;
    await writeArchiveFile(newWriter(), path, async (writer) => {
      const proxy = await writer.addJson('apiProxy', { uuid: 'u', name: 'Pets/API' }, {});
      resource = await writer.addResource(proxy.safeName, 'open api.yaml', Readable.from([content.subarray(0, 1000), content.subarray(1000)]));
      await writer.addResource(proxy.safeName, 'OPEN API.yaml', Readable.from([Buffer.from('second')]));
    });
    expect(resource).toMatchObject({
      path: 'resources/Pets_API/open api.yaml',
      type: 'resource',
      name: 'open api.yaml',
      size: content.length,
      sha256: createHash('sha256').update(content).digest('hex'),
    });
    const directory = await unzipper.Open.file(path);
    const names = directory.files.map((file) => file.path);
    expect(names).toContain('resources/Pets_API/OPEN API~2.yaml');
    // Bit 3: sizes and CRC follow the data in a data descriptor.
    expect(directory.files.find((file) => file.path === resource!.path)!.flags & 0x08).toBe(0x08);

    const reader = await ArchiveReader.open(path);
    const chunks: Buffer[] = [];
    for await (const chunk of reader.openResource(resource!.path)) chunks.push(chunk as Buffer);
    expect(Buffer.concat(chunks).equals(content)).toBe(true);
  });

  it('refuses a resource name that is not a safe name', async () => {
    const writer = newWriter();
    writer.output.pipe(devNull());
    await expect(writer.addResource('../x', 'a.txt', Readable.from([]))).rejects.toThrow(TypeError);
    await writer.finish();
  });

  it('adds the bare <apiProxyName>.json of a single-proxy export, marked as a copy', async () => {
    const path = nextPath();
    await writeArchiveFile(newWriter(), path, async (writer) => {
      const proxy = await writer.addJson('apiProxy', { uuid: 'u', name: 'manifest' }, { name: 'manifest' });
      const bare = await writer.addAlias(proxy.path);
      expect(bare).toMatchObject({ path: 'manifest~2.json', aliasOf: 'apiProxies/manifest.json', sha256: proxy.sha256, uuid: 'u' });
    });
    const reader = await ArchiveReader.open(path);
    expect(reader.entries().map((entry) => [entry.path, entry.aliasOf])).toEqual([
      ['apiProxies/manifest.json', undefined],
      ['manifest~2.json', 'apiProxies/manifest.json'],
    ]);
    expect(await reader.readJson('manifest~2.json')).toEqual({ name: 'manifest' });
  });

  it('keeps no bytes for a bare copy once an export has a second proxy', async () => {
    const writer = newWriter();
    writer.output.pipe(devNull());
    const first = await writer.addJson('apiProxy', { uuid: 'u1', name: 'one' }, {});
    await writer.addJson('apiProxy', { uuid: 'u2', name: 'two' }, {});
    await expect(writer.addAlias(first.path)).rejects.toThrow(/single-proxy export/);
    await writer.finish();
  });

  it('seals secrets with the passphrase and records how to open them', async () => {
    const path = nextPath();
    const sealer = await SecretSealer.create('export passphrase', { N: 2 ** 10, r: 8, p: 1 });
    await writeArchiveFile(newWriter({ sealer }), path, async (writer) => {
      const password = writer.sealSecret('alias', 'a1', 'password', 'hunter2');
      await writer.addJson('alias', { uuid: 'a1', name: 'db' }, { name: 'db', password });
      expect(() => writer.omitSecret({ type: 'alias', name: 'db', field: 'password' })).toThrow();
    });
    expect((await readFile(path)).includes('hunter2')).toBe(false);
    const reader = await ArchiveReader.open(path);
    expect(reader.manifest.secrets).toMatchObject({ mode: 'sealed', cipher: 'aes-256-gcm', kdf: { name: 'scrypt', N: 1024 } });
    const opened = await reader.openSecrets('export passphrase');
    const alias = await reader.readJson<{ password: unknown }>('aliases/db.json');
    expect(opened!.open(alias.password, 'alias:a1:password')).toBe('hunter2');
    await expect(reader.openSecrets('guess')).rejects.toMatchObject({ reason: 'wrong-passphrase' });
  });

  it('lists secrets it left out when there is no passphrase', async () => {
    const path = nextPath();
    await writeArchiveFile(newWriter(), path, async (writer) => {
      expect(() => writer.sealSecret('alias', 'a', 'f', 'x')).toThrow();
      writer.omitSecret({ type: 'application', name: 'mobile', field: 'clientSecret' });
      await writer.addJson('application', { uuid: 'ap', name: 'mobile' }, { name: 'mobile' });
    });
    const reader = await ArchiveReader.open(path);
    expect(reader.manifest.secrets).toEqual({ mode: 'omitted', omitted: [{ type: 'application', name: 'mobile', field: 'clientSecret' }] });
    expect(await reader.openSecrets('anything')).toBeUndefined();
  });

  it('waits for the consumer instead of queueing entries without bound', async () => {
    const writer = newWriter({ zlibLevel: 0 });
    const entryBytes = 64 * 1024;
    const total = 300; // about 19 MiB
    let added = 0;
    const adding = (async () => {
      for (let index = 0; index < total; index++) {
        await writer.addJson('policy', { uuid: `u${index}`, name: `p${index}` }, { padding: randomBytes(entryBytes / 2).toString('hex') });
        added += 1;
      }
    })();
    await new Promise((resolve) => setTimeout(resolve, 300));
    const addedWhileStalled = added;
    expect(addedWhileStalled).toBeLessThan(100); // about 6 MiB of buffers, then it waits

    let consumed = 0;
    const consuming = pipeline(
      writer.output,
      new Writable({
        write(chunk: Buffer, _encoding, callback) {
          consumed += chunk.length;
          callback();
        },
      }),
    );
    await adding;
    const result = await writer.finish();
    await consuming;
    expect(added).toBe(total);
    expect(result.bytes).toBe(consumed);
  });

  it('writes entries any ZIP reader takes back byte for byte: deflated, stored, streamed, empty', async () => {
    const content = randomBytes(300 * 1024);
    const expected = new Map<string, Buffer>();
    for (const zlibLevel of [6, 0]) {
      const path = nextPath();
      await writeArchiveFile(newWriter({ zlibLevel }), path, async (writer) => {
        const proxy = await writer.addJson('apiProxy', { uuid: 'u', name: 'Ünïcode proxy' }, { big: content.toString('base64') });
        expected.set(proxy.path, Buffer.from(`${JSON.stringify({ big: content.toString('base64') }, null, 2)}\n`));
        const resource = await writer.addResource(proxy.safeName, 'spec.bin', Readable.from([content.subarray(0, 7), content.subarray(7)]));
        expected.set(resource.path, content);
        const empty = await writer.addResource(proxy.safeName, 'empty.txt', Readable.from([]));
        expected.set(empty.path, Buffer.alloc(0));
      });
      const directory = await unzipper.Open.file(path);
      for (const [entryPath, bytes] of expected) {
        const file = directory.files.find((candidate) => candidate.path === entryPath)!;
        expect(file.compressionMethod).toBe(zlibLevel === 0 ? 0 : 8);
        expect((await file.buffer()).equals(bytes)).toBe(true);
      }
      // And our reader, which checks CRC-32, sizes and the manifest's SHA-256 of each.
      await expect((await ArchiveReader.open(path)).verifyAll()).resolves.toMatchObject({ entries: 4 });
    }
  });

  it('writes a large export in the order its entries were added, each entry as added, whatever its size', async () => {
    const path = nextPath();
    const added: { path: string; bytes: Buffer }[] = [];
    await writeArchiveFile(newWriter(), path, async (writer) => {
      for (let index = 0; index < 700; index++) {
        // Sizes from empty to a few KiB, and one entry large enough for a zlib call of its own.
        const value = index === 350 ? { big: randomBytes(200 * 1024).toString('hex') } : { index, text: 'lorem ipsum '.repeat(index % 400) };
        const proxy = await writer.addJson('apiProxy', { uuid: `u${index}`, name: `proxy ${index}` }, value);
        added.push({ path: proxy.path, bytes: Buffer.from(`${JSON.stringify(value, null, 2)}\n`) });
        if (index % 150 === 149) {
          const content = randomBytes(10 * 1024);
          const resource = await writer.addResource(proxy.safeName, 'spec.bin', Readable.from([content]));
          added.push({ path: resource.path, bytes: content });
        }
      }
    });
    const files = (await unzipper.Open.file(path)).files;
    const inFileOrder = [...files].sort((a, b) => a.offsetToLocalFileHeader - b.offsetToLocalFileHeader).map((file) => file.path);
    expect(inFileOrder).toEqual([...added.map((entry) => entry.path), 'manifest.json']);
    for (const entry of added) {
      const file = files.find((candidate) => candidate.path === entry.path)!;
      expect((await file.buffer()).equals(entry.bytes)).toBe(true);
    }
    await expect((await ArchiveReader.open(path)).verifyAll()).resolves.toMatchObject({ entries: added.length + 1 });
  });

  it('lets other callbacks run while it writes a large archive', async () => {
    const writer = newWriter();
    const consuming = pipeline(writer.output, devNull());
    let turns = 0;
    let writing = true;
    const otherWork = () => {
      turns += 1;
      if (writing) setImmediate(otherWork);
    };
    setImmediate(otherWork);
    for (let index = 0; index < 10_000; index++) {
      await writer.addJson('apiProxy', { uuid: `u${index}`, name: `p${index}` }, { index, text: 'lorem ipsum '.repeat(50) });
    }
    writing = false;
    const turnsWhileAdding = turns;
    await writer.finish();
    await consuming;
    // Writing without yielding would give the other work no turn until the last entry.
    expect(turnsWhileAdding).toBeGreaterThan(2);
  });

  it('abort() during a large export fails the adding, the output and finish()', async () => {
    const writer = newWriter();
    const consuming = pipeline(writer.output, devNull());
    const adding = (async () => {
      for (let index = 0; index < 5000; index++) {
        await writer.addJson('apiProxy', { uuid: `u${index}`, name: `p${index}` }, { index, text: 'lorem ipsum '.repeat(50) });
      }
    })();
    await new Promise((resolve) => setTimeout(resolve, 20));
    writer.abort(new Error('export canceled'));
    await Promise.all([expect(adding).rejects.toThrow('export canceled'), expect(consuming).rejects.toThrow('export canceled')]);
    await expect(writer.finish()).rejects.toThrow('export canceled');
  });

  it('writes zip64 end records for exactly 65535 entries, a count readers take for a zip64 marker', async () => {
    const path = nextPath();
    await writeManyEntries(path, 0xffff);
    expect(await endRecords(path)).toEqual({ entryCount: 0xffff, zip64Locator: true });
    // Plain unzipper (what other consumers of our archives may use) reads it.
    expect((await unzipper.Open.file(path)).files).toHaveLength(0xffff);
    expect((await ArchiveReader.open(path)).entries()).toHaveLength(0xfffe);
  }, 60_000);

  it('writes plain (not zip64) end records for a small archive', async () => {
    const path = nextPath();
    await writeManyEntries(path, 3);
    expect(await endRecords(path)).toEqual({ entryCount: 3, zip64Locator: false });
  });

  it('uses zlib level 0 as stored entries and rejects a level outside 0-9', async () => {
    const path = nextPath();
    await writeArchiveFile(newWriter({ zlibLevel: 0 }), path, async (writer) => {
      await writer.addJson('policy', { uuid: 'u', name: 'p' }, { a: 'a'.repeat(1000) });
    });
    const directory = await unzipper.Open.file(path);
    expect(directory.files[0]!.compressionMethod).toBe(0);
    expect(() => newWriter({ zlibLevel: 10 })).toThrow(RangeError);
  });

  it('refuses entries a reader with the same limits would refuse, and stays usable', async () => {
    const path = nextPath();
    await writeArchiveFile(newWriter({ limits: { maxJsonEntryBytes: 100 } }), path, async (writer) => {
      await expect(writer.addJson('policy', { uuid: 'u', name: 'big' }, { a: 'a'.repeat(200) })).rejects.toThrow(RangeError);
      await writer.addJson('policy', { uuid: 'u2', name: 'small' }, { a: 1 });
    });
    const reader = await ArchiveReader.open(path, { limits: { maxJsonEntryBytes: 100 } });
    expect(reader.entries().map((entry) => entry.path)).toEqual(['policies/small.json']);
  });

  it('fails the whole archive when a resource stream fails', async () => {
    const writer = newWriter();
    const consuming = pipeline(writer.output, devNull());
    const broken = new Readable({
      read() {
        this.destroy(new Error('source went away'));
      },
    });
    await expect(writer.addResource('p', 'doc.txt', broken)).rejects.toThrow('source went away');
    await expect(writer.addJson('policy', { uuid: 'u', name: 'p' }, {})).rejects.toThrow('source went away');
    await expect(consuming).rejects.toThrow('source went away');
  });

  it('fails pending work when the consumer gives up', async () => {
    const writer = newWriter({ zlibLevel: 0 });
    const adding = (async () => {
      for (let index = 0; index < 200; index++) {
        await writer.addJson('policy', { uuid: `u${index}`, name: `p${index}` }, { padding: randomBytes(32 * 1024).toString('hex') });
      }
    })();
    await new Promise((resolve) => setTimeout(resolve, 100));
    writer.output.destroy(new Error('upload failed'));
    await expect(adding).rejects.toThrow('upload failed');
    await expect(writer.finish()).rejects.toThrow('upload failed');
  });

  it('abort() fails the output and finish()', async () => {
    const writer = newWriter();
    const consuming = pipeline(writer.output, devNull());
    await writer.addJson('policy', { uuid: 'u', name: 'p' }, {});
    writer.abort(new Error('export canceled'));
    await expect(consuming).rejects.toThrow('export canceled');
    await expect(writer.finish()).rejects.toThrow('export canceled');
  });

  it('refuses entries after finish()', async () => {
    const writer = newWriter();
    writer.output.pipe(devNull());
    const finishing = writer.finish();
    await expect(writer.addJson('policy', { uuid: 'u', name: 'p' }, {})).rejects.toThrow(/finishing/);
    await expect(writer.finish()).rejects.toThrow(/already/);
    expect((await finishing).entries).toBe(1);
  });
});
