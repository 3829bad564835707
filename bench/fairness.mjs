// Does one job's heavy archive work starve everything else in the same worker? Measures,
// idle and then while a large export runs: the time from creating a small job (with a
// per-job webhook) to its webhook arriving, and the latency of GET /v1/jobs/{id}.
//
//   npm run build && node bench/fairness.mjs                # a 100,000-proxy export as the load
//   BENCH_FAIRNESS_PROXIES=200000 node bench/fairness.mjs
import { createServer } from 'node:http';
import { call, log, machine, percentile, seedProxies, sql, startBackends, startProcess, stop, writeReport } from './bench-kit.mjs';

const PROXIES = Number(process.env.BENCH_FAIRNESS_PROXIES ?? 100_000);
const PROBES = Number(process.env.BENCH_FAIRNESS_PROBES ?? 20);

function summary(values) {
  const sorted = [...values].sort((a, b) => a - b);
  return { count: sorted.length, p50Ms: percentile(sorted, 50), p99Ms: percentile(sorted, 99), maxMs: sorted.at(-1) };
}

async function main() {
  const backends = await startBackends();
  const { env, token } = backends;
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
  let api;
  let worker;
  try {
    api = await startProcess('api', serviceEnv);
    worker = await startProcess('worker', serviceEnv);
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

    const idle = await probe('idle');
    log(`idle: webhook p50 ${idle.webhook.p50Ms.toFixed(0)} ms p99 ${idle.webhook.p99Ms.toFixed(0)} ms; status p50 ${idle.status.p50Ms.toFixed(1)} ms p99 ${idle.status.p99Ms.toFixed(1)} ms`);

    const exportJob = (await call(api.url, token, 'POST', '/v1/projects/load/exports', {})).body.id;
    while ((await call(api.url, token, 'GET', `/v1/jobs/${exportJob}`)).body.state !== 'running') await new Promise((r) => setTimeout(r, 50));
    const exportRunning = async () => (await call(api.url, token, 'GET', `/v1/jobs/${exportJob}`)).body.state === 'running';
    const loaded = await probe('loaded', exportRunning);
    log(`during the export: webhook p50 ${loaded.webhook.p50Ms.toFixed(0)} ms p99 ${loaded.webhook.p99Ms.toFixed(0)} ms; status p50 ${loaded.status.p50Ms.toFixed(1)} ms p99 ${loaded.status.p99Ms.toFixed(1)} ms`);
    let done;
    while (!['succeeded', 'failed'].includes((done = (await call(api.url, token, 'GET', `/v1/jobs/${exportJob}`)).body).state)) await new Promise((r) => setTimeout(r, 250));

    const report = {
      benchmark: 'fairness',
      date: new Date().toISOString(),
      command: `BENCH_FAIRNESS_PROXIES=${PROXIES} BENCH_FAIRNESS_PROBES=${PROBES} node bench/fairness.mjs`,
      machine: machine(),
      node: process.version,
      load: { proxies: PROXIES, exportSeconds: (Date.parse(done.finishedAt) - Date.parse(done.startedAt)) / 1000, state: done.state },
      idle,
      duringExport: loaded,
    };
    log(`wrote ${writeReport('fairness', report)}`);
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
