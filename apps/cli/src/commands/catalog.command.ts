import type { Command } from 'commander';
import { parseProjectName } from '../arguments.js';
import { action, type CliRuntime } from '../command-context.js';
import { formatTable } from '../output/format.js';

interface Project {
  name: string;
  description?: string | null;
  createdAt: string;
}

interface Proxy {
  uuid: string;
  name: string;
  basePath: string;
  version?: string;
  revision: number;
  endpoints: unknown[];
  maintenanceMode?: boolean;
}

export function registerCatalogCommands(program: Command, runtime: CliRuntime): void {
  program
    .command('projects')
    .description('projects this token can see')
    .command('list')
    .description('list projects')
    .action(
      action(runtime, async (ctx) => {
        const projects = await (await ctx.client()).all<Project>('/v1/projects');
        ctx.output.result({ items: projects }, () =>
          projects.length === 0 ? 'no projects' : formatTable(['NAME', 'DESCRIPTION', 'CREATED'], projects.map((p) => [p.name, p.description ?? '', p.createdAt])),
        );
      }),
    );

  program
    .command('proxies')
    .description('API proxies of a project')
    .command('list')
    .description('list the API proxies of a project (complete definitions with --output json)')
    .requiredOption('--project <name>', 'project', parseProjectName)
    .action(
      action(runtime, async (ctx, options: { project: string }) => {
        const proxies = await (await ctx.client()).all<Proxy>(`/v1/projects/${encodeURIComponent(options.project)}/apiProxies`);
        ctx.output.result({ items: proxies }, () =>
          proxies.length === 0
            ? `no API proxies in ${options.project}`
            : formatTable(
                ['NAME', 'BASE PATH', 'VERSION', 'REVISION', 'ENDPOINTS', 'UUID'],
                proxies.map((p) => [p.name, p.basePath, p.version ?? '', p.revision, p.endpoints.length, p.uuid]),
              ),
        );
      }),
    );
}
