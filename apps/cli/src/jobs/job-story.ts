import { describeProblem } from '../cli-error.js';
import { formatBytes, formatTable } from '../output/format.js';
import { deploymentTable, type DeploymentResult, type EnvironmentResult } from './deployment-summary.js';
import { countsTable, countsText, planTable, type ImportItem, type ImportReport } from './job-summary.js';
import { isFinished, type Job } from './job-watcher.js';

/*
 * `jobs logs`: a job's story for a person. The server keeps a job's record, not a log: its
 * times, its latest progress report, and its result or error. The story is told from those,
 * plus every phase seen while following a running job.
 */

export interface TimelineEvent {
  at: string;
  event: 'created' | 'started' | 'phase' | 'succeeded' | 'failed' | 'canceled' | 'cancel requested';
  /** For `phase`: its name and how far it had got when seen. */
  phase?: string;
  done?: number;
  total?: number | null;
  detail?: string;
}

export interface JobStory {
  job: Job;
  timeline: TimelineEvent[];
  /** The problem document of a failed job: `title`, `detail`, `status`... */
  error: Record<string, unknown> | null;
  /** One line: what the job did, or why it did not. */
  summary: string;
  /** Imports (and refused imports): one row per asset of the archive. */
  assets: ImportItem[];
  /** Deployments, undeployments and imports with deploy: the outcome per environment. */
  environments: EnvironmentResult[];
}

/** Remembers each phase the first time it is seen, with the time of that report. */
export class PhaseRecorder {
  readonly phases: TimelineEvent[] = [];

  observe(job: Job): TimelineEvent | undefined {
    const progress = job.progress as (Job['progress'] & { updatedAt?: string }) | null;
    if (!progress?.phase) return undefined;
    const last = this.phases.at(-1);
    if (last?.phase === progress.phase) {
      last.done = progress.done;
      last.total = progress.total;
      return undefined;
    }
    const event: TimelineEvent = { at: progress.updatedAt ?? job.startedAt ?? job.createdAt, event: 'phase', phase: progress.phase, done: progress.done, total: progress.total };
    this.phases.push(event);
    return event;
  }
}

export function buildStory(job: Job, phases: TimelineEvent[] = []): JobStory {
  const recorder = new PhaseRecorder();
  for (const phase of phases) recorder.phases.push({ ...phase });
  recorder.observe(job);
  const timeline: TimelineEvent[] = [{ at: job.createdAt, event: 'created', detail: job.project ? `${job.kind} in ${job.project}` : job.kind }];
  if (job.startedAt) timeline.push({ at: job.startedAt, event: 'started', detail: job.attempts > 1 ? `attempt ${job.attempts}` : undefined });
  // A job that finished while queued (canceled) never started: its "done" phase says nothing.
  if (job.startedAt) timeline.push(...recorder.phases.filter((p) => !(isFinished(job) && p.phase === 'done' && recorder.phases.length > 1)));
  if (job.cancelRequested && job.state !== 'canceled') timeline.push({ at: job.finishedAt ?? new Date().toISOString(), event: 'cancel requested' });
  if (job.finishedAt && isFinished(job)) {
    const took = job.startedAt ? ` after ${formatSeconds(Date.parse(job.finishedAt) - Date.parse(job.startedAt))}` : '';
    // The reason of a failure is the story's summary, under the timeline.
    timeline.push({ at: job.finishedAt, event: job.state as 'succeeded' | 'failed' | 'canceled', detail: took.trim() || undefined });
  }
  timeline.sort((a, b) => Date.parse(a.at) - Date.parse(b.at));

  const report = (job.result ?? (job.error?.report as Record<string, unknown> | undefined) ?? null) as ImportReport | null;
  const assets = job.kind === 'archive.import' && Array.isArray(report?.items) ? report.items : [];
  const deployment = (job.result?.deploymentResult ?? job.error?.report?.deploymentResult) as DeploymentResult | undefined;
  return {
    job,
    timeline,
    error: job.state === 'failed' ? (job.error ?? { title: 'failed' }) : null,
    summary: summaryOf(job),
    assets,
    environments: deployment?.environmentResults ?? [],
  };
}

