import type { Command } from 'commander';
import { UsageError } from '../cli-error.js';
import { action, type CliRuntime } from '../command-context.js';
import { normalizeServer } from '../config/connection.js';
import { checkContextName } from '../config/context-store.js';
import { formatTable } from '../output/format.js';

/** A token shown only by its first characters (what the server's listings call the prefix). */
export function maskToken(token: string | undefined): string {
  return token ? `${token.slice(0, 10)}...` : '';
}

export function registerContextCommands(program: Command, runtime: CliRuntime): void {
  const context = program.command('context').description('saved servers and tokens (contexts) in the config file');

  context
    .command('set')
    .description('create or update a context from the global --server and --token')
    .argument('<name>', 'context name')
    .option('--use', 'also make it the current context')
    .addHelpText('after', '\nExample:\n  apiferry context set staging --server https://apiferry.staging.internal --token "$STAGING_TOKEN" --use')
    .action(
      action(runtime, async (ctx, name: string, options: { use?: boolean }) => {
        checkContextName(name);
        const store = ctx.contexts;
        const config = await store.load();
        const existing = config.contexts[name];
        const { server, token } = ctx.globals;
        if (!existing && !server) throw new UsageError(`context "${name}" is new: pass --server URL (and --token TOKEN)`);
        if (existing && !server && !token && !options.use) throw new UsageError('nothing to change: pass --server, --token or --use');
        config.contexts[name] = {
          ...existing,
          ...(server ? { server: normalizeServer(server) } : {}),
          ...(token ? { token } : {}),
        };
        if (options.use || !config.currentContext) config.currentContext = name;
        await store.save(config);
        const saved = config.contexts[name];
        ctx.output.result({ name, server: saved.server, tokenPrefix: saved.token?.slice(0, 10) ?? null, current: config.currentContext === name, configFile: store.path }, () =>
          `context "${name}" saved in ${store.path}${config.currentContext === name ? ' (current)' : ''}`,
        );
      }),
    );

  context
    .command('use')
    .description('make a context the current one')
    .argument('<name>', 'context name')
    .action(
      action(runtime, async (ctx, name: string) => {
        const store = ctx.contexts;
        const config = await store.load();
        if (!config.contexts[name]) throw new UsageError(`no context "${name}" (apiferry context list shows the saved ones)`);
        config.currentContext = name;
        await store.save(config);
        ctx.output.result({ currentContext: name }, () => `current context: ${name}`);
      }),
    );

  context
    .command('list')
    .description('list the saved contexts')
    .action(
      action(runtime, async (ctx) => {
        const store = ctx.contexts;
        const config = await store.load();
        const contexts = Object.entries(config.contexts)
          .sort(([a], [b]) => a.localeCompare(b))
          .map(([name, saved]) => ({ name, server: saved.server ?? null, tokenPrefix: saved.token?.slice(0, 10) ?? null, current: config.currentContext === name }));
        ctx.output.result({ configFile: store.path, currentContext: config.currentContext ?? null, contexts }, () =>
          contexts.length === 0
            ? `no contexts in ${store.path}; add one with: apiferry context set NAME --server URL --token TOKEN`
            : formatTable(
                ['CURRENT', 'NAME', 'SERVER', 'TOKEN'],
                contexts.map((c) => [c.current ? '*' : '', c.name, c.server, maskToken(config.contexts[c.name].token)]),
              ),
        );
      }),
    );

  context
    .command('delete')
    .description('remove a saved context')
    .argument('<name>', 'context name')
    .action(
      action(runtime, async (ctx, name: string) => {
        const store = ctx.contexts;
        const config = await store.load();
        if (!config.contexts[name]) throw new UsageError(`no context "${name}"`);
        delete config.contexts[name];
        if (config.currentContext === name) delete config.currentContext;
        await store.save(config);
        ctx.output.result({ deleted: name }, () => `context "${name}" deleted`);
      }),
    );
}
