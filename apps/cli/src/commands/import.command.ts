import { basename } from 'node:path';
import type { Command } from 'commander';
import { collect, parseConflicts, parseEnvironmentName, parseProjectName, type Conflicts } from '../arguments.js';
import { resolvePassphrase } from '../passphrase-prompt.js';
import { readOverrides } from '../overrides-file.js';
import { ExitCode, UsageError } from '../cli-error.js';
import { action, type CliRuntime, type CommandContext } from '../command-context.js';
import { formatBytes, plural } from '../output/format.js';
import { uploadArchive } from '../transfer/archive-upload.js';
import { SavedUploads, savedUploadsPath } from '../transfer/saved-uploads.js';
import { reportDeployment } from '../jobs/deployment-summary.js';
import { countsTable, importReportLines, planTable, type ImportReport } from '../jobs/job-summary.js';
import type { Job } from '../jobs/job-watcher.js';
import { followJob, jobWebhookBody, withJobWebhookOptions, type JobWebhookOptions } from './job-start.js';

interface ImportOptions extends JobWebhookOptions {
  project: string;
  conflicts?: Conflicts;
  overrides?: string;
  passphraseEnv?: string;
  passphrasePrompt?: boolean;
  dryRun?: boolean;
  deployTo?: string[];
  wait: boolean;
  exitCode?: boolean;
  /** commander's --no-resume. */
  resume: boolean;
}

function withImportOptions(command: Command): Command {
  return command
    .argument('<file>', 'the archive (.zip)')
    .requiredOption('--project <name>', 'project to import into', parseProjectName)
    .option('--conflicts <policy>', 'fail (default), overwrite, rename or keep; or per type: apiProxy=overwrite,policy=keep', parseConflicts)
    .option('--overrides <file>', 'YAML (or JSON) file with routing, maintenanceMode and/or endpointMap for the target environment, applied to every imported proxy')
    .option('--passphrase-env <var>', 'restore sealed secrets with the passphrase held in this environment variable')
    .option('--passphrase-prompt', 'restore sealed secrets with a passphrase asked for on the terminal (not echoed)')
    .option('--no-resume', 'start a new upload even if an earlier run left this file half uploaded, and abort the upload if this run fails');
}

/** Uploads the archive and starts the import job; everything checkable locally is checked first. */
async function startImport(ctx: CommandContext, file: string, options: ImportOptions, dryRun: boolean) {
  const deployTo = options.deployTo ?? [];
  if (dryRun && deployTo.length > 0) throw new UsageError('--deploy-to cannot be combined with --dry-run (a dry run deploys nothing)');
  const overrides = options.overrides ? await readOverrides(options.overrides) : {};
  const passphrase = await resolvePassphrase(options, ctx.runtime, 'open');
  const webhook = jobWebhookBody(options);
  const client = await ctx.client();
  const saved = new SavedUploads(savedUploadsPath(ctx.env));
  const { uploadId, size } = await uploadArchive(client, options.project, file, ctx.progressBar(), ctx.signal, saved, options.resume);
  ctx.output.note(`uploaded ${basename(file)} (${formatBytes(size)})`);
  const created = await client.post<Job>(`/v1/projects/${encodeURIComponent(options.project)}/imports`, {
    uploadId,
    ...(options.conflicts !== undefined ? { conflicts: options.conflicts } : {}),
    ...overrides,
    ...(passphrase ? { passphrase } : {}),
    ...(dryRun ? { dryRun: true } : {}),
    ...(deployTo.length > 0 ? { deploy: true, deployTargetEnvironmentNameList: deployTo } : {}),
    ...webhook,
  });
  return { client, created };
}

/** Whether applying the plan would change the project: any action other than skip. */
export function planHasChanges(report: ImportReport): boolean {
  return report.items.some((item) => item.action !== 'skip');
}

function planLines(report: ImportReport, project: string): string[] {
  const changes = report.items.filter((i) => i.action !== 'skip').length;
  const lines = report.items.length > 0 ? [planTable(report.items), ''] : [];
  lines.push(countsTable(report.counts), '');
  lines.push(changes === 0 ? `no changes: ${project} already has everything in the archive` : `${plural(changes, 'change')} to ${project} (${plural(report.items.length, 'asset')} in the archive)`);
  if (report.blocked) lines.push('the import would be refused: assets clash with the project (conflicts fail) or are invalid; choose --conflicts overwrite, rename or keep');
  for (const warning of report.secrets?.warnings ?? []) lines.push(`warning: ${warning}`);
  return lines;
}

export function registerImportCommands(program: Command, runtime: CliRuntime): void {
  withJobWebhookOptions(withImportOptions(program.command('import')))
    .description('import a local archive into a project (uploaded through presigned multipart URLs)')
    .option('--dry-run', 'compute and print the plan; change nothing')
    .option('--deploy-to <env>', 'after the import commits, deploy every imported proxy to this environment (repeatable; needs DEPLOY_UNDEPLOY)', collect(parseEnvironmentName))
    .option('--no-wait', 'print the job id and exit without waiting')
    .addHelpText('after', '\nExample:\n  apiferry import --project payments-prod payments.zip --conflicts apiProxy=overwrite,policy=keep --overrides prod-overrides.yaml')
    .action(
      action(runtime, async (ctx, file: string, options: ImportOptions) => {
        const dryRun = options.dryRun === true;
        const { client, created } = await startImport(ctx, file, options, dryRun);
        return followJob(ctx, client, created, options.wait, (job) => {
          const report = job.result as ImportReport;
          ctx.output.result(job, () => (dryRun ? planLines(report, options.project) : [`imported ${basename(file)} into ${options.project}`, ...importReportLines(report)]));
          // The import stands even when a gateway refused; the exit code says a deployment failed.
          return !dryRun && (options.deployTo ?? []).length > 0 ? reportDeployment(report.deploymentResult, ctx.output) : ExitCode.Done;
        });
      }),
    );

  withImportOptions(program.command('plan'))
    .description('show what importing an archive would change (a dry-run import), asset by asset')
    .option('--exit-code', 'exit 2 when the import would change anything, 0 when not')
    .addHelpText('after', '\nExample (in a pipeline):\n  apiferry plan --project payments-prod payments.zip --conflicts keep --exit-code')
    .action(
      action(runtime, async (ctx, file: string, options: ImportOptions) => {
        const { client, created } = await startImport(ctx, file, options, true);
        return followJob(ctx, client, created, true, (job) => {
          const report = job.result as ImportReport;
          ctx.output.result(job, () => planLines(report, options.project));
          return options.exitCode && planHasChanges(report) ? ExitCode.Changes : ExitCode.Done;
        });
      }),
    );
}
