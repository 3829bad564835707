// Shared pieces of the benchmarks that run the service: a throw-away database, a Ceph RGW,
// the built API and worker as child processes, and small HTTP helpers.
import { spawn } from 'node:child_process';
import { randomBytes, randomUUID } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, hostname, tmpdir, totalmem } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { startCephRgw } from '../test/support/ceph-rgw.ts';
import { generateToken } from '#core';

export const ROOT = new URL('..', import.meta.url).pathname;
const adminUrl = process.env.TEST_ADMIN_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test';

/** The production worker's V8 flags, read from package.json's start:worker so benches and production cannot drift. */
export function productionWorkerFlags() {
  const script = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')).scripts['start:worker'];
  return script.split(/\s+/).filter((word) => word.startsWith('--'));
}

export function log(...args) {
  console.log(`[bench ${new Date().toISOString().slice(11, 19)}]`, ...args);
}

export async function sql(url, text, params) {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    return await client.query(text, params);
  } finally {
    await client.end();
  }
}

/** A fresh database, an S3 server and the environment the service needs for them. */
export async function startBackends({ memstoreBytes = 2 * 1024 ** 3 } = {}) {
  const runId = `${Date.now().toString(36)}${randomBytes(2).toString('hex')}`;
  const rgw = await startCephRgw({ memstoreBytes });
  const database = `apiferry_bench_${runId}`;
  await sql(adminUrl, `create database ${database}`);
  const dbUrl = new URL(adminUrl);
  dbUrl.pathname = `/${database}`;
  const token = generateToken();
  const env = {
    DATABASE_URL: dbUrl.toString(),
    REDIS_URL: process.env.BENCH_REDIS_URL ?? 'redis://127.0.0.1:6379',
    QUEUE_PREFIX: `apiferry-bench-${runId}`,
    APIFERRY_BOOTSTRAP_TOKEN: token,
    S3_ENDPOINT: rgw.endpoint,
    S3_ACCESS_KEY_ID: rgw.accessKeyId,
    S3_SECRET_ACCESS_KEY: rgw.secretAccessKey,
    S3_BUCKET: `bench-${runId}`,
    DATA_DIR: join(ROOT, '.data/bench'),
  };
  return {
    env,
    token,
    runId,
    async stop() {
      await rgw.stop();
      await sql(adminUrl, `drop database if exists ${database} with (force)`);
    },
  };
}

/** A line of /proc/<pid>/status in MB (VmHWM, VmRSS), or undefined once the process is gone. */
export function statusMb(pid, field) {
  try {
    return Number(new RegExp(`${field}:\\s+(\\d+)`).exec(readFileSync(`/proc/${pid}/status`, 'utf8'))[1]) / 1024;
  } catch {
    return undefined;
  }
}

const PROBE = join(ROOT, 'bench/memory-probe.mjs');

/**
 * Starts the built API or worker (of the checkout at `root`) and resolves once it is ready.
 * `nodeArgs` are V8/Node flags for the command line (NODE_OPTIONS refuses most V8 flags);
 * with `probe`, the process also runs bench/memory-probe.mjs, which writes its heap and
 * external-memory peaks and timeline to `probeFile` (read them with probeReport). `idleRssMb`
 * is the VmHWM once ready; `peakRssMb()` reads it again.
 */
export function startProcess(kind, env, { root = ROOT, nodeArgs = [], probe = false } = {}) {
  const entry = join(root, kind === 'api' ? 'dist/apps/api/src/main.js' : 'dist/apps/worker/src/main.js');
  const probeFile = probe ? join(tmpdir(), `apiferry-bench-probe-${randomBytes(6).toString('hex')}.json`) : undefined;
  const args = [...nodeArgs, ...(probe ? [`--import=${PROBE}`] : []), entry];
  const child = spawn(process.execPath, args, {
    env: { ...process.env, ...env, PORT: '0', LOG_LEVEL: env.LOG_LEVEL ?? 'info', ...(probeFile ? { BENCH_MEMORY_PROBE_FILE: probeFile } : {}) },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  // The last few KB of output, for the error when it does not start or dies later.
  let tail = '';
  const keepTail = (chunk) => (tail = (tail + chunk).slice(-8000));
  child.stdout.on('data', keepTail);
  child.stderr.on('data', keepTail);
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`${kind} did not start: ${tail}`)), 60_000);
    const ready = () => {
      const url = /"url":"(http:[^"]+)"/.exec(tail)?.[1];
      if ((kind === 'api' && url) || (kind === 'worker' && tail.includes('worker listening'))) {
        clearTimeout(timer);
        child.stdout.off('data', ready);
        child.stderr.off('data', ready);
        resolve({ kind, child, url, probeFile, idleRssMb: statusMb(child.pid, 'VmHWM'), peakRssMb: () => statusMb(child.pid, 'VmHWM'), tail: () => tail });
      }
    };
    child.stdout.on('data', ready);
    child.stderr.on('data', ready);
    child.once('exit', (code, signal) => reject(new Error(`${kind} exited ${code ?? signal}: ${tail}`)));
  });
}

