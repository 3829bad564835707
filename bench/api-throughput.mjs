// Job creation through the API under 50 concurrent clients (wrk), against raw BullMQ
// queue.add on the same Redis in the same run; and the end-to-end latency of a synchronous
// single-proxy export through the proxy face (a whole job round trip per request).
//
//   npm run build && node bench/api-throughput.mjs
//   BENCH_WRK_SECONDS=30 BENCH_SYNC_EXPORTS=500 node bench/api-throughput.mjs
//
// Needs wrk (Debian package `wrk`).
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Queue } from 'bullmq';
import { call, log, machine, percentile, startBackends, startProcess, stop, writeReport } from './bench-kit.mjs';

const WRK_SECONDS = Number(process.env.BENCH_WRK_SECONDS ?? 15);
const CLIENTS = 50;
const RAW_ADDS = Number(process.env.BENCH_RAW_ADDS ?? 20_000);
const SYNC_EXPORTS = Number(process.env.BENCH_SYNC_EXPORTS ?? 200);

/** wrk's `--latency` report: requests/s and the latency percentiles, in milliseconds. */
function parseWrk(output) {
  const toMs = (value, unit) => Number(value) * ({ us: 0.001, ms: 1, s: 1000 }[unit] ?? NaN);
  const latency = (p) => {
    const match = new RegExp(`^\\s+${p}%\\s+([\\d.]+)(us|ms|s)$`, 'm').exec(output);
    return match ? toMs(match[1], match[2]) : null;
  };
  const non2xx = /Non-2xx or 3xx responses: (\d+)/.exec(output);
  return {
    requestsPerSecond: Number(/Requests\/sec:\s+([\d.]+)/.exec(output)?.[1]),
    requests: Number(/(\d+) requests in/.exec(output)?.[1]),
    p50Ms: latency(50),
    p90Ms: latency(90),
    p99Ms: latency(99),
    non2xx: non2xx ? Number(non2xx[1]) : 0,
  };
}

async function rawQueueAdds(redisUrl, prefix) {
  const url = new URL(redisUrl);
  const queue = new Queue('bench-raw', { connection: { host: url.hostname, port: Number(url.port || 6379) }, prefix: `${prefix}-raw` });
  await queue.waitUntilReady();
  let next = 0;
  const started = process.hrtime.bigint();
  await Promise.all(
    Array.from({ length: CLIENTS }, async () => {
      while (next < RAW_ADDS) {
        const i = next++;
        await queue.add('job', { i }, { jobId: `raw-${i}`, removeOnComplete: true });
      }
    }),
  );
  const seconds = Number(process.hrtime.bigint() - started) / 1e9;
  await queue.obliterate({ force: true });
  await queue.close();
  return { adds: RAW_ADDS, seconds, addsPerSecond: RAW_ADDS / seconds };
}

async function main() {
  const backends = await startBackends();
  const { env, token } = backends;
  const dir = mkdtempSync(join(tmpdir(), 'apiferry-wrk-'));
  let api;
  let worker;
  try {
    api = await startProcess('api', env);
    await call(api.url, token, 'POST', '/v1/projects', { name: 'bench' });

    // 1. Job creation under load: no worker runs, so the API and Redis are all that is measured.
    const script = join(dir, 'inventory.lua');
    writeFileSync(
      script,
      `wrk.method = "POST"\nwrk.body = "{}"\nwrk.headers["Content-Type"] = "application/json"\nwrk.headers["Authorization"] = "Bearer ${token}"\n`,
    );
    log(`wrk: ${CLIENTS} connections for ${WRK_SECONDS} s against POST /v1/projects/bench/inventory`);
    execFileSync('wrk', ['-t2', '-c10', '-d3s', '-s', script, `${api.url}/v1/projects/bench/inventory`]); // warm-up
    const wrkOutput = execFileSync('wrk', ['-t2', `-c${CLIENTS}`, `-d${WRK_SECONDS}s`, '--latency', '-s', script, `${api.url}/v1/projects/bench/inventory`]).toString();
    const jobCreation = parseWrk(wrkOutput);
    log(`API: ${jobCreation.requestsPerSecond} jobs/s, p50 ${jobCreation.p50Ms} ms, p99 ${jobCreation.p99Ms} ms, non-2xx ${jobCreation.non2xx}`);
    const raw = await rawQueueAdds(env.REDIS_URL, env.QUEUE_PREFIX);
    log(`raw queue.add: ${raw.addsPerSecond.toFixed(0)} adds/s`);

    // 2. Synchronous single-proxy export through the proxy face, one after another.
    await stop(api);
    // The queued inventory jobs would keep the worker busy: a fresh queue prefix for this part.
    const syncEnv = { ...env, QUEUE_PREFIX: `${env.QUEUE_PREFIX}-sync` };
    api = await startProcess('api', syncEnv);
    worker = await startProcess('worker', syncEnv);
    const proxy = {
      name: 'orders',
      basePath: '/orders',
      endpoints: [{ method: 'GET', path: '/items' }],
      routing: { algorithm: 'ROUND_ROBIN', addressList: [{ address: 'http://127.0.0.1:9001' }] },
    };
    const created = await call(api.url, token, 'POST', '/v1/projects/bench/apiProxies', proxy);
    if (created.status !== 201) throw new Error(`proxy creation answered ${created.status}: ${JSON.stringify(created.body)}`);
    const latencies = [];
    for (let i = 0; i < SYNC_EXPORTS + 10; i++) {
      const started = process.hrtime.bigint();
      const response = await fetch(`${api.url}/apiops/projects/bench/apiProxies/orders/export/`, { headers: { authorization: `Bearer ${token}` } });
      const body = Buffer.from(await response.arrayBuffer());
      if (response.status !== 200 || body.subarray(0, 2).toString() !== 'PK') throw new Error(`sync export answered ${response.status}`);
      if (i >= 10) latencies.push(Number(process.hrtime.bigint() - started) / 1e6); // the first ten warm up
    }
    latencies.sort((a, b) => a - b);
    const syncExport = { requests: latencies.length, p50Ms: percentile(latencies, 50), p99Ms: percentile(latencies, 99), maxMs: latencies.at(-1) };
    log(`sync export: p50 ${syncExport.p50Ms.toFixed(1)} ms, p99 ${syncExport.p99Ms.toFixed(1)} ms`);

    const report = {
      benchmark: 'api-throughput',
      date: new Date().toISOString(),
      command: `BENCH_WRK_SECONDS=${WRK_SECONDS} BENCH_RAW_ADDS=${RAW_ADDS} BENCH_SYNC_EXPORTS=${SYNC_EXPORTS} node bench/api-throughput.mjs`,
      machine: machine(),
      versions: { node: process.version, wrk: (() => { const v = spawnSync('wrk', ['-v'], { encoding: 'utf8' }); return `${v.stdout}${v.stderr}`.split('\n')[0]?.trim(); })() },
      jobCreation: { clients: CLIENTS, seconds: WRK_SECONDS, ...jobCreation, rawQueueAdd: raw, ratioToRawQueueAdd: jobCreation.requestsPerSecond / raw.addsPerSecond },
      syncExport,
    };
    log(`wrote ${writeReport('api-throughput', report)}`);
  } finally {
    if (worker) await stop(worker);
    if (api) await stop(api);
    await backends.stop();
    rmSync(dir, { recursive: true, force: true });
  }
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