function summaryOf(job: Job): string {
  if (job.state === 'queued') return 'waiting for a worker';
  if (job.state === 'running') return `running: ${job.progress?.phase ?? 'starting'}`;
  if (job.state === 'canceled') return job.startedAt ? 'canceled while it ran' : 'canceled before it started';
  if (job.state === 'failed') return `failed: ${describeProblem(job.error, 'no reason given')}`;
  const result = job.result ?? {};
  switch (job.kind) {
    case 'archive.export':
      return `exported ${countsText(result.counts ?? {})}${result.artifact ? ` as ${result.artifact.fileName} (${formatBytes(result.artifact.size)}, sha256 ${result.artifact.sha256})` : ''}`;
    case 'archive.import': {
      const counts = (result.counts ?? {}) as Record<string, Record<string, number>>;
      const total = (action: string) => Object.values(counts).reduce((sum, byAction) => sum + (byAction[action] ?? 0), 0);
      const verb = result.dryRun ? 'planned (dry run, nothing changed)' : 'imported';
      return `${verb}: ${total('created')} created, ${total('overwritten')} overwritten, ${total('renamed')} renamed, ${total('skipped')} skipped, ${total('failed')} failed`;
    }
    case 'proxy.deploy':
    case 'proxy.undeploy': {
      const deployment = result.deploymentResult as DeploymentResult | undefined;
      const failed = (deployment?.environmentResults ?? []).filter((r) => !r.success).map((r) => r.environmentName);
      const verb = job.kind === 'proxy.deploy' ? 'deployed' : 'undeployed';
      return failed.length === 0 ? `${verb} on every environment` : `${verb} with failures on ${failed.join(', ')}`;
    }
    case 'project.inventory':
      return `counted ${result.totals?.count ?? 0} assets (${formatBytes(result.totals?.definitionBytes ?? 0)} of definitions)`;
    default:
      return 'succeeded';
  }
}

function formatSeconds(ms: number): string {
  return ms < 10_000 ? `${(ms / 1000).toFixed(1)} s` : `${Math.round(ms / 1000)} s`;
}

/** `05:40:01.123` within the story's day; the date is in the first line. */
function clock(at: string): string {
  return at.slice(11, 23);
}

export function timelineLine(event: TimelineEvent): string {
  let what: string;
  if (event.event === 'phase') {
    const share = event.total ? ` (${event.done ?? 0}/${event.total})` : event.done ? ` (${event.done})` : '';
    what = `${event.phase}${share}`;
  } else if (event.event === 'created') {
    what = event.detail ? `created: ${event.detail}` : 'created';
  } else if (event.event === 'started') {
    what = event.detail ? `started (${event.detail})` : 'started';
  } else {
    what = event.detail ? `${event.event} ${event.detail}` : event.event;
  }
  return `${clock(event.at)}  ${what}`;
}

/** The whole story as text. */
export function storyLines(story: JobStory): string[] {
  const { job } = story;
  const lines = [`job ${job.id}  ${job.kind}${job.project ? `  project ${job.project}` : ''}  ${job.createdAt.slice(0, 10)} (UTC)`, ''];
  lines.push(...story.timeline.map(timelineLine), '');
  lines.push(story.summary);
  const problem = story.error;
  if (problem && Array.isArray(problem.errors) && problem.errors.length > 0) {
    lines.push('', formatTable(['WHERE', 'PROBLEM'], (problem.errors as { pointer?: string; detail?: string }[]).map((e) => [e.pointer ?? '', e.detail ?? ''])));
  }
  const report = (job.result ?? job.error?.report) as ImportReport | undefined;
  if (job.kind === 'archive.import' && report?.counts) lines.push('', countsTable(report.counts));
  if (story.assets.length > 0) lines.push('', 'assets:', planTable(story.assets));
  for (const warning of report?.secrets?.warnings ?? []) lines.push(`warning: ${warning}`);
  if (story.environments.length > 0) lines.push('', 'environments:', deploymentTable({ success: true, environmentResults: story.environments }));
  if (job.kind === 'project.inventory' && job.result?.assets) {
    lines.push('', formatTable(['TYPE', 'COUNT', 'BYTES'], (job.result.assets as { type: string; count: number; definitionBytes: number }[]).map((a) => [a.type, a.count, a.definitionBytes])));
  }
  if (job.webhook) lines.push('', `webhook ${job.webhook.id} (${job.webhook.url}): apiferry webhooks deliveries --project ${job.project ?? 'PROJECT'} ${job.webhook.id}`);
  return lines;
}
