import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { chownSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { createServer, type AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';

/**
 * Throw-away Redis and PostgreSQL servers for fault drills, on free loopback ports, that a
 * drill may kill and start again without disturbing the servers every other test shares.
 */

const run = promisify(execFile);
const READY_TIMEOUT_MS = 30_000;

export async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise((resolve) => server.close(resolve));
  return port;
}

async function until(what: string, check: () => Promise<boolean>): Promise<void> {
  const deadline = Date.now() + READY_TIMEOUT_MS;
  while (Date.now() < deadline) {
    if (await check().catch(() => false)) return;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  throw new Error(`timed out waiting for ${what}`);
}

async function killAndWait(child: ChildProcess | undefined, signal: NodeJS.Signals): Promise<void> {
  if (!child || child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise((resolve) => child.once('exit', resolve));
  child.kill(signal);
  await exited;
}

export interface PrivateRedis {
  url: string;
  /** Kills Redis (SIGKILL: nothing is saved) and starts an empty one on the same port. */
  restartEmpty(): Promise<void>;
  stop(): Promise<void>;
}

export async function startPrivateRedis(): Promise<PrivateRedis> {
  const port = await freePort();
  let child: ChildProcess | undefined;
  const start = async () => {
    child = spawn('redis-server', ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no'], { stdio: 'ignore' });
    await until(`redis on ${port}`, async () => (await run('redis-cli', ['-p', String(port), 'ping'])).stdout.trim() === 'PONG');
  };
  await start();
  return {
    url: `redis://127.0.0.1:${port}`,
    restartEmpty: async () => {
      await killAndWait(child, 'SIGKILL');
      await start();
    },
    stop: () => killAndWait(child, 'SIGKILL'),
  };
}

export interface PrivatePostgres {
  url: string;
  /** An immediate shutdown (SIGQUIT: no checkpoint, open transactions die), as a crash would. */
  crash(): Promise<void>;
  /** Starts it again (crash recovery runs) and waits until it accepts connections. */
  start(): Promise<void>;
  stop(): Promise<void>;
}

/**
 * initdb into a temporary directory and a postmaster on a free port, trust auth. As root
 * (CI), the server runs as the `postgres` user, which PostgreSQL insists on.
 */
export async function startPrivatePostgres(): Promise<PrivatePostgres> {
  const version = readdirSync('/usr/lib/postgresql').sort((a, b) => Number(a) - Number(b)).at(-1);
  if (!version) throw new Error('no PostgreSQL server binaries under /usr/lib/postgresql');
  const bin = `/usr/lib/postgresql/${version}/bin`;
  const dir = mkdtempSync(join(tmpdir(), 'apiferry-pg-'));
  const asRoot = process.getuid?.() === 0;
  if (asRoot) {
    chownSync(dir, Number((await run('id', ['-u', 'postgres'])).stdout.trim()), Number((await run('id', ['-g', 'postgres'])).stdout.trim()));
  }
  // setpriv execs the command itself (runuser would fork and stand between us and its signals).
  const as = (command: string, args: string[]): [string, string[]] =>
    asRoot ? ['setpriv', ['--reuid=postgres', '--regid=postgres', '--init-groups', command, ...args]] : [command, args];
  const port = await freePort();
  const data = join(dir, 'data');
  const [initCommand, initArgs] = as(`${bin}/initdb`, ['-D', data, '-U', 'postgres', '--auth=trust', '-E', 'UTF8', '--no-sync']);
  await run(initCommand, initArgs);
  let child: ChildProcess | undefined;
  const start = async () => {
    const [command, args] = as(`${bin}/postgres`, ['-D', data, '-p', String(port), '-k', dir, '-c', 'listen_addresses=127.0.0.1', '-c', 'fsync=off']);
    child = spawn(command, args, { stdio: 'ignore' });
    await until(`PostgreSQL on ${port}`, async () => {
      await run('pg_isready', ['-h', '127.0.0.1', '-p', String(port)]);
      return true;
    });
  };
  await start();
  return {
    url: `postgres://postgres@127.0.0.1:${port}/postgres`,
    crash: () => killAndWait(child, 'SIGQUIT'),
    start,
    stop: async () => {
      await killAndWait(child, 'SIGQUIT');
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
