import type { Command } from 'commander';
import { parseEvents, parseWebhookUrl } from '../arguments.js';
import { ExitCode, UsageError } from '../cli-error.js';
import type { CommandContext } from '../command-context.js';
import type { ApiClient } from '../http/api-client.js';
import { failureLines } from '../jobs/job-summary.js';
import { reportOutcome, watchJob, type Job } from '../jobs/job-watcher.js';

export interface JobWebhookOptions {
  webhookUrl?: string;
  webhookEvents?: string[];
}

/** `--webhook-url` (and `--webhook-events`) for every job-starting command. */
export function withJobWebhookOptions(command: Command): Command {
  return command
    .option('--webhook-url <url>', "send this job's events to this URL (a webhook for this job alone; its signing secret is printed once)", parseWebhookUrl)
    .option('--webhook-events <list>', 'with --webhook-url: these events (default job.succeeded,job.failed,job.canceled,deployment.completed)', parseEvents);
}

/** The request body's `webhook` option, or nothing. */
export function jobWebhookBody(options: JobWebhookOptions): { webhook?: { url: string; events?: string[] } } {
  if (!options.webhookUrl) {
    if (options.webhookEvents) throw new UsageError('--webhook-events needs --webhook-url');
    return {};
  }
  return { webhook: { url: options.webhookUrl, ...(options.webhookEvents ? { events: options.webhookEvents } : {}) } };
}

/**
 * A job's own webhook secret is in the answer that created the job only. A person sees it
 * on stderr at once (the receiver needs it before the first event); JSON output carries it
 * in the job document printed at the end, the one time it is printed.
 */
function announceWebhook(ctx: CommandContext, created: Job): void {
  const webhook = created.webhook;
  if (!webhook?.secret) return;
  ctx.output.note(`webhook ${webhook.id} hears this job's ${webhook.events.join(', ')} at ${webhook.url}`);
  ctx.output.note(`its signing secret (shown only now): ${webhook.secret}`);
}

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
  announceWebhook(ctx, created);
  if (!wait) {
    ctx.output.result(created, () => created.id);
    ctx.output.note(`job ${created.id} ${created.state}; follow it with: apiferry jobs watch ${created.id}`);
    return ExitCode.Done;
  }
  ctx.output.note(`job ${created.id} (${created.kind}) started`);
  const job = await watchJob(client, ctx.output, created, ctx.signal);
  if (job.webhook && created.webhook?.secret) job.webhook = { ...job.webhook, secret: created.webhook.secret };
  if (job.state !== 'succeeded') {
    ctx.output.result(job, () => failureLines(job));
    return reportOutcome(job, ctx.output);
  }
  return (await onFinished(job)) ?? ExitCode.Done;
}
