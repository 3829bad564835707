import { stat } from 'node:fs/promises';
import { basename, dirname, resolve } from 'node:path';
import type { Command } from 'commander';
import { collect, parseInclude, parseProjectName } from '../arguments.js';
import { resolvePassphrase } from '../passphrase-prompt.js';
import { UsageError } from '../cli-error.js';
import { action, type CliRuntime } from '../command-context.js';
import { formatBytes } from '../output/format.js';
import { downloadArtifact } from '../transfer/artifact-download.js';
import { countsText } from '../jobs/job-summary.js';
import type { Job } from '../jobs/job-watcher.js';
import { followJob, jobWebhookBody, withJobWebhookOptions, type JobWebhookOptions } from './job-start.js';

interface ExportOptions extends JobWebhookOptions {
  project: string;
  proxy?: string[];
  include?: Record<string, boolean>;
  passphraseEnv?: string;
  passphrasePrompt?: boolean;
  out?: string;
  wait: boolean;
}

const ARCHIVE_FILE_NAME = /^[A-Za-z0-9._-]{1,120}\.zip$/i;

async function checkWritableTarget(file: string): Promise<void> {
  const dir = dirname(resolve(file));
  const info = await stat(dir).catch(() => undefined);
  if (!info?.isDirectory()) throw new UsageError(`-o ${file}: the directory ${dir} does not exist`);
  const existing = await stat(file).catch(() => undefined);
  if (existing?.isDirectory()) throw new UsageError(`-o ${file} is a directory; name a file`);
}

export function registerExportCommand(program: Command, runtime: CliRuntime): void {
  withJobWebhookOptions(program.command('export'))
    .description('export a project, or some of its proxies, to a local archive')
    .requiredOption('--project <name>', 'project to export', parseProjectName)
    .option('--proxy <name>', 'a proxy name or uuid to export (repeatable; default: the whole project)', collect(String))
    .option('--include <list>', 'also include: applications, resources, scopes, deploymentState, secrets (comma-separated; no-NAME leaves one out)', parseInclude)
    .option('--passphrase-env <var>', 'seal secrets with the passphrase held in this environment variable')
    .option('--passphrase-prompt', 'seal secrets with a passphrase asked for on the terminal (twice, not echoed)')
    .option('-o, --out <file>', 'where to save the archive (required unless --no-wait)')
    .option('--no-wait', 'print the job id and exit without waiting or downloading')
    .addHelpText('after', '\nExample:\n  APIFERRY_PASSPHRASE=... apiferry export --project payments --include resources --passphrase-env APIFERRY_PASSPHRASE -o payments.zip')
    .action(
      action(runtime, async (ctx, options: ExportOptions) => {
        if (options.wait && !options.out) throw new UsageError('export needs -o FILE to save the archive to (or --no-wait)');
        if (options.out) await checkWritableTarget(options.out);
        const passphrase = await resolvePassphrase(options, ctx.runtime, 'seal');
        const webhook = jobWebhookBody(options);
        const client = await ctx.client();
        const name = options.out ? basename(options.out) : undefined;
        const created = await client.post<Job>(`/v1/projects/${encodeURIComponent(options.project)}/exports`, {
          ...(options.proxy ? { proxies: options.proxy } : {}),
          ...(options.include ? { include: options.include } : {}),
          ...(passphrase ? { passphrase } : {}),
          ...(name && ARCHIVE_FILE_NAME.test(name) ? { fileName: name } : {}),
          ...webhook,
        });
        return followJob(ctx, client, created, options.wait, async (job) => {
          const saved = await downloadArtifact(client, job.id, options.out as string, job.result?.artifact ?? {}, ctx.progressBar(), ctx.signal);
          const counts = (job.result?.counts ?? {}) as Record<string, number>;
          ctx.output.result({ job: job.id, file: saved.file, bytes: saved.bytes, sha256: saved.sha256, counts, secrets: job.result?.secrets ?? null, ...(job.webhook ? { webhook: job.webhook } : {}) }, () => [
            `exported ${countsText(counts)} from ${options.project}`,
            `saved ${saved.file} (${formatBytes(saved.bytes)}, sha256 ${saved.sha256})${job.result?.secrets === 'sealed' ? ', secrets sealed' : ''}`,
          ]);
        });
      }),
    );
}
