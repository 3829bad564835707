import { ExitCode } from '../cli-error.js';
import type { CommandContext } from '../command-context.js';
import type { ApiClient } from '../http/api-client.js';
import { failureLines } from '../jobs/job-summary.js';
import { reportOutcome, watchJob, type Job } from '../jobs/job-watcher.js';

/**
 * After a job-starting request: with `--no-wait`, the job id (text) or the job (JSON) and
 * exit 0; otherwise the job is watched to its end and `onFinished` reports it. A job that did
 * not succeed prints `error: <title>: <detail>` and exits 1.
 */
export async function followJob(
  ctx: CommandContext,
  client: ApiClient,
  created: Job,
  wait: boolean,
  onFinished: (job: Job) => Promise<ExitCode | void> | ExitCode | void,
): Promise<ExitCode> {
  if (!wait) {
    ctx.output.result(created, () => created.id);
    ctx.output.note(`job ${created.id} ${created.state}; follow it with: apiferry jobs watch ${created.id}`);
    return ExitCode.Done;
  }
  ctx.output.note(`job ${created.id} (${created.kind}) started`);
  const job = await watchJob(client, ctx.output, created, ctx.signal);
  if (job.state !== 'succeeded') {
    ctx.output.result(job, () => failureLines(job));
    return reportOutcome(job, ctx.output);
  }
  return (await onFinished(job)) ?? ExitCode.Done;
}
