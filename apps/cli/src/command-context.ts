import type { Command } from 'commander';
import type { ExitCode } from './cli-error.js';
import { resolveConnection } from './config/connection.js';
import { configPath, ContextStore } from './config/context-store.js';
import { ApiClient } from './http/api-client.js';
import { Output, type OutputFormat, type TerminalStream } from './output/output.js';
import { ProgressBar } from './output/progress-bar.js';
import type { TerminalInput } from './passphrase-prompt.js';

/** What the process gives the CLI; tests may hand in their own. */
export interface CliRuntime {
  env: NodeJS.ProcessEnv;
  stdout: TerminalStream;
  stderr: TerminalStream;
  /** For --passphrase-prompt; absent where nobody can be asked. */
  stdin?: TerminalInput;
  /** Aborted by Ctrl-C (SIGINT) or SIGTERM. */
  signal: AbortSignal;
}

export interface GlobalOptions {
  server?: string;
  token?: string;
  context?: string;
  output: OutputFormat;
}

/** One command's view of the runtime and the global options. */
export class CommandContext {
  readonly globals: GlobalOptions;
  readonly output: Output;

  constructor(
    readonly runtime: CliRuntime,
    command: Command,
  ) {
    this.globals = command.optsWithGlobals<GlobalOptions>();
    this.output = new Output(this.globals.output, runtime.stdout, runtime.stderr);
  }

  get env(): NodeJS.ProcessEnv {
    return this.runtime.env;
  }

  get signal(): AbortSignal {
    return this.runtime.signal;
  }

  get contexts(): ContextStore {
    return new ContextStore(configPath(this.runtime.env));
  }

  async client(): Promise<ApiClient> {
    const config = await this.contexts.load();
    return new ApiClient(resolveConnection(this.globals, this.runtime.env, config), this.runtime.signal);
  }

  progressBar(): ProgressBar {
    return new ProgressBar(this.runtime.stderr, { plain: !this.output.json });
  }
}

export type Handler<A extends unknown[]> = (context: CommandContext, ...args: A) => Promise<ExitCode | void>;

/**
 * Adapts a handler to commander's action signature (positional arguments, options, the
 * command) and records its exit code for main.
 */
export function action<A extends unknown[]>(runtime: CliRuntime & { exitCode?: number }, handler: Handler<A>) {
  return async (...args: unknown[]): Promise<void> => {
    const command = args[args.length - 1] as Command;
    const code = await handler(new CommandContext(runtime, command), ...(args.slice(0, -1) as A));
    runtime.exitCode = code ?? 0;
  };
}
