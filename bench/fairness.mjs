// Does one job's heavy archive work starve everything else in the same worker? Measures,
// idle and then while a large export runs: the time from creating a small job (with a
// per-job webhook) to its webhook arriving, the latency of GET /v1/jobs/{id}, and the
// worker's event-loop delay (bench/loop-delay-probe.mjs) and peak RSS during the export.
//
//   npm run build && node bench/fairness.mjs                # a 100,000-proxy export as the load
//   BENCH_FAIRNESS_PROXIES=200000 node bench/fairness.mjs
//
// Before/after on a shared machine: BENCH_FAIRNESS_BASELINE=<another built checkout> (or
// name=<checkout>,name=<checkout>,...) runs BENCH_FAIRNESS_ROUNDS rounds of (those, this
// checkout), each export on a fresh worker, interleaved so all see the same background
// load; medians per variant are reported.
// The worker runs with BENCH_WORKER_NODE_OPTIONS (default: npm run start:worker's flags,
// the production memory settings).
import { existsSync, readFileSync, rmSync } from 'node:fs';
import { createServer } from 'node:http';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { call, log, machine, percentile, productionWorkerFlags, ROOT, seedProxies, sql, startBackends, startProcess, stop, writeReport } from './bench-kit.mjs';

const PROXIES = Number(process.env.BENCH_FAIRNESS_PROXIES ?? 100_000);
const PROBES = Number(process.env.BENCH_FAIRNESS_PROBES ?? 20);
const ROUNDS = Number(process.env.BENCH_FAIRNESS_ROUNDS ?? 1);
const BASELINE = process.env.BENCH_FAIRNESS_BASELINE;
const WORKER_NODE_OPTIONS = process.env.BENCH_WORKER_NODE_OPTIONS ?? productionWorkerFlags().join(' ');
const LOOP_PROBE = join(ROOT, 'bench/loop-delay-probe.mjs');

function summary(values) {
  const sorted = [...values].sort((a, b) => a - b);
  return { count: sorted.length, p50Ms: percentile(sorted, 50), p99Ms: percentile(sorted, 99), maxMs: sorted.at(-1) };
}

function median(values) {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2;
}

/** The loop probe's figures since its last report; each call starts a new period. */
async function loopReport(worker, file) {
  rmSync(file, { force: true });
  worker.child.kill('SIGWINCH');
  for (let i = 0; i < 100; i++) {
    if (existsSync(file)) {
      try {
        return JSON.parse(readFileSync(file, 'utf8'));
      } catch {
        // half written: try again
      }
    }
    await new Promise((r) => setTimeout(r, 20));
  }
  return undefined;
}