export async function stop(proc) {
  if (proc.child.exitCode !== null) return;
  proc.child.kill('SIGTERM');
  await new Promise((r) => proc.child.once('exit', r));
}

export async function call(url, token, method, path, body) {
  const response = await fetch(`${url}${path}`, {
    method,
    headers: { authorization: `Bearer ${token}`, ...(body ? { 'content-type': 'application/json' } : {}) },
    body: body ? JSON.stringify(body) : undefined,
    redirect: 'manual',
  });
  const text = await response.text();
  return { status: response.status, headers: response.headers, body: text && response.headers.get('content-type')?.includes('json') ? JSON.parse(text) : text };
}

export function percentile(sorted, p) {
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))];
}

export function machine() {
  return { hostname: hostname(), cpus: cpus().length, cpuModel: cpus()[0]?.model, memoryGb: Math.round(totalmem() / 1024 ** 3) };
}

/** Writes bench/results/<name>-<date>.json and returns its path. */
export function writeReport(name, report) {
  mkdirSync(join(ROOT, 'bench/results'), { recursive: true });
  const file = join(ROOT, `bench/results/${name}-${report.date.slice(0, 10)}.json`);
  writeFileSync(file, `${JSON.stringify(report, null, 2)}\n`);
  return file;
}

/** A proxy definition with 20 inline policies, as the export/import benchmark uses. */
export function benchProxyDefinition(i) {
  const step = (n) => ({ name: `policy-${n}`, type: 'HEADER', config: { header: `x-bench-${n}`, value: `value-${i}-${n}` } });
  return {
    endpoints: [
      { method: 'GET', path: '/items', operation: 'list' },
      { method: 'POST', path: '/items', operation: 'create' },
    ],
    policies: { request: Array.from({ length: 14 }, (_, n) => step(n)), response: Array.from({ length: 6 }, (_, n) => step(14 + n)) },
    routing: { algorithm: 'ROUND_ROBIN', addressList: [{ address: `http://10.0.${i % 250}.${i % 200}:8080` }] },
    cors: { enabled: false },
    maintenanceMode: false,
  };
}

/** Inserts `count` proxies into a project straight through SQL (seeding is not what is measured). */
export async function seedProxies(dbUrl, projectId, count) {
  const client = new pg.Client({ connectionString: dbUrl });
  await client.connect();
  try {
    for (let start = 0; start < count; start += 1000) {
      const rows = [];
      const params = [];
      for (let i = start; i < Math.min(count, start + 1000); i++) {
        params.push(projectId, randomUUID(), `proxy-${String(i).padStart(6, '0')}`, `/proxy-${i}`, JSON.stringify(benchProxyDefinition(i)));
        const b = params.length - 5;
        rows.push(`($${b + 1}, $${b + 2}, $${b + 3}, 'REST', $${b + 4}, 'v1', 1, $${b + 5}::jsonb)`);
      }
      await client.query(`insert into api_proxies (project_id, uuid, name, type, base_path, version, revision, definition) values ${rows.join(',')}`, params);
    }
  } finally {
    await client.end();
  }
}

/** The memory probe's peaks (bench/memory-probe.mjs; `proc.probeFile` is where it writes), asked for with SIGUSR2. */
export async function probeReport(proc) {
  proc.child.kill('SIGUSR2');
  for (let i = 0; i < 100; i++) {
    if (existsSync(proc.probeFile)) {
      try {
        const report = JSON.parse(readFileSync(proc.probeFile, 'utf8'));
        rmSync(proc.probeFile, { force: true });
        return report;
      } catch {
        // half written: try again
      }
    }
    await new Promise((r) => setTimeout(r, 50));
  }
  return undefined;
}
