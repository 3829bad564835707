import { createReadStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import { basename, resolve } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { CliError, ExitCode, UsageError } from '../cli-error.js';
import { guardedFetch, type ApiClient } from '../http/api-client.js';
import type { ProgressBar } from '../output/progress-bar.js';
import { TransferMeter } from '../output/progress-bar.js';
import type { SavedUploads } from './saved-uploads.js';

interface PresignedUpload {
  id: string;
  partSize: number;
  partCount: number;
  /** URLs for the parts still to send: all of them for a new upload. */
  parts: { partNumber: number; url: string }[];
}

/** GET /uploads/{id}: for an open presigned upload, also the parts received and URLs for the rest. */
interface UploadStatus extends Partial<PresignedUpload> {
  id: string;
  state: 'open' | 'ready' | 'aborted';
  receivedParts?: { partNumber: number; etag: string; size: number }[];
}

/** Where this run starts: a new upload, one the server already completed, or an open one with parts received. */
type StartingPoint = { kind: 'new' } | { kind: 'complete'; uploadId: string } | { kind: 'open'; upload: PresignedUpload; received: { partNumber: number; etag: string; size: number }[] };

/** Parts in flight at once; each streams from its own slice of the file. */
const PARALLEL_PARTS = 3;
const PART_ATTEMPTS = 3;
/** Before the second try of a part, then twice as long before the third: a store answering 503 SlowDown gets a moment. */
const RETRY_DELAY_MS = 500;

/**
 * Sends a local archive to object storage through the presigned multipart flow: ask for an
 * upload, PUT each part straight from a read stream over its byte range (nothing is held in
 * memory), then complete it with the parts' ETags.
 *
 * With `resume` (the default), an upload that fails or is interrupted stays open on the
 * server and is remembered in `saved`; the next run for the same file, project and server
 * asks the server which parts it holds and sends only the others. Without it
 * (`--no-resume`), a failure aborts the upload, and a remembered one is abandoned.
 * Returns the upload's id, for the import request, and the archive's size.
 */
export async function uploadArchive(
  client: ApiClient,
  project: string,
  file: string,
  bar: ProgressBar,
  signal: AbortSignal,
  saved: SavedUploads,
  resume: boolean,
): Promise<{ uploadId: string; size: number }> {
  const local = await localFile(file);
  const base = `/v1/projects/${encodeURIComponent(project)}/uploads`;
  const target = { server: client.server, project, file: local.path };
  const start = await startingPoint(client, base, target, local, saved, resume, bar);
  if (start.kind === 'complete') {
    await saved.remove(target.server, target.project, target.file);
    return { uploadId: start.uploadId, size: local.size };
  }
  const upload = start.kind === 'open' ? start.upload : await client.post<PresignedUpload>(base, { fileName: basename(file), size: local.size });
  const received = start.kind === 'open' ? start.received : [];
  if (start.kind === 'new' && resume) await saved.save({ ...target, size: local.size, mtimeMs: local.mtimeMs, uploadId: upload.id, savedAt: new Date().toISOString() });
  const meter = new TransferMeter(bar, 'uploading', local.size);
  meter.carry(received.reduce((sum, part) => sum + part.size, 0));
  let completing = false;
  try {
    const etags = new Map<number, string>(received.map((part) => [part.partNumber, part.etag]));
    const queue = [...upload.parts];
    const worker = async () => {
      for (let part = queue.shift(); part; part = queue.shift()) {
        const begin = (part.partNumber - 1) * upload.partSize;
        const end = Math.min(local.size, begin + upload.partSize);
        etags.set(part.partNumber, await putPart(file, part, begin, end, meter, signal, bar));
      }
    };
    await Promise.all(Array.from({ length: Math.min(PARALLEL_PARTS, upload.parts.length) }, worker));
    meter.finish();
    const parts = [...etags.entries()].sort(([a], [b]) => a - b).map(([partNumber, etag]) => ({ partNumber, etag }));
    completing = true;
    await client.post(`${base}/${upload.id}/complete`, { parts });
    if (resume) await saved.remove(target.server, target.project, target.file);
    return { uploadId: upload.id, size: local.size };
  } catch (err) {
    bar.clear();
    const interrupted = (err as Error).name === 'AbortError';
    // The server refused the completed object (not a ZIP, too large): it aborted the upload itself.
    const refused = completing && err instanceof CliError && typeof err.problem?.status === 'number' && err.problem.status < 500;
    if (resume && !refused) {
      const kept = 'the parts sent are kept: run the same command again to send the rest (--no-resume starts over)';
      if (interrupted) throw new CliError(ExitCode.Interrupted, `interrupted; ${kept}`);
      if (err instanceof CliError) throw new CliError(err.exitCode, `${err.message}; ${kept}`, err.problem);
      throw err;
    }
    if (resume) await saved.remove(target.server, target.project, target.file);
    // Best effort: an abandoned upload also expires on the server.
    await client.detached().delete(`${base}/${upload.id}`).catch(() => undefined);
    if (interrupted) throw new CliError(ExitCode.Interrupted, 'interrupted; the upload was aborted');
    throw err;
  }
}

/**
 * Whether an earlier run left an upload of this file to resume. A file changed since then
 * (size or modification time), an upload the server no longer has open, or `--no-resume`
 * starts a new one; the abandoned one is aborted (best effort: it also expires).
 */
async function startingPoint(
  client: ApiClient,
  base: string,
  target: { server: string; project: string; file: string },
  local: LocalFile,
  saved: SavedUploads,
  resume: boolean,
  bar: ProgressBar,
): Promise<StartingPoint> {
  const entry = await saved.find(target.server, target.project, target.file);
  if (!entry) return { kind: 'new' };
  const forget = async (reason: string) => {
    bar.log(`not resuming upload ${entry.uploadId}: ${reason}; starting a new upload`);
    await client.detached().delete(`${base}/${entry.uploadId}`).catch(() => undefined);
    await saved.remove(target.server, target.project, target.file);
    return { kind: 'new' } as const;
  };
  if (!resume) return forget('--no-resume');
  if (entry.size !== local.size || entry.mtimeMs !== local.mtimeMs) return forget(`${basename(local.path)} changed since it began`);
  let status: UploadStatus;
  try {
    status = await client.get<UploadStatus>(`${base}/${entry.uploadId}`);
  } catch (err) {
    if (err instanceof CliError && err.problem?.status === 404) return forget('the server no longer has it');
    throw err;
  }
  if (status.state === 'ready') return { kind: 'complete', uploadId: status.id };
  if (status.state !== 'open') return forget(`it is ${status.state}`);
  // An upload opened before the server kept its part size cannot tell which parts are missing.
  if (!status.parts || !status.partSize || !status.partCount) return forget('the server cannot list its parts');
  const received = status.receivedParts ?? [];
  bar.log(`resuming upload ${status.id}: ${received.length} of ${status.partCount} parts already sent`);
  return { kind: 'open', upload: { id: status.id, partSize: status.partSize, partCount: status.partCount, parts: status.parts }, received };
}

async function putPart(
  file: string,
  part: { partNumber: number; url: string },
  start: number,
  end: number,
  meter: TransferMeter,
  signal: AbortSignal,
  bar: ProgressBar,
): Promise<string> {
  const retry = async (attempt: number, reason: string) => {
    bar.log(`part ${part.partNumber} failed: ${reason}; sending it again (try ${attempt + 1} of ${PART_ATTEMPTS})`);
    await sleep(RETRY_DELAY_MS * 2 ** (attempt - 1), undefined, { signal });
  };
  for (let attempt = 1; ; attempt++) {
    let sent = 0;
    const stream = createReadStream(file, { start, end: end - 1 });
    async function* body() {
      for await (const chunk of stream) {
        sent += (chunk as Buffer).length;
        meter.add((chunk as Buffer).length);
        yield chunk as Buffer;
      }
    }
    let response: Response;
    try {
      response = await guardedFetch(
        part.url,
        { method: 'PUT', body: body() as unknown as RequestInit['body'], duplex: 'half', headers: { 'content-length': String(end - start) }, signal } as RequestInit,
        `the object store (${new URL(part.url).host})`,
      );
    } catch (err) {
      stream.destroy();
      meter.subtract(sent);
      if (attempt < PART_ATTEMPTS && err instanceof CliError) {
        await retry(attempt, err.message);
        continue;
      }
      throw err;
    }
    const text = await response.text().catch(() => '');
    if (response.ok) {
      const etag = response.headers.get('etag');
      if (!etag) throw new CliError(ExitCode.Failed, `the object store accepted part ${part.partNumber} but sent no ETag header`);
      return etag;
    }
    meter.subtract(sent);
    const code = /<Code>([^<]+)<\/Code>/.exec(text)?.[1];
    if (response.status >= 500 && attempt < PART_ATTEMPTS) {
      await retry(attempt, `the object store answered HTTP ${response.status}${code ? ` ${code}` : ''}`);
      continue;
    }
    throw new CliError(ExitCode.Failed, `the object store refused part ${part.partNumber}: HTTP ${response.status}${code ? ` ${code}` : ''}`);
  }
}

interface LocalFile {
  /** Absolute, so that a run from another directory finds the same saved upload. */
  path: string;
  size: number;
  mtimeMs: number;
}

async function localFile(file: string): Promise<LocalFile> {
  let info;
  try {
    info = await stat(file);
  } catch (err) {
    throw new UsageError(`${file}: ${(err as NodeJS.ErrnoException).code === 'ENOENT' ? 'no such file' : (err as Error).message}`);
  }
  if (!info.isFile()) throw new UsageError(`${file} is not a file`);
  if (info.size === 0) throw new UsageError(`${file} is empty`);
  return { path: resolve(file), size: info.size, mtimeMs: info.mtimeMs };
}
