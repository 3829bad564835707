import { createWriteStream } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pipeline } from 'node:stream/promises';
import type { ArchiveWriteResult, ArchiveWriter } from '../archive-writer.js';

/** A private temporary directory for one spec file. */
export class TempDir {
  private constructor(readonly path: string) {}

  static async create(): Promise<TempDir> {
    return new TempDir(await mkdtemp(join(tmpdir(), 'apiferry-archive-')));
  }

  file(name: string): string {
    return join(this.path, name);
  }

  async remove(): Promise<void> {
    await rm(this.path, { recursive: true, force: true });
  }
}

/** Runs `build` against the writer while its output streams into `path`, then finishes. */
export async function writeArchiveFile(
  writer: ArchiveWriter,
  path: string,
  build: (writer: ArchiveWriter) => Promise<void>,
): Promise<ArchiveWriteResult> {
  const written = pipeline(writer.output, createWriteStream(path));
  try {
    await build(writer);
    const result = await writer.finish();
    await written;
    return result;
  } catch (error) {
    writer.abort(error as Error);
    await written.catch(() => undefined);
    throw error;
  }
}
