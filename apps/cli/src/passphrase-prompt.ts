import { CliError, ExitCode, UsageError } from './cli-error.js';
import { passphraseFrom } from './arguments.js';
import type { TerminalStream } from './output/output.js';

/** What a prompt needs of stdin: a terminal that can be put in raw mode (no echo). */
export interface TerminalInput {
  isTTY?: boolean;
  setRawMode?(raw: boolean): unknown;
  on(event: 'data', listener: (chunk: Buffer | string) => void): unknown;
  off(event: 'data', listener: (chunk: Buffer | string) => void): unknown;
  resume(): unknown;
  pause(): unknown;
}

const ENTER = new Set(['\r', '\n']);
const BACKSPACE = new Set(['\x7f', '\b']);
const CTRL_C = '\x03';
const CTRL_D = '\x04';
const CTRL_U = '\x15';

/**
 * Asks for a passphrase on the terminal with echo off (raw mode: nothing typed is shown,
 * not even as stars), so it is neither on the screen nor in the process list nor in the
 * shell's history. Ctrl-C stops the command (exit 130); Ctrl-U clears what was typed.
 */
export function promptHidden(input: TerminalInput, output: TerminalStream, question: string): Promise<string> {
  if (!input.isTTY || !input.setRawMode) {
    return Promise.reject(new UsageError('--passphrase-prompt needs a terminal to ask on; in a pipeline use --passphrase-env VAR'));
  }
  output.write(question);
  input.setRawMode(true);
  input.resume();
  return new Promise((resolve, reject) => {
    let typed = '';
    const finish = (error?: Error) => {
      input.off('data', onData);
      input.setRawMode?.(false);
      input.pause();
      output.write('\n');
      if (error) reject(error);
      else resolve(typed);
    };
    const onData = (chunk: Buffer | string) => {
      for (const char of chunk.toString('utf8')) {
        if (ENTER.has(char)) return finish();
        if (char === CTRL_C) return finish(new CliError(ExitCode.Interrupted, 'interrupted'));
        if (char === CTRL_D && typed.length === 0) return finish(new UsageError('no passphrase given'));
        if (BACKSPACE.has(char)) typed = [...typed].slice(0, -1).join('');
        else if (char === CTRL_U) typed = '';
        else if (char >= ' ') typed += char;
      }
    };
    input.on('data', onData);
  });
}

export interface PassphraseOptions {
  passphraseEnv?: string;
  passphrasePrompt?: boolean;
}

/**
 * The passphrase from the environment variable `--passphrase-env` names, or asked for on
 * the terminal with `--passphrase-prompt` (twice when it seals an export: a typo there
 * would lock the secrets away). Never from argv.
 */
export async function resolvePassphrase(
  options: PassphraseOptions,
  runtime: { env: NodeJS.ProcessEnv; stdin?: TerminalInput; stderr: TerminalStream },
  purpose: 'seal' | 'open',
): Promise<string | undefined> {
  if (options.passphraseEnv !== undefined && options.passphrasePrompt) throw new UsageError('choose one of --passphrase-env and --passphrase-prompt');
  if (!options.passphrasePrompt) return passphraseFrom(options.passphraseEnv, runtime.env);
  if (!runtime.stdin) throw new UsageError('--passphrase-prompt needs a terminal to ask on; in a pipeline use --passphrase-env VAR');
  const question = purpose === 'seal' ? 'passphrase to seal the secrets with: ' : "the archive's passphrase: ";
  const passphrase = await promptHidden(runtime.stdin, runtime.stderr, question);
  if (passphrase.length === 0) throw new UsageError('no passphrase given');
  if (purpose === 'seal' && (await promptHidden(runtime.stdin, runtime.stderr, 'the same passphrase again: ')) !== passphrase) {
    throw new UsageError('the two passphrases differ; nothing was exported');
  }
  return passphrase;
}
