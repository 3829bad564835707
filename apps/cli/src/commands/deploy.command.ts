import type { Command } from 'commander';
import { collect, parseEnvironmentName, parseProjectName, parseProxyRef } from '../arguments.js';
import { action, type CliRuntime } from '../command-context.js';
import { formatTable } from '../output/format.js';
import { deploymentTable, failedEnvironments, reportDeployment, type DeploymentResult } from '../jobs/deployment-summary.js';
import type { Job } from '../jobs/job-watcher.js';
import { followJob, jobWebhookBody, withJobWebhookOptions, type JobWebhookOptions } from './job-start.js';

interface DeployOptions extends JobWebhookOptions {
  project: string;
  proxy: string;
  env: string[];
  wait: boolean;
}

interface DeploymentState {
  proxy: { uuid: string; name: string; revision: number };
  items: { environment: string; revision: number; status: string; message: string | null; deployedAt: string; current: boolean }[];
}

function deploymentsPath(project: string, proxy: string): string {
  return `/v1/projects/${encodeURIComponent(project)}/apiProxies/${encodeURIComponent(proxy)}/deployments`;
}

function withDeployOptions(command: Command): Command {
  return withJobWebhookOptions(command)
    .requiredOption('--project <name>', 'project of the API proxy', parseProjectName)
    .requiredOption('--proxy <name>', 'API proxy name or uuid', parseProxyRef)
    .requiredOption('--env <name>', 'environment of the project (repeatable)', collect(parseEnvironmentName))
    .option('--no-wait', 'print the job id and exit without waiting');
}

export function registerDeployCommands(program: Command, runtime: CliRuntime): void {
  for (const [name, method, verb, past] of [
    ['deploy', 'POST', 'deployment', 'deployed'],
    ['undeploy', 'DELETE', 'undeployment', 'undeployed'],
  ] as const) {
    withDeployOptions(program.command(name))
      .description(
        name === 'deploy'
          ? "deploy an API proxy to environments through their gateways; exits 1 unless every environment took it"
          : 'take an API proxy off environments; exits 1 unless every environment did',
      )
      .addHelpText('after', `\nExample:\n  apiferry ${name} --project payments --proxy orders-api --env staging --env production`)
      .action(
        action(runtime, async (ctx, options: DeployOptions) => {
          const client = await ctx.client();
          const created = await client.request<Job>(method, deploymentsPath(options.project, options.proxy), { body: { environments: options.env, ...jobWebhookBody(options) } });
          return followJob(ctx, client, created, options.wait, (job) => {
            const result = job.result?.deploymentResult as DeploymentResult | undefined;
            const failed = failedEnvironments(result);
            ctx.output.result(job, () => [
              failed.length === 0
                ? `${past} ${options.proxy} ${name === 'deploy' ? 'to' : 'from'} ${options.env.join(', ')}`
                : `${options.proxy}: ${verb} failed on ${failed.map((r) => r.environmentName).join(', ')} (${failed.length} of ${result?.environmentResults.length ?? 0} environments)`,
              ...(result ? [deploymentTable(result)] : []),
            ]);
            return reportDeployment(result, ctx.output, verb);
          });
        }),
      );
  }

  program
    .command('deployments')
    .description('deployment state of API proxies')
    .command('list')
    .description('where an API proxy is deployed: one row per environment')
    .requiredOption('--project <name>', 'project of the API proxy', parseProjectName)
    .requiredOption('--proxy <name>', 'API proxy name or uuid', parseProxyRef)
    .action(
      action(runtime, async (ctx, options: { project: string; proxy: string }) => {
        const state = await (await ctx.client()).get<DeploymentState>(deploymentsPath(options.project, options.proxy));
        ctx.output.result(state, () =>
          state.items.length === 0
            ? `${state.proxy.name} is not deployed anywhere`
            : formatTable(
                ['ENVIRONMENT', 'REVISION', 'STATUS', 'CURRENT', 'DEPLOYED', 'MESSAGE'],
                state.items.map((d) => [d.environment, d.revision, d.status, d.current ? 'yes' : `no (proxy is at ${state.proxy.revision})`, d.deployedAt, d.message ?? '']),
              ),
        );
      }),
    );
}
