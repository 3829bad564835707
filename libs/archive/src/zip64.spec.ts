import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { randomBytes } from 'node:crypto';
import { stat } from 'node:fs/promises';
import { Readable } from 'node:stream';
import unzipper from 'unzipper';
import { ArchiveReader } from './archive-reader.js';
import { ArchiveWriter } from './archive-writer.js';
import { TempDir, writeArchiveFile } from './testing/temp-archive.js';
import { endRecords, writeManyEntries } from './testing/zip-end-records.js';

/** `size` bytes of a repeated random block: incompressible enough, cheap to make. */
function pseudoRandom(size: number): Readable {
  const block = randomBytes(1024 * 1024);
  let sent = 0;
  return new Readable({
    read() {
      const piece = block.subarray(0, Math.min(block.length, size - sent));
      sent += piece.length;
      this.push(piece.length > 0 ? piece : null);
    },
  });
}

// Writes and reads over 4 GiB: minutes and disk space, so only on request.
const slowIt = process.env.APIFERRY_SLOW_TESTS === '1' ? it : it.skip;

describe('zip64', () => {
  let dir: TempDir;

  beforeAll(async () => {
    dir = await TempDir.create();
  });
  afterAll(() => dir.remove());

  it('writes and reads back an archive of more than 65535 entries (zip64 end records)', async () => {
    const path = dir.file('many.zip');
    const count = 65_600;
    await writeManyEntries(path, count);
    expect(await endRecords(path)).toEqual({ entryCount: 0xffff, zip64Locator: true });

    const reader = await ArchiveReader.open(path);
    expect(reader.entries()).toHaveLength(count - 1);
    expect(await reader.readJson(`policies/p${count - 2}.json`)).toBe(count - 2);
    expect(await reader.readJson('policies/p0.json')).toBe(0);
    await expect(reader.verifyAll()).resolves.toMatchObject({ entries: count });
  }, 60_000);

  slowIt('writes and reads an archive past 4 GiB: a 4.1 GiB entry, an entry and the central directory beyond 4 GiB', async () => {
    const path = dir.file('large.zip');
    const hugeBytes = 4 * 1024 ** 3 + 100 * 1024 ** 2;
    const limits = { maxResourceEntryBytes: 5 * 1024 ** 3 };
    const writer = new ArchiveWriter({ source: { instance: 'i', project: 'p' }, zlibLevel: 0, limits });
    await writeArchiveFile(writer, path, async () => {
      const proxy = await writer.addJson('apiProxy', { uuid: 'u', name: 'big' }, { name: 'big' });
      await writer.addResource(proxy.safeName, 'huge.bin', pseudoRandom(hugeBytes));
      await writer.addJson('policy', { uuid: 'after', name: 'after' }, { past: '4 GiB' });
    });
    expect((await stat(path)).size).toBeGreaterThan(hugeBytes);
    expect((await endRecords(path)).zip64Locator).toBe(true);
    const files = (await unzipper.Open.file(path)).files;
    expect(files.find((file) => file.path === 'resources/big/huge.bin')!.uncompressedSize).toBe(hugeBytes);
    expect(files.find((file) => file.path === 'policies/after.json')!.offsetToLocalFileHeader).toBeGreaterThan(2 ** 32);

    const reader = await ArchiveReader.open(path, { limits });
    expect(await reader.readJson('policies/after.json')).toEqual({ past: '4 GiB' });
    await expect(reader.verifyAll()).resolves.toMatchObject({ entries: 4 });
  }, 30 * 60_000);
});
