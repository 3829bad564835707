import { mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import { homedir } from 'node:os';
import { dirname, join } from 'node:path';

/**
 * An upload the CLI started and did not finish, kept so that the next `apiferry import` of
 * the same file resumes it: the server keeps the parts it received until the upload expires.
 * The file's size and modification time tell whether it is still the same file (the quick
 * check rsync and make use); a changed file starts a new upload.
 */
export interface SavedUpload {
  server: string;
  project: string;
  /** Absolute path of the local archive. */
  file: string;
  size: number;
  mtimeMs: number;
  uploadId: string;
  savedAt: string;
}

/** `$XDG_STATE_HOME/apiferry/uploads.json`, else `~/.local/state/apiferry/uploads.json`. */
export function savedUploadsPath(env: NodeJS.ProcessEnv): string {
  return join(env.XDG_STATE_HOME || join(homedir(), '.local', 'state'), 'apiferry', 'uploads.json');
}

/**
 * The unfinished uploads, one JSON file. Upload ids are not secrets (every call on them needs
 * the token), but the file is still its owner's only. A damaged file is treated as empty:
 * losing it costs a fresh upload, never a wrong one.
 */
export class SavedUploads {
  constructor(readonly path: string) {}

  async find(server: string, project: string, file: string): Promise<SavedUpload | undefined> {
    return (await this.load()).find((entry) => sameTarget(entry, { server, project, file }));
  }

  async save(upload: SavedUpload): Promise<void> {
    const others = (await this.load()).filter((entry) => !sameTarget(entry, upload));
    await this.store([...others, upload]);
  }

  async remove(server: string, project: string, file: string): Promise<void> {
    const entries = await this.load();
    const kept = entries.filter((entry) => !sameTarget(entry, { server, project, file }));
    if (kept.length !== entries.length) await this.store(kept);
  }

  private async load(): Promise<SavedUpload[]> {
    let text: string;
    try {
      text = await readFile(this.path, 'utf8');
    } catch {
      return [];
    }
    try {
      const parsed = JSON.parse(text) as { uploads?: unknown };
      return Array.isArray(parsed.uploads) ? (parsed.uploads as SavedUpload[]).filter(isSavedUpload) : [];
    } catch {
      return [];
    }
  }

  /** Written to a temporary file and renamed over the old one, so a crash never leaves half a file. */
  private async store(uploads: SavedUpload[]): Promise<void> {
    await mkdir(dirname(this.path), { recursive: true, mode: 0o700 });
    const temporary = `${this.path}.${process.pid}.tmp`;
    await writeFile(temporary, `${JSON.stringify({ uploads }, null, 2)}\n`, { mode: 0o600 });
    await rename(temporary, this.path);
  }
}

function sameTarget(a: Pick<SavedUpload, 'server' | 'project' | 'file'>, b: Pick<SavedUpload, 'server' | 'project' | 'file'>): boolean {
  return a.server === b.server && a.project === b.project && a.file === b.file;
}

function isSavedUpload(value: unknown): value is SavedUpload {
  const entry = value as Partial<SavedUpload> | null;
  return (
    typeof entry?.server === 'string' &&
    typeof entry.project === 'string' &&
    typeof entry.file === 'string' &&
    typeof entry.size === 'number' &&
    typeof entry.mtimeMs === 'number' &&
    typeof entry.uploadId === 'string'
  );
}
