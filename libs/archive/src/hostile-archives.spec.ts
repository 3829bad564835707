import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { writeFile } from 'node:fs/promises';
import { ArchiveReader } from './archive-reader.js';
import { ArchiveRejected } from './errors.js';
import { hostileArchives, type HostileArchive } from './hostile-archives.js';
import { TempDir } from './testing/temp-archive.js';

async function refusal(archive: HostileArchive, path: string): Promise<{ stage: 'open' | 'verify'; error: unknown }> {
  let reader: ArchiveReader;
  try {
    reader = await ArchiveReader.open(path, { limits: archive.limits });
  } catch (error) {
    return { stage: 'open', error };
  }
  try {
    await reader.verifyAll();
  } catch (error) {
    return { stage: 'verify', error };
  }
  throw new Error(`${archive.id} was accepted`);
}

describe('hostile archives', () => {
  let dir: TempDir;
  let archives: HostileArchive[];

  beforeAll(async () => {
    dir = await TempDir.create();
    archives = await hostileArchives();
  });
  afterAll(() => dir.remove());

  it('covers every case once', () => {
    const ids = archives.map((archive) => archive.id);
    expect(new Set(ids).size).toBe(ids.length);
    expect(ids.length).toBeGreaterThanOrEqual(19);
  });

  it('refuses each one with its reason, at its stage, naming the entry', async () => {
    const outcomes: string[] = [];
    const expected: string[] = [];
    for (const archive of archives) {
      const path = dir.file(`${archive.id}.zip`);
      await writeFile(path, archive.bytes);
      const { stage, error } = await refusal(archive, path);
      expect(error).toBeInstanceOf(ArchiveRejected);
      const rejected = error as ArchiveRejected;
      outcomes.push(`${archive.id}: ${stage} ${rejected.reason} ${rejected.entry ?? '-'}`);
      expected.push(`${archive.id}: ${archive.refusedBy} ${archive.expected.reason} ${archive.expected.entry ?? '-'}`);
      if (archive.expected.entry !== undefined) expect(rejected.message).toContain(JSON.stringify(archive.expected.entry));
    }
    expect(outcomes).toEqual(expected);
  });

  it('stops a bomb after at most one chunk past the limit, whatever its headers say', async () => {
    const bomb = archives.find((archive) => archive.id === 'deflate-bomb-understated')!;
    const path = dir.file('understated.zip');
    await writeFile(path, bomb.bytes);
    const reader = await ArchiveReader.open(path);
    const before = process.memoryUsage().arrayBuffers;
    await expect(reader.verifyAll()).rejects.toMatchObject({ reason: 'corrupt', entry: 'resources/pets/bomb.bin' });
    expect(process.memoryUsage().arrayBuffers - before).toBeLessThan(8 * 1024 * 1024);
  });
});
