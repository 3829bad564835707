import { open } from 'node:fs/promises';
import { ArchiveWriter } from '../archive-writer.js';
import { writeArchiveFile } from './temp-archive.js';

/** The entry count in an archive's end record, and whether a zip64 locator precedes it (no archive comment assumed). */
export async function endRecords(path: string): Promise<{ entryCount: number; zip64Locator: boolean }> {
  const file = await open(path);
  try {
    const { size } = await file.stat();
    const tail = Buffer.alloc(42);
    await file.read(tail, 0, 42, size - 42);
    if (tail.readUInt32LE(20) !== 0x06054b50) throw new Error(`${path} does not end with an end record`);
    return { entryCount: tail.readUInt16LE(30), zip64Locator: tail.readUInt32LE(0) === 0x07064b50 };
  } finally {
    await file.close();
  }
}

/** Writes `count` ZIP entries (the manifest included), all tiny stored policies, through ArchiveWriter. */
export async function writeManyEntries(path: string, count: number): Promise<void> {
  const writer = new ArchiveWriter({ source: { instance: 'i', project: 'p' }, zlibLevel: 0 });
  await writeArchiveFile(writer, path, async () => {
    for (let index = 0; index < count - 1; index++) await writer.addJson('policy', { uuid: `u${index}`, name: `p${index}` }, index);
  });
}
