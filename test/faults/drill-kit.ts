import { randomUUID } from 'node:crypto';
import { craftArchive } from '../support/archives.js';
import { proxyBody } from '../support/factory.js';
import type { ApiClient } from '../support/http.js';
import { eventually } from '../support/service.js';

/**
 * Fault drills run at a reduced size in CI (2,000 proxies) and at the issue's full size
 * (10,000) with APIFERRY_FAULT_DRILL_SIZE=full, e.g. `APIFERRY_FAULT_DRILL_SIZE=full npm run test:faults`.
 */
export const DRILL_PROXIES = process.env.APIFERRY_FAULT_DRILL_SIZE === 'full' ? 10_000 : 2_000;

/** An archive of `count` proxies named `<prefix>-<i>`, every one carrying `description`. */
export async function proxyArchive(count: number, prefix: string, description = 'drill'): Promise<{ archive: Buffer; names: string[] }> {
  const names = Array.from({ length: count }, (_, i) => `${prefix}-${i}`);
  const archive = await craftArchive(names.map((name) => ({ type: 'apiProxy', doc: { uuid: randomUUID(), ...proxyBody({ name, description }) } as never })));
  return { archive, names };
}

/** Every proxy of a project as the API lists it (all pages). */
export async function listProxies(client: ApiClient, project: string): Promise<{ name: string; description?: string; uuid: string }[]> {
  const all: { name: string; description?: string; uuid: string }[] = [];
  let cursor: string | null | undefined;
  do {
    const page = await client.get(`/v1/projects/${project}/apiProxies?limit=500${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`);
    if (page.status !== 200) throw new Error(`listing proxies answered ${page.status}: ${JSON.stringify(page.body)}`);
    all.push(...page.body.items);
    cursor = page.body.nextCursor;
  } while (cursor);
  return all;
}

/** Waits until the job reports `phase` with at least one unit done, and returns its record. */
export async function jobInPhase(client: ApiClient, jobId: string, phase: string, timeoutMs = 60_000): Promise<any> {
  return eventually(
    async () => {
      const job = (await client.get(`/v1/jobs/${jobId}`)).body;
      if (['succeeded', 'failed', 'canceled'].includes(job.state)) throw new Error(`job ${jobId} ended (${job.state}) before the drill could strike: ${JSON.stringify(job.error ?? job.result)}`);
      return job.progress?.phase === phase && job.progress.done > 0 ? job : undefined;
    },
    `job ${jobId} to be ${phase}`,
    timeoutMs,
    50,
  );
}

/** Polls until the job is terminal, tolerating a moment when the API cannot answer (a drill may have its database down). */
export async function settledJob(client: ApiClient, jobId: string, timeoutMs = 120_000): Promise<any> {
  return eventually(
    async () => {
      const answer = await client.get(`/v1/jobs/${jobId}`).catch(() => undefined);
      return answer?.status === 200 && ['succeeded', 'failed', 'canceled'].includes(answer.body.state) ? answer.body : undefined;
    },
    `job ${jobId} to finish`,
    timeoutMs,
  );
}