async function main() {
  const backends = await startBackends({ memstoreBytes: 4 * 1024 ** 3 });
  const { env, token, runId } = backends;
  const arrivals = new Map();
  const receiver = createServer((req, res) => {
    let body = '';
    req.on('data', (c) => (body += c));
    req.on('end', () => {
      const jobId = JSON.parse(body).data?.jobId;
      if (jobId && !arrivals.has(jobId)) arrivals.set(jobId, performance.now());
      res.writeHead(204).end();
    });
  });
  await new Promise((resolve) => receiver.listen(0, '127.0.0.1', resolve));
  const hookUrl = `http://127.0.0.1:${receiver.address().port}/hook`;
  const serviceEnv = { ...env, WEBHOOK_ALLOWED_HOSTS: '127.0.0.1' };
  const others = (BASELINE ?? '')
    .split(',')
    .filter(Boolean)
    .map((spec) => (spec.includes('=') ? { name: spec.split('=')[0], root: spec.slice(spec.indexOf('=') + 1) } : { name: 'baseline', root: spec }));
  const variants = [...others, { name: 'current', root: ROOT }];
  let api;
  let worker;
  try {
    api = await startProcess('api', serviceEnv);
    await call(api.url, token, 'POST', '/v1/projects', { name: 'load' });
    await call(api.url, token, 'POST', '/v1/projects', { name: 'probe' });
    const { rows } = await sql(env.DATABASE_URL, "select id from projects where name = 'load'");
    log(`seeding ${PROXIES} proxies`);
    await seedProxies(env.DATABASE_URL, rows[0].id, PROXIES);

    /** Small jobs one after another: creation → webhook arrival; and status reads between them. */
    async function probe(label, stillLoaded) {
      const webhookMs = [];
      const statusMs = [];
      for (let i = 0; i < PROBES; i++) {
        const started = performance.now();
        const created = await call(api.url, token, 'POST', '/v1/projects/probe/inventory', { webhook: { url: hookUrl, events: ['job.succeeded'] } });
        const id = created.body.id;
        while (!arrivals.has(id)) {
          if (performance.now() - started > 120_000) throw new Error(`no webhook for job ${id} within 2 minutes`);
          const s = performance.now();
          await call(api.url, token, 'GET', `/v1/jobs/${id}`);
          statusMs.push(performance.now() - s);
          await new Promise((r) => setTimeout(r, 20));
        }
        webhookMs.push(arrivals.get(id) - started);
      }
      if (stillLoaded && !(await stillLoaded())) log(`warning: the load ended before the ${label} probes did`);
      return { webhook: summary(webhookMs), status: summary(statusMs) };
    }

    const runs = [];
    for (let round = 1; round <= ROUNDS; round++) {
      for (const variant of variants) {
        const loopFile = join(tmpdir(), `apiferry-fairness-${runId}-${variant.name}-${round}.json`);
        const workerEnv = { ...serviceEnv, NODE_OPTIONS: `${WORKER_NODE_OPTIONS} --import=${LOOP_PROBE}`.trim(), BENCH_LOOP_PROBE_FILE: loopFile };
        worker = await startProcess('worker', workerEnv, { root: variant.root });
        const workerOutput = [];
        worker.child.stderr.on('data', (chunk) => workerOutput.push(chunk));
        worker.child.stdout.on('data', (chunk) => workerOutput.push(chunk));
        const exitedEarly = (code, signal) => log(`${variant.name} worker exited (${code ?? signal}): ${Buffer.concat(workerOutput).toString().slice(-3000)}`);
        worker.child.once('exit', exitedEarly);
        const idle = round === 1 ? await probe(`${variant.name} idle`) : undefined;
        if (idle) log(`${variant.name} idle: webhook p50 ${idle.webhook.p50Ms.toFixed(0)} ms p99 ${idle.webhook.p99Ms.toFixed(0)} ms`);

        const exportJob = (await call(api.url, token, 'POST', '/v1/projects/load/exports', {})).body.id;
        // A small export may be done before a poll sees it running.
        while (['queued', 'waiting', 'pending'].includes((await call(api.url, token, 'GET', `/v1/jobs/${exportJob}`)).body.state)) await new Promise((r) => setTimeout(r, 20));
        await loopReport(worker, loopFile); // the export's period starts here
        const exportRunning = async () => (await call(api.url, token, 'GET', `/v1/jobs/${exportJob}`)).body.state === 'running';
        const loaded = await probe(`${variant.name} loaded`, exportRunning);
        let done;
        while (!['succeeded', 'failed'].includes((done = (await call(api.url, token, 'GET', `/v1/jobs/${exportJob}`)).body).state)) await new Promise((r) => setTimeout(r, 100));
        const loop = await loopReport(worker, loopFile);
        const peakRssMb = Math.round(worker.peakRssMb());
        worker.child.off('exit', exitedEarly);
        await stop(worker);
        worker = undefined;
        rmSync(loopFile, { force: true });
        const run = {
          variant: variant.name,
          round,
          loadAverage: loadavg()[0],
          export: { state: done.state, seconds: (Date.parse(done.finishedAt) - Date.parse(done.startedAt)) / 1000, bytes: done.result?.artifact?.size, workerPeakRssMb: peakRssMb },
          eventLoopDuringExport: loop,
          ...(idle ? { idle } : {}),
          duringExport: loaded,
        };
        runs.push(run);
        log(
          `${variant.name} round ${round}: export ${run.export.seconds.toFixed(1)} s (${done.state}), peak RSS ${peakRssMb} MB; ` +
            `webhook p50 ${loaded.webhook.p50Ms.toFixed(0)} ms p99 ${loaded.webhook.p99Ms.toFixed(0)} ms; ` +
            `loop delay p99 ${loop?.delayMs.p99} ms max ${loop?.delayMs.max} ms, utilisation ${loop?.loopUtilization}; load ${run.loadAverage.toFixed(2)}`,
        );
      }
    }

    const medians = Object.fromEntries(
      variants.map(({ name }) => {
        const mine = runs.filter((run) => run.variant === name);
        const of = (pick) => median(mine.map(pick).filter((value) => value !== undefined));
        return [
          name,
          {
            runs: mine.length,
            exportSeconds: of((run) => run.export.seconds),
            workerPeakRssMb: of((run) => run.export.workerPeakRssMb),
            webhookP50Ms: of((run) => run.duringExport.webhook.p50Ms),
            webhookP99Ms: of((run) => run.duringExport.webhook.p99Ms),
            statusP99Ms: of((run) => run.duringExport.status.p99Ms),
            loopDelayP99Ms: of((run) => run.eventLoopDuringExport?.delayMs.p99),
            loopDelayMaxMs: of((run) => run.eventLoopDuringExport?.delayMs.max),
            loopUtilization: of((run) => run.eventLoopDuringExport?.loopUtilization),
          },
        ];
      }),
    );
    const report = {
      benchmark: 'fairness',
      date: new Date().toISOString(),
      command: `BENCH_FAIRNESS_PROXIES=${PROXIES} BENCH_FAIRNESS_PROBES=${PROBES} BENCH_FAIRNESS_ROUNDS=${ROUNDS}${BASELINE ? ` BENCH_FAIRNESS_BASELINE=${others.map((o) => `${o.name}=<checkout>`).join(',')}` : ''} node bench/fairness.mjs`,
      machine: machine(),
      node: process.version,
      workerNodeOptions: WORKER_NODE_OPTIONS,
      proxies: PROXIES,
      medians,
      runs,
    };
    for (const [name, m] of Object.entries(medians)) log(`${name} medians: ${JSON.stringify(m)}`);
    const label = process.env.BENCH_LABEL ? `-${process.env.BENCH_LABEL.replace(/[^A-Za-z0-9_.-]/g, '_')}` : '';
    log(`wrote ${writeReport(`fairness${label}`, report)}`);
  } finally {
    if (worker) await stop(worker);
    if (api) await stop(api);
    receiver.close();
    await backends.stop();
  }
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
