import type { ApiClient, HttpAnswer } from './http.js';
import { eventually } from './service.js';

const TERMINAL = ['succeeded', 'failed', 'canceled'];

/** Waits for the job a 202 answer names to finish; returns its final record. */
export async function finishedJob(client: ApiClient, created: HttpAnswer, timeoutMs = 60_000): Promise<any> {
  if (created.status !== 202) throw new Error(`expected 202, got ${created.status}: ${JSON.stringify(created.body)}`);
  return eventually(
    async () => {
      const answer = await client.get(`/v1/jobs/${created.body.id}`);
      return TERMINAL.includes(answer.body.state) ? answer.body : undefined;
    },
    `job ${created.body.id} to finish`,
    timeoutMs,
  );
}

/** Follows the artifact redirect of an export job and returns the archive's bytes. */
export async function downloadArtifact(client: ApiClient, jobId: string): Promise<Buffer> {
  const redirect = await client.get(`/v1/jobs/${jobId}/artifact`);
  if (redirect.status !== 302) throw new Error(`expected a redirect, got ${redirect.status}: ${JSON.stringify(redirect.body)}`);
  const response = await fetch(redirect.headers.get('location') as string);
  if (!response.ok) throw new Error(`artifact download failed: ${response.status}`);
  return Buffer.from(await response.arrayBuffer());
}

/** Starts an import with the archive as a multipart form upload. */
export async function importForm(client: ApiClient, project: string, archive: Buffer, options: Record<string, unknown> = {}, fileName = 'archive.zip') {
  const form = new FormData();
  form.append('options', JSON.stringify(options));
  form.append('file', new Blob([new Uint8Array(archive)], { type: 'application/zip' }), fileName);
  const response = await fetch(`${client.baseUrl}/v1/projects/${project}/imports`, {
    method: 'POST',
    headers: { authorization: `Bearer ${client.token}` },
    body: form,
  });
  const text = await response.text();
  return { status: response.status, headers: response.headers, body: text ? JSON.parse(text) : undefined, contentType: response.headers.get('content-type') ?? '' } as HttpAnswer;
}
