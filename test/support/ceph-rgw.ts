import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { randomBytes, randomUUID } from 'node:crypto';
import { closeSync, openSync, rmSync } from 'node:fs';
import { mkdir, mkdtemp, open, rm, writeFile } from 'node:fs/promises';
import { createServer, type Server } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export interface CephRgwOptions {
  /** RAM the in-memory OSD may hold; memstore keeps every object in memory. */
  memstoreBytes?: number;
  accessKeyId?: string;
  secretAccessKey?: string;
}

export interface CephRgw {
  endpoint: string;
  accessKeyId: string;
  secretAccessKey: string;
  region: string;
  stop(): Promise<void>;
  /** Fault drills: kills the gateway (SIGKILL) while the cluster behind it keeps the objects. */
  stopGateway(): Promise<void>;
  /** Starts the gateway again on the same port and waits until it answers S3 requests. */
  startGateway(): Promise<void>;
}

const HOST = '127.0.0.1';
const DEFAULT_MEMSTORE_BYTES = 2 * 1024 ** 3;
const COMMAND_TIMEOUT_MS = 30_000;
const STARTUP_DEADLINE_MS = 60_000;
const STOP_GRACE_MS = 5_000;
const LOG_TAIL_LINES = 40;
const OSD_ID = '0';

interface Daemon {
  name: string;
  child: ChildProcess;
  exited: Promise<void>;
  /** Ceph's own log file, plus the daemon's stdout/stderr capture. */
  logFiles: string[];
}

class CephStartError extends Error {
  readonly logFiles: string[];

  constructor(message: string, logFiles: string[]) {
    super(message);
    this.logFiles = logFiles;
  }
}

/**
 * Starts a throw-away Ceph cluster (one monitor, one in-memory OSD) with a RADOS Gateway in
 * front, all on loopback, and creates an S3 user. Every file lives in one temporary directory.
 */
