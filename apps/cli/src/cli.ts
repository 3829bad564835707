import { Command, CommanderError, Option } from 'commander';
import { CliError, ExitCode } from './cli-error.js';
import type { CliRuntime } from './command-context.js';
import { registerCatalogCommands } from './commands/catalog.command.js';
import { registerContextCommands } from './commands/context.command.js';
import { registerDeployCommands } from './commands/deploy.command.js';
import { registerExportCommand } from './commands/export.command.js';
import { registerImportCommands } from './commands/import.command.js';
import { registerJobCommands } from './commands/jobs.command.js';
import { registerTokenCommands } from './commands/tokens.command.js';
import { registerWebhookCommands } from './commands/webhooks.command.js';
import { Output, OUTPUT_FORMATS } from './output/output.js';

/** A parse error (or help and version), already printed by commander. */
class ParseExit extends Error {
  constructor(
    readonly exitCode: number,
    readonly usageMessage: string | undefined,
  ) {
    super('parse exit');
  }
}

export function buildProgram(runtime: CliRuntime & { exitCode?: number }, version: string): Command {
  const program = new Command('apiferry')
    .description('Export, import, plan and deploy API-gateway proxies with an apiferry server, from a terminal or a pipeline.')
    .version(version, '-V, --version')
    .option('--server <url>', 'apiferry server URL (or APIFERRY_SERVER, or a context)')
    .option('--token <token>', 'access token (or APIFERRY_TOKEN, or a context)')
    .option('--context <name>', 'use this saved context instead of the current one')
    .addOption(new Option('--output <format>', 'text for people, json for machines').choices(OUTPUT_FORMATS).default('text'))
    .configureHelp({ showGlobalOptions: true })
    .addHelpText(
      'after',
      `
Exit codes: 0 done, 1 job, request or a deployment to an environment failed, 2 plan has changes (plan --exit-code),
3 usage error, 4 authentication or permission error, 5 server unreachable.`,
    );
  registerContextCommands(program, runtime);
  registerCatalogCommands(program, runtime);
  registerExportCommand(program, runtime);
  registerImportCommands(program, runtime);
  registerDeployCommands(program, runtime);
  registerJobCommands(program, runtime);
  registerTokenCommands(program, runtime);
  registerWebhookCommands(program, runtime);

  // Every command, nested ones included: one-line errors naming the command's help, and no
  // process.exit from inside commander.
  let usageMessage: string | undefined;
  const configure = (command: Command, path: string[]): void => {
    command
      .configureOutput({
        writeOut: (text) => void runtime.stdout.write(text),
        writeErr: (text) => void runtime.stderr.write(text),
        outputError: (text, write) => {
          usageMessage = text.trim().replace(/^error: /, '');
          write(`${text.trimEnd()} (see: ${[...path, '--help'].join(' ')})\n`);
        },
      })
      .exitOverride((err: CommanderError) => {
        throw new ParseExit(err.exitCode === 0 ? ExitCode.Done : ExitCode.Usage, usageMessage);
      });
    for (const sub of command.commands) configure(sub, [...path, sub.name()]);
  };
  configure(program, ['apiferry']);
  return program;
}

/** Runs one invocation and answers its exit code; never throws. */
export async function run(argv: string[], runtime: CliRuntime, version = 'dev'): Promise<number> {
  const state: CliRuntime & { exitCode?: number } = runtime;
  const program = buildProgram(state, version);
  try {
    await program.parseAsync(argv, { from: 'user' });
    return state.exitCode ?? ExitCode.Done;
  } catch (err) {
    const output = new Output(program.opts().output === 'json' ? 'json' : 'text', runtime.stdout, runtime.stderr);
    if (err instanceof ParseExit) {
      // Already on stderr; machine output still gets its one JSON document.
      if (output.json && err.usageMessage) runtime.stdout.write(`${JSON.stringify({ error: { exitCode: err.exitCode, message: err.usageMessage } }, null, 2)}\n`);
      return err.exitCode;
    }
    if (err instanceof CliError) {
      output.error(err);
      return err.exitCode;
    }
    if ((err as Error)?.name === 'AbortError') {
      output.error(new CliError(ExitCode.Interrupted, 'interrupted'));
      return ExitCode.Interrupted;
    }
    // A bug of the CLI itself: still one line, with the message that helps a report.
    output.error(new CliError(ExitCode.Failed, `unexpected: ${(err as Error)?.message ?? String(err)}`));
    if (runtime.env.APIFERRY_DEBUG) runtime.stderr.write(`${(err as Error)?.stack ?? ''}\n`);
    return ExitCode.Failed;
  }
}
