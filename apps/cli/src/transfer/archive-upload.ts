import { createReadStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import { basename } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { CliError, ExitCode, UsageError } from '../cli-error.js';
import { guardedFetch, type ApiClient } from '../http/api-client.js';
import type { ProgressBar } from '../output/progress-bar.js';
import { TransferMeter } from '../output/progress-bar.js';

interface PresignedUpload {
  id: string;
  partSize: number;
  partCount: number;
  parts: { partNumber: number; url: string }[];
}

/** Parts in flight at once; each streams from its own slice of the file. */
const PARALLEL_PARTS = 3;
const PART_ATTEMPTS = 3;
/** Before the second try of a part, then twice as long before the third: a store answering 503 SlowDown gets a moment. */
const RETRY_DELAY_MS = 500;

/**
 * Sends a local archive to object storage through the presigned multipart flow: ask for an
 * upload, PUT each part straight from a read stream over its byte range (nothing is held in
 * memory), then complete it with the parts' ETags. A failure aborts the upload.
 * Returns the upload's id, for the import request, and the archive's size.
 */
export async function uploadArchive(client: ApiClient, project: string, file: string, bar: ProgressBar, signal: AbortSignal): Promise<{ uploadId: string; size: number }> {
  const size = await fileSize(file);
  const base = `/v1/projects/${encodeURIComponent(project)}/uploads`;
  const upload = await client.post<PresignedUpload>(base, { fileName: basename(file), size });
  const meter = new TransferMeter(bar, 'uploading', size);
  try {
    const etags = new Map<number, string>();
    const queue = [...upload.parts];
    const worker = async () => {
      for (let part = queue.shift(); part; part = queue.shift()) {
        const start = (part.partNumber - 1) * upload.partSize;
        const end = Math.min(size, start + upload.partSize);
        etags.set(part.partNumber, await putPart(file, part, start, end, meter, signal, bar));
      }
    };
    await Promise.all(Array.from({ length: Math.min(PARALLEL_PARTS, upload.parts.length) }, worker));
    meter.finish();
    const parts = [...etags.entries()].sort(([a], [b]) => a - b).map(([partNumber, etag]) => ({ partNumber, etag }));
    await client.post(`${base}/${upload.id}/complete`, { parts });
    return { uploadId: upload.id, size };
  } catch (err) {
    bar.clear();
    // Best effort: an abandoned upload also expires on the server.
    await client.detached().delete(`${base}/${upload.id}`).catch(() => undefined);
    if ((err as Error).name === 'AbortError') throw new CliError(ExitCode.Interrupted, 'interrupted; the upload was aborted');
    throw err;
  }
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

async function fileSize(file: string): Promise<number> {
  let info;
  try {
    info = await stat(file);
  } catch (err) {
    throw new UsageError(`${file}: ${(err as NodeJS.ErrnoException).code === 'ENOENT' ? 'no such file' : (err as Error).message}`);
  }
  if (!info.isFile()) throw new UsageError(`${file} is not a file`);
  if (info.size === 0) throw new UsageError(`${file} is empty`);
  return info.size;
}
