import { createHash } from 'node:crypto';
import { createWriteStream } from 'node:fs';
import { rename, rm } from 'node:fs/promises';
import { Readable, Transform } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type { ReadableStream as WebReadableStream } from 'node:stream/web';
import { CliError, ExitCode } from '../cli-error.js';
import { guardedFetch, networkError, problemFrom, type ApiClient } from '../http/api-client.js';
import { TransferMeter, type ProgressBar } from '../output/progress-bar.js';

export interface Artifact {
  size?: number;
  sha256?: string;
}

export interface DownloadedArchive {
  file: string;
  bytes: number;
  sha256: string;
}

/**
 * Saves an export's archive: asks the API for the artifact (a redirect to a presigned
 * link) and streams the object straight to `<file>.partial`, hashing on the way; only a
 * complete download whose SHA-256 matches the job's result is renamed to `file`.
 */
export async function downloadArtifact(client: ApiClient, jobId: string, file: string, expected: Artifact, bar: ProgressBar, signal: AbortSignal): Promise<DownloadedArchive> {
  const path = `/v1/jobs/${jobId}/artifact`;
  const answer = await client.send('GET', path);
  const location = answer.headers.get('location');
  if (answer.status < 300 || answer.status >= 400 || !location) {
    if (answer.ok) await answer.body?.cancel();
    throw answer.ok ? new CliError(ExitCode.Failed, `${path} did not redirect to the archive`) : await problemFrom(answer, `GET ${path}`);
  }
  await answer.body?.cancel();
  const url = new URL(location, client.server);
  // The presigned link carries its own authorization: the API token must not travel there.
  const response = await guardedFetch(url, { signal }, `the object store (${url.host})`);
  if (!response.ok || !response.body) {
    await response.body?.cancel();
    throw new CliError(ExitCode.Failed, `the archive download failed: HTTP ${response.status}`);
  }
  const length = Number(response.headers.get('content-length'));
  const meter = new TransferMeter(bar, 'downloading', Number.isFinite(length) && length > 0 ? length : (expected.size ?? null));
  const hash = createHash('sha256');
  const counter = new Transform({
    transform(chunk: Buffer, _encoding, callback) {
      hash.update(chunk);
      meter.add(chunk.length);
      callback(null, chunk);
    },
  });
  const partial = `${file}.partial`;
  try {
    await pipeline(Readable.fromWeb(response.body as unknown as WebReadableStream<Uint8Array>), counter, createWriteStream(partial));
  } catch (err) {
    bar.clear();
    await rm(partial, { force: true });
    if ((err as NodeJS.ErrnoException).syscall) throw new CliError(ExitCode.Failed, `cannot write ${file}: ${(err as Error).message}`);
    throw networkError(err, `the object store (${url.host})`);
  }
  meter.finish();
  const sha256 = hash.digest('hex');
  if (expected.sha256 && expected.sha256 !== sha256) {
    await rm(partial, { force: true });
    throw new CliError(ExitCode.Failed, `the downloaded archive's SHA-256 ${sha256} differs from the export's ${expected.sha256}; nothing was saved`);
  }
  await rename(partial, file);
  return { file, bytes: meter.done, sha256 };
}
