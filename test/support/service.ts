import { spawn, type ChildProcess } from 'node:child_process';
import { join } from 'node:path';
import { serviceEnv } from './test-env.js';

const ENTRY = {
  api: join(process.cwd(), 'dist/apps/api/src/main.js'),
  worker: join(process.cwd(), 'dist/apps/worker/src/main.js'),
  /** `npm start`: embedded database and object store, worker in process. */
  standalone: join(process.cwd(), 'dist/apps/api/src/standalone.js'),
};
type ProcessKind = keyof typeof ENTRY;
const START_TIMEOUT_MS = 60_000;

export interface RunningProcess {
  kind: ProcessKind;
  child: ChildProcess;
  /** Base URL of an API process. */
  url: string;
  /** Every log line so far, for assertions and for failure messages. */
  output: string[];
  /** SIGTERM and wait for exit (SIGKILL after a bound). */
  stop(): Promise<void>;
  /** SIGKILL: the process gets no chance to clean up. */
  kill(): Promise<void>;
  exited: Promise<number | null>;
}

/**
 * Starts the built service (dist/) as a child process, the way production runs it, and
 * resolves once it says it is ready: the API when it listens, the worker when it takes jobs.
 */
export async function startProcess(kind: ProcessKind, overrides: Record<string, string> = {}): Promise<RunningProcess> {
  const env = { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '/tmp', ...serviceEnv({ PORT: '0', ...overrides }) };
  const child = spawn(process.execPath, [ENTRY[kind]], { env, stdio: ['ignore', 'pipe', 'pipe'] });
  const output: string[] = [];
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  const ready = new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`${kind} did not start in time:\n${output.slice(-30).join('\n')}`)), START_TIMEOUT_MS);
    const onLine = (line: string): void => {
      output.push(line);
      if (kind !== 'worker' && line.includes('"api listening"')) {
        clearTimeout(timer);
        resolve((JSON.parse(line) as { url: string }).url);
      }
      if (kind === 'worker' && line.includes('"worker listening for jobs"')) {
        clearTimeout(timer);
        resolve('');
      }
    };
    let pending = '';
    const onData = (chunk: Buffer): void => {
      pending += chunk.toString('utf8');
      const lines = pending.split('\n');
      pending = lines.pop() ?? '';
      lines.filter((l) => l.length > 0).forEach(onLine);
    };
    child.stdout?.on('data', onData);
    child.stderr?.on('data', onData);
    void exited.then((code) => {
      clearTimeout(timer);
      reject(new Error(`${kind} exited with ${code} before it was ready:\n${output.slice(-30).join('\n')}`));
    });
  });
  const url = await ready;
  const waitExit = async (signal: NodeJS.Signals, boundMs: number): Promise<void> => {
    if (child.exitCode !== null || child.signalCode !== null) return;
    child.kill(signal);
    const timer = setTimeout(() => child.kill('SIGKILL'), boundMs);
    await exited;
    clearTimeout(timer);
  };
  return {
    kind,
    child,
    url,
    output,
    exited,
    stop: () => waitExit('SIGTERM', 15_000),
    kill: () => waitExit('SIGKILL', 5_000),
  };
}

/** Polls until `check` returns a value (not undefined) or the deadline passes. */
export async function eventually<T>(check: () => Promise<T | undefined>, what: string, timeoutMs = 30_000, everyMs = 200): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let last: unknown;
  while (Date.now() < deadline) {
    try {
      const value = await check();
      if (value !== undefined) return value;
    } catch (err) {
      last = err;
    }
    await new Promise((r) => setTimeout(r, everyMs));
  }
  throw new Error(`timed out waiting for ${what}${last ? `: ${String(last)}` : ''}`);
}
