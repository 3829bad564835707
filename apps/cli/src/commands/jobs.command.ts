import { Option, type Command } from 'commander';
import { JOB_KINDS, JOB_STATES, parsePositiveInt, parseProjectName, parseUuid } from '../arguments.js';
import { CliError, ExitCode } from '../cli-error.js';
import { action, type CliRuntime } from '../command-context.js';
import type { Page } from '../http/api-client.js';
import { formatBytes, formatTable } from '../output/format.js';
import { downloadArtifact } from '../transfer/artifact-download.js';
import { jobLines, planTable, type ImportItem } from '../jobs/job-summary.js';
import { reportOutcome, watchJob, type Job } from '../jobs/job-watcher.js';
import { buildStory, PhaseRecorder, storyLines } from '../jobs/job-story.js';

function progressCell(job: Job): string {
  if (!job.progress || job.state !== 'running') return '';
  return job.progress.percent === null || job.progress.percent === undefined ? job.progress.phase : `${job.progress.phase} ${job.progress.percent}%`;
}

export function registerJobCommands(program: Command, runtime: CliRuntime): void {
  const jobs = program.command('jobs').description('export, import, deploy and inventory jobs');

  jobs
    .command('list')
    .description('list jobs, newest first')
    .option('--project <name>', 'only this project', parseProjectName)
    .addOption(new Option('--kind <kind>', 'only this kind').choices(JOB_KINDS))
    .addOption(new Option('--state <state>', 'only this state').choices(JOB_STATES))
    .option('--limit <n>', 'at most this many (1-500)', parsePositiveInt(500), 20)
    .action(
      action(runtime, async (ctx, options: { project?: string; kind?: string; state?: string; limit: number }) => {
        const page = await (await ctx.client()).get<Page<Job>>('/v1/jobs', { project: options.project, kind: options.kind, state: options.state, limit: options.limit });
        ctx.output.result(page, () =>
          page.items.length === 0
            ? 'no jobs'
            : formatTable(
                ['ID', 'KIND', 'PROJECT', 'STATE', 'PROGRESS', 'CREATED'],
                page.items.map((j) => [j.id, j.kind, j.project, j.state, progressCell(j), j.createdAt]),
              ),
        );
      }),
    );

  jobs
    .command('get')
    .description('show one job')
    .argument('<id>', 'job id', parseUuid)
    .action(
      action(runtime, async (ctx, id: string) => {
        const job = await (await ctx.client()).get<Job>(`/v1/jobs/${id}`);
        ctx.output.result(job, () => jobLines(job));
      }),
    );

  jobs
    .command('watch')
    .description('follow a job until it finishes; exits 0 when it succeeded, 1 when it failed or was canceled')
    .argument('<id>', 'job id', parseUuid)
    .action(
      action(runtime, async (ctx, id: string) => {
        const job = await watchJob(await ctx.client(), ctx.output, id, ctx.signal);
        ctx.output.result(job, () => jobLines(job));
        return reportOutcome(job, ctx.output);
      }),
    );

  jobs
    .command('report')
    .description("an import's whole per-asset report, every line (the job itself shows the first 1,000)")
    .argument('<id>', 'job id of an import', parseUuid)
    .option('--action <actions>', 'only these actions, comma-separated (create, overwrite, rename, skip, conflict, invalid, failed)')
    .action(
      action(runtime, async (ctx, id: string, options: { action?: string }) => {
        const items = await (await ctx.client()).all<ImportItem>(`/v1/jobs/${id}/report-items`, { limit: 5000, action: options.action });
        ctx.output.result({ items }, () => (items.length === 0 ? 'no report lines' : planTable(items)));
      }),
    );

  jobs
    .command('logs')
    .description("a job's story: its timeline, its error or result, the import's per-asset report and the outcome per environment")
    .argument('<id>', 'job id', parseUuid)
    .option('-f, --follow', 'follow a queued or running job to its end, noting each phase; then exit as jobs watch does')
    .addHelpText('after', '\nThe server keeps the latest progress report of a job, not a log: without --follow, the timeline shows the last phase reached.')
    .action(
      action(runtime, async (ctx, id: string, options: { follow?: boolean }) => {
        const client = await ctx.client();
        const phases = new PhaseRecorder();
        const job = options.follow ? await watchJob(client, ctx.output, id, ctx.signal, (seen) => phases.observe(seen)) : await client.get<Job>(`/v1/jobs/${id}`);
        const story = buildStory(job, phases.phases);
        ctx.output.result(story, () => storyLines(story));
        return options.follow ? reportOutcome(job, ctx.output) : ExitCode.Done;
      }),
    );

  jobs
    .command('cancel')
    .description('cancel a queued or running job')
    .argument('<id>', 'job id', parseUuid)
    .action(
      action(runtime, async (ctx, id: string) => {
        const job = await (await ctx.client()).post<Job>(`/v1/jobs/${id}/cancel`);
        ctx.output.result(job, () =>
          job.state === 'canceled'
            ? `job ${id} canceled`
            : job.cancelRequested && (job.state === 'running' || job.state === 'queued')
              ? `job ${id}: cancel requested; it stops at its next step (apiferry jobs watch ${id})`
              : `job ${id} had already finished: ${job.state}`,
        );
      }),
    );

  jobs
    .command('artifact')
    .description("download a finished export's archive")
    .argument('<id>', 'export job id', parseUuid)
    .requiredOption('-o, --out <file>', 'where to save the archive')
    .action(
      action(runtime, async (ctx, id: string, options: { out: string }) => {
        const client = await ctx.client();
        const job = await client.get<Job>(`/v1/jobs/${id}`);
        if (job.kind !== 'archive.export' && job.kind !== 'openapi.export') throw new CliError(ExitCode.Failed, `job ${id} is ${job.kind}, not an export`);
        const saved = await downloadArtifact(client, id, options.out, job.result?.artifact ?? {}, ctx.progressBar(), ctx.signal);
        ctx.output.result({ job: id, ...saved }, () => `saved ${saved.file} (${formatBytes(saved.bytes)}, sha256 ${saved.sha256})`);
      }),
    );
}