export async function startCephRgw(opts: CephRgwOptions = {}): Promise<CephRgw> {
  const accessKeyId = opts.accessKeyId ?? `AK${randomBytes(9).toString('hex').toUpperCase()}`;
  const secretAccessKey = opts.secretAccessKey ?? randomBytes(30).toString('base64url');
  const memstoreBytes = opts.memstoreBytes ?? DEFAULT_MEMSTORE_BYTES;

  const dir = await mkdtemp(join(tmpdir(), 'apiferry-ceph-'));
  const daemons: Daemon[] = [];
  let stopped: Promise<void> | undefined;

  const killOnExit = (): void => {
    for (const daemon of daemons) daemon.child.kill('SIGKILL');
    rmSync(dir, { recursive: true, force: true });
  };
  process.once('exit', killOnExit);

  const stop = (): Promise<void> => {
    stopped ??= (async () => {
      process.removeListener('exit', killOnExit);
      // Stop clients before servers: a gateway whose OSD is gone hangs on its final writes,
      // and an OSD whose monitor is gone waits 5 s (osd_mon_shutdown_timeout) to report down.
      for (const kind of ['client.', 'osd.', 'mon.']) {
        await Promise.all(daemons.filter((daemon) => daemon.name.startsWith(kind)).map(terminate));
      }
      await rm(dir, { recursive: true, force: true });
    })();
    return stopped;
  };

  try {
    const [rgwPort, monV2Port, monV1Port] = await freePorts(3);
    const fsid = randomUUID();
    const osdUuid = randomUUID();
    const conf = join(dir, 'ceph.conf');
    const monAddrs = `[v2:${HOST}:${monV2Port},v1:${HOST}:${monV1Port}]`;
    const monmap = join(dir, 'monmap');
    await Promise.all(['run', 'log', 'mon', `osd/${OSD_ID}`, 'rgw'].map((sub) => mkdir(join(dir, sub), { recursive: true })));

    // Every key is made here and handed to the monitor at mkfs, so no `ceph auth` round trips
    // (each costs ≈ 0.4 s of Python start-up) are needed once the monitor runs.
    const keys = {
      mon: keyringEntry('mon.', { mon: 'allow *' }),
      admin: keyringEntry('client.admin', { mon: 'allow *', osd: 'allow *', mds: 'allow *', mgr: 'allow *' }),
      osd: keyringEntry(`osd.${OSD_ID}`, { osd: 'allow *', mon: 'allow profile osd' }),
      rgw: keyringEntry('client.rgw.gw', { mon: 'allow rw', osd: 'allow rwx' }),
    };
    const monKeyring = join(dir, 'mon.keyring');
    await Promise.all([
      writeFile(conf, cephConf({ dir, fsid, monAddrs, rgwPort, memstoreBytes })),
      writeFile(monKeyring, Object.values(keys).join('')),
      writeFile(join(dir, 'admin.keyring'), keys.admin),
      writeFile(join(dir, 'osd', OSD_ID, 'keyring'), keys.osd),
      writeFile(join(dir, 'rgw', 'keyring'), keys.rgw),
    ]);

    await Promise.all([
      (async () => {
        await run('monmaptool', ['--create', '--fsid', fsid, '--addv', 'a', monAddrs, monmap]);
        await run('ceph-mon', ['-c', conf, '--mkfs', '-i', 'a', '--monmap', monmap, '--keyring', monKeyring]);
        daemons.push(startDaemon(dir, 'mon.a', 'ceph-mon', ['-c', conf, '-f', '-i', 'a']));
        // The first command to reach the monitor, so it doubles as the wait for quorum.
        const osdId = (await run('ceph', ['-c', conf, '--connect-timeout', '20', 'osd', 'new', osdUuid, OSD_ID])).trim();
        if (osdId !== OSD_ID) throw new Error(`ceph osd new answered ${JSON.stringify(osdId)}, wanted ${OSD_ID}`);
      })(),
      // The OSD's store needs only the fsid from ceph.conf, so it is made while the monitor starts.
      run('ceph-osd', ['-c', conf, '--no-mon-config', '-i', OSD_ID, '--mkfs', '--osd-uuid', osdUuid]),
    ]);
    daemons.push(startDaemon(dir, `osd.${OSD_ID}`, 'ceph-osd', ['-c', conf, '-f', '-i', OSD_ID]));
    // The gateway's start-up writes its zone objects to the OSD, so its first S3 answer also
    // proves the OSD up; starting it now overlaps its pool creation with the OSD's boot.
    daemons.push(startDaemon(dir, 'client.rgw.gw', 'radosgw', ['-c', conf, '-f', '-n', 'client.rgw.gw']));
    const deadline = Date.now() + STARTUP_DEADLINE_MS;

    const endpoint = `http://${HOST}:${rgwPort}`;
    // A bare open port is not proof: the gateway answers S3 only once its pools exist.
    const gatewayAnswers = (until: number) =>
      waitUntil('the gateway to answer S3 requests', until, daemons, async () => {
        try {
          const response = await fetch(`${endpoint}/`, { method: 'HEAD', signal: AbortSignal.timeout(2_000) });
          return response.headers.has('x-amz-request-id');
        } catch {
          return false;
        }
      });
    await gatewayAnswers(deadline);
    const stopGateway = async () => {
      const index = daemons.findIndex((daemon) => daemon.name === 'client.rgw.gw');
      if (index < 0) return;
      const [gateway] = daemons.splice(index, 1);
      gateway!.child.kill('SIGKILL');
      await gateway!.exited;
    };
    const startGateway = async () => {
      if (daemons.some((daemon) => daemon.name === 'client.rgw.gw')) return;
      daemons.push(startDaemon(dir, 'client.rgw.gw', 'radosgw', ['-c', conf, '-f', '-n', 'client.rgw.gw']));
      await gatewayAnswers(Date.now() + STARTUP_DEADLINE_MS);
    };

    await run('radosgw-admin', [
      '-c', conf, '-n', 'client.admin', 'user', 'create', '--uid=test', '--display-name=test',
      `--access-key=${accessKeyId}`, `--secret=${secretAccessKey}`,
    ]);

    return { endpoint, accessKeyId, secretAccessKey, region: 'us-east-1', stop, stopGateway, startGateway };
  } catch (error) {
    const logFiles = error instanceof CephStartError ? error.logFiles : daemons.flatMap((daemon) => daemon.logFiles);
    const tails = await Promise.all(logFiles.map(async (file) => `--- ${file}\n${await tail(file)}`));
    await stop();
    const message = error instanceof Error ? error.message : String(error);
    throw new Error(`Ceph RADOS Gateway failed to start: ${message}\n${tails.join('\n')}`, { cause: error });
  }
}

/** A keyring section as ceph-authtool writes it, with a fresh AES key. */
function keyringEntry(entity: string, caps: Record<string, string>): string {
  // CryptoKey encoding: u16 type (1 = AES), utime created (u32 s, u32 ns), u16 length, secret.
  const key = Buffer.alloc(12 + 16);
  key.writeUInt16LE(1, 0);
  key.writeUInt32LE(Math.floor(Date.now() / 1000), 2);
  key.writeUInt32LE(0, 6);
  key.writeUInt16LE(16, 10);
  randomBytes(16).copy(key, 12);
  const capLines = Object.entries(caps).map(([service, cap]) => `\tcaps ${service} = "${cap}"\n`);
  return `[${entity}]\n\tkey = ${key.toString('base64')}\n${capLines.join('')}`;
}

