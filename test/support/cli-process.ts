import { execFile } from 'node:child_process';
import { join } from 'node:path';

export const NODE = join(process.cwd(), 'node_modules/.bin/node');
export const CLI = join(process.cwd(), 'bin/apiferry.mjs');

export interface CliRun {
  code: number;
  stdout: string;
  stderr: string;
  /** Wall-clock milliseconds the command took. */
  ms: number;
}

/**
 * Runs the built CLI (bin/apiferry.mjs) as a child process, as a user or a pipeline would,
 * with only the environment given (plus PATH): nothing leaks in from the test runner.
 */
export function runCli(args: string[], env: Record<string, string>, options: { cwd: string; timeoutMs?: number }): Promise<CliRun> {
  const started = Date.now();
  return new Promise((resolve) => {
    execFile(NODE, [CLI, ...args], { env: { PATH: process.env.PATH ?? '', ...env }, cwd: options.cwd, timeout: options.timeoutMs ?? 90_000, maxBuffer: 64 * 1024 * 1024 }, (error, stdout, stderr) => {
      const code = error ? (typeof error.code === 'number' ? error.code : -1) : 0;
      resolve({ code, stdout, stderr, ms: Date.now() - started });
    });
  });
}