function cephConf(input: { dir: string; fsid: string; monAddrs: string; rgwPort: number; memstoreBytes: number }): string {
  const { dir, fsid, monAddrs, rgwPort, memstoreBytes } = input;
  return `[global]
fsid = ${fsid}
mon host = ${monAddrs}
mon initial members = a
public addr = ${HOST}
cluster addr = ${HOST}
ms bind ipv6 = false
ms bind port min = 6800
ms bind port max = 7100
auth cluster required = cephx
auth service required = cephx
auth client required = cephx
keyring = ${dir}/admin.keyring
run dir = ${dir}/run
admin socket = ${dir}/run/$name.asok
log file = ${dir}/log/$name.log
pid file = ${dir}/run/$name.pid
osd pool default size = 1
osd pool default min size = 1
osd pool default pg num = 8
osd pool default pgp num = 8
osd pool default pg autoscale mode = off
osd crush chooseleaf type = 0
mon allow pool size one = true
mon max pg per osd = 1000

[mon]
mon data = ${dir}/mon/$id
paxos propose interval = 0.05
paxos min wait = 0.01

[osd]
osd data = ${dir}/osd/$id
keyring = ${dir}/osd/$id/keyring
osd objectstore = memstore
memstore device bytes = ${memstoreBytes}
osd op num shards = 1

[client.rgw.gw]
keyring = ${dir}/rgw/keyring
rgw data = ${dir}/rgw
# tcp_nodelay: without it a small response waits ~40 ms for the client's delayed ACK (Nagle),
# which real S3 does not do: a 1 KiB ranged GET took 52 ms instead of 3.5 ms.
rgw frontends = beast endpoint=${HOST}:${rgwPort} tcp_nodelay=1
rgw enable usage log = false
rgw enable lc threads = false
`;
}

/** Binds port 0 on loopback for each wanted port at once, so the answers are distinct. */
async function freePorts(count: number): Promise<number[]> {
  const servers: Server[] = [];
  try {
    for (let i = 0; i < count; i++) {
      const server = createServer();
      servers.push(server);
      await new Promise<void>((resolve, reject) => {
        server.once('error', reject);
        server.listen(0, HOST, resolve);
      });
    }
    return servers.map((server) => {
      const address = server.address();
      if (address === null || typeof address === 'string') throw new Error('no TCP address for a listening socket');
      return address.port;
    });
  } finally {
    await Promise.all(servers.map((server) => new Promise((resolve) => server.close(resolve))));
  }
}

function run(command: string, args: string[]): Promise<string> {
  return new Promise((resolve, reject) => {
    execFile(command, args, { timeout: COMMAND_TIMEOUT_MS, encoding: 'utf8' }, (error, stdout, stderr) => {
      if (error) {
        const output = lastLines([stdout, stderr].filter(Boolean).join('\n').trim());
        reject(new Error(`${command} ${args.join(' ')} failed (${error.message.split('\n')[0]})${output ? `:\n${output}` : ''}`));
      } else {
        resolve(stdout);
      }
    });
  });
}

function startDaemon(dir: string, name: string, command: string, args: string[]): Daemon {
  const outputFile = join(dir, 'log', `${name}.out`);
  const output = openSync(outputFile, 'a');
  try {
    const child = spawn(command, args, { stdio: ['ignore', output, output] });
    const exited = new Promise<void>((resolve) => {
      child.once('exit', () => resolve());
      // A failed spawn (missing binary) emits 'error' and never 'exit'.
      child.once('error', () => resolve());
    });
    return { name, child, exited, logFiles: [join(dir, 'log', `${name}.log`), outputFile] };
  } finally {
    closeSync(output);
  }
}

async function terminate(daemon: Daemon): Promise<void> {
  const { child } = daemon;
  if (child.exitCode !== null || child.signalCode !== null || child.pid === undefined) return;
  child.kill('SIGTERM');
  const killTimer = setTimeout(() => child.kill('SIGKILL'), STOP_GRACE_MS);
  await daemon.exited;
  clearTimeout(killTimer);
}

async function waitUntil(what: string, deadline: number, daemons: Daemon[], check: () => Promise<boolean>): Promise<void> {
  for (let delayMs = 20; ; delayMs = Math.min(delayMs * 2, 100)) {
    const dead = daemons.find((daemon) => daemon.child.exitCode !== null || daemon.child.signalCode !== null);
    if (dead) {
      const status = dead.child.exitCode ?? dead.child.signalCode;
      throw new CephStartError(`${dead.name} exited (${status}) while waiting for ${what}`, dead.logFiles);
    }
    if (await check()) return;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, delayMs));
  }
}

async function tail(file: string): Promise<string> {
  try {
    const handle = await open(file, 'r');
    try {
      const { size } = await handle.stat();
      const length = Math.min(size, 64 * 1024);
      const buffer = Buffer.alloc(length);
      await handle.read(buffer, 0, length, size - length);
      return lastLines(buffer.toString('utf8'));
    } finally {
      await handle.close();
    }
  } catch {
    return '(no log)';
  }
}

function lastLines(text: string): string {
  return text.split('\n').slice(-LOG_TAIL_LINES).join('\n');
}
