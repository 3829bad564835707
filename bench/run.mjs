// Export/import benchmark: seeds projects of N proxies (20 inline policies each), exports
// each through the job pipeline, imports the archive into an empty project, and records
// throughput and the worker's peak RSS (VmHWM) per phase, against the same real services
// the e2e suite uses (PostgreSQL, Redis, a Ceph RGW started here).
//
//   npm run bench                                   # 1,000 and 10,000 proxies, 3 runs each
//   BENCH_SIZES=1000,10000,100000 BENCH_RUNS=1 npm run bench
//   BENCH_WORKER_NODE_OPTIONS= npm run bench        # the worker with V8's defaults (default: start:worker's flags)
//
// Each size is seeded once; each run exports it on a fresh worker and imports the archive
// into a new empty project on another fresh worker. Per phase it records the worker's
// VmHWM and, through bench/memory-probe.mjs, the peaks of its JS heap and external memory.
// BENCH_LABEL names the results file (bench/results/export-import-<date>-<label>.json).
import { randomBytes } from 'node:crypto';
import { mkdirSync, writeFileSync } from 'node:fs';
import { cpus, hostname, loadavg, release, totalmem } from 'node:os';
import { join } from 'node:path';
import { call, log, probeReport, productionWorkerFlags, seedProxies, sql, startBackends, startProcess as startServiceProcess, statusMb } from './bench-kit.mjs';

const ROOT = new URL('..', import.meta.url).pathname;
const sizes = (process.env.BENCH_SIZES ?? '1000,10000').split(',').map(Number);
const runsPerSize = Number(process.env.BENCH_RUNS ?? 3);
const runId = `${Date.now().toString(36)}${randomBytes(2).toString('hex')}`;

const workerNodeOptions = process.env.BENCH_WORKER_NODE_OPTIONS ?? productionWorkerFlags().join(' ');

/** The worker with the production flags (or BENCH_WORKER_NODE_OPTIONS) and the memory probe. */
function startProcess(kind, env) {
  return kind === 'worker' ? startServiceProcess(kind, env, { nodeArgs: workerNodeOptions.split(/\s+/).filter(Boolean), probe: true }) : startServiceProcess(kind, env);
}

async function stop(proc) {
  if (proc.child.exitCode !== null || proc.child.signalCode !== null) return;
  const exited = new Promise((r) => proc.child.once('exit', r));
  proc.child.kill('SIGTERM');
  const timer = setTimeout(() => proc.child.kill('SIGKILL'), 15_000);
  await exited;
  clearTimeout(timer);
}

/**
 * Waits for a job; with a worker, also notes the worker's highest current RSS (VmRSS) seen
 * in each phase the job reports (polled every 250 ms), to tell where the peak is reached.
 */
async function waitJob(url, token, id, worker) {
  const rssByPhase = {};
  for (;;) {
    const { body } = await call(url, token, 'GET', `/v1/jobs/${id}`);
    if (worker) {
      const phase = body.state === 'running' ? (body.progress?.phase ?? 'starting') : body.state;
      const rss = statusMb(worker.child.pid, 'VmRSS');
      if (rss !== undefined) rssByPhase[phase] = Math.max(rssByPhase[phase] ?? 0, Math.round(rss));
    }
    if (['succeeded', 'failed', 'canceled'].includes(body.state)) return Object.assign(body, { rssByPhase });
    await new Promise((r) => setTimeout(r, 250));
  }
}

async function main() {
  mkdirSync(join(ROOT, 'bench/results'), { recursive: true });
  const backends = await startBackends({ memstoreBytes: 6 * 1024 ** 3 });
  const { env, token } = backends;
  const dbUrl = new URL(env.DATABASE_URL);
  const results = [];
  const api = await startProcess('api', env);
  try {
    for (const size of sizes) {
      const source = `bench-src-${size}-${runId}`;
      await call(api.url, token, 'POST', '/v1/projects', { name: source });
      const { rows } = await sql(dbUrl.toString(), 'select id from projects where name = $1', [source]);
      log(`seeding ${size} proxies`);
      await seedProxies(dbUrl.toString(), rows[0].id, size);
      const runs = [];
      for (let run = 1; run <= runsPerSize; run++) {
        const target = `bench-dst-${size}-${run}-${runId}`;
        await call(api.url, token, 'POST', '/v1/projects', { name: target });

        let worker = await startProcess('worker', env);
        let started = Date.now();
        const exportJobId = (await call(api.url, token, 'POST', `/v1/projects/${source}/exports`, {})).body.id;
        const exportSnapshot = process.env.BENCH_SNAPSHOT_EXPORT_MS ? setTimeout(() => worker.child.kill('SIGHUP'), Number(process.env.BENCH_SNAPSHOT_EXPORT_MS)) : undefined;
        const exportJob = await waitJob(api.url, token, exportJobId, worker);
        clearTimeout(exportSnapshot);
        const exportSeconds = (Date.now() - started) / 1000;
        const exportRss = worker.peakRssMb();
        const exportIdleRss = worker.idleRssMb;
        const exportProbe = await probeReport(worker);
        await stop(worker);
        if (exportJob.state !== 'succeeded') throw new Error(`export failed: ${JSON.stringify(exportJob.error)}`);
        const archiveBytes = exportJob.result.artifact.size;
        log(`${size} run ${run} export: ${exportSeconds.toFixed(1)} s, ${(archiveBytes / 1e6).toFixed(1)} MB, peak RSS ${exportRss.toFixed(0)} MB (idle ${exportIdleRss.toFixed(0)}, heap used ≤ ${exportProbe?.peakMb.heapUsed} MB)`);

        // The archive goes to the target through a presigned upload, as a large migration would.
        const uploadId = await moveArchive(api.url, token, exportJob.id, target, archiveBytes);

        worker = await startProcess('worker', env);
        started = Date.now();
        const importJobId = (await call(api.url, token, 'POST', `/v1/projects/${target}/imports`, { uploadId })).body.id;
        // BENCH_SNAPSHOT_IMPORT_MS=n (or _EXPORT_MS): a heap snapshot of the worker n ms into
        // the job (with BENCH_WORKER_NODE_OPTIONS=--heapsnapshot-signal=SIGHUP), to see what it holds.
        const snapshotTimer = process.env.BENCH_SNAPSHOT_IMPORT_MS ? setTimeout(() => worker.child.kill('SIGHUP'), Number(process.env.BENCH_SNAPSHOT_IMPORT_MS)) : undefined;
        const importJob = await waitJob(api.url, token, importJobId, worker);
        clearTimeout(snapshotTimer);
        const importSeconds = (Date.now() - started) / 1000;
        const importRss = worker.peakRssMb();
        const importProbe = await probeReport(worker);
        await stop(worker);
        if (importJob.state !== 'succeeded') throw new Error(`import failed: ${JSON.stringify(importJob.error)}`);
        log(`${size} run ${run} import: ${importSeconds.toFixed(1)} s, peak RSS ${importRss.toFixed(0)} MB (idle ${worker.idleRssMb.toFixed(0)}, heap used ≤ ${importProbe?.peakMb.heapUsed} MB) by phase ${JSON.stringify(importJob.rssByPhase)}`);
        runs.push({
          // The machine is shared: the 1-minute load average says how busy it was.
          loadAverage: loadavg()[0],
          archiveBytes,
          export: { seconds: exportSeconds, workerPeakRssMb: exportRss, workerIdleRssMb: exportIdleRss, rssByPhaseMb: exportJob.rssByPhase, probe: exportProbe },
          import: { seconds: importSeconds, workerPeakRssMb: importRss, rssByPhaseMb: importJob.rssByPhase, probe: importProbe },
        });
        await sql(dbUrl.toString(), 'delete from api_proxies where project_id = (select id from projects where name = $1)', [target]);
      }
      results.push(summarize(size, runs));
      await sql(dbUrl.toString(), 'delete from api_proxies where project_id = $1', [rows[0].id]);
    }
  } catch (error) {
    console.error(error);
    throw error;
  } finally {
    await stop(api);
    await backends.stop();
  }
  const report = {
    benchmark: 'export-import',
    date: new Date().toISOString(),
    machine: { hostname: hostname(), cpus: cpus().length, cpuModel: cpus()[0]?.model, memoryGb: Math.round(totalmem() / 1024 ** 3), kernel: release() },
    node: process.version,
    label: process.env.BENCH_LABEL ?? null,
    workerNodeOptions,
    runsPerSize,
    results,
  };
  const label = process.env.BENCH_LABEL ? `-${process.env.BENCH_LABEL.replace(/[^A-Za-z0-9_.-]/g, '_')}` : '';
  const file = join(ROOT, `bench/results/export-import-${report.date.slice(0, 16).replace(':', '')}${label}.json`);
  writeFileSync(file, JSON.stringify(report, null, 2) + '\n');
  log(`wrote ${file}`);
  for (const r of results) {
    log(
      `${r.proxies}: export ${r.export.seconds.median.toFixed(1)} s, ${r.export.workerPeakRssMb.median.toFixed(0)} MB [${r.export.workerPeakRssMb.min.toFixed(0)}–${r.export.workerPeakRssMb.max.toFixed(0)}]; ` +
        `import ${r.import.seconds.median.toFixed(1)} s, ${r.import.workerPeakRssMb.median.toFixed(0)} MB [${r.import.workerPeakRssMb.min.toFixed(0)}–${r.import.workerPeakRssMb.max.toFixed(0)}]`,
    );
  }
  const [small, ...larger] = results;
  for (const large of larger) {
    log(
      `median peak RSS ratio ${large.proxies}/${small.proxies}: export ${(large.export.workerPeakRssMb.median / small.export.workerPeakRssMb.median).toFixed(2)}, ` +
        `import ${(large.import.workerPeakRssMb.median / small.import.workerPeakRssMb.median).toFixed(2)} (target ≤ 1.5 at 10,000 / 1,000)`,
    );
  }
}

async function moveArchive(url, token, exportJobId, target, size) {
  const download = await call(url, token, 'GET', `/v1/jobs/${exportJobId}/artifact`);
  const bytes = Buffer.from(await (await fetch(download.headers.get('location'))).arrayBuffer());
  if (bytes.length !== size) throw new Error(`downloaded ${bytes.length} of ${size} bytes`);
  const upload = (await call(url, token, 'POST', `/v1/projects/${target}/uploads`, { fileName: 'bench.zip', size: bytes.length })).body;
  const parts = [];
  for (const part of upload.parts) {
    const slice = bytes.subarray((part.partNumber - 1) * upload.partSize, part.partNumber * upload.partSize);
    const put = await fetch(part.url, { method: 'PUT', body: slice });
    parts.push({ partNumber: part.partNumber, etag: put.headers.get('etag') });
  }
  await call(url, token, 'POST', `/v1/projects/${target}/uploads/${upload.id}/complete`, { parts });
  return upload.id;
}

function stats(values) {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  const median = sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
  return { median, min: sorted[0], max: sorted.at(-1), runs: values };
}

function summarize(size, runs) {
  const archiveBytes = runs[0].archiveBytes;
  const phase = (name) => {
    const seconds = stats(runs.map((r) => r[name].seconds));
    return {
      seconds,
      proxiesPerSecond: size / seconds.median,
      mbPerSecond: archiveBytes / 1e6 / seconds.median,
      workerPeakRssMb: stats(runs.map((r) => r[name].workerPeakRssMb)),
      peakHeapUsedMb: stats(runs.map((r) => r[name].probe?.peakMb.heapUsed ?? NaN)),
      peakHeapTotalMb: stats(runs.map((r) => r[name].probe?.peakMb.heapTotal ?? NaN)),
      peakExternalMb: stats(runs.map((r) => r[name].probe?.peakMb.external ?? NaN)),
    };
  };
  return {
    proxies: size,
    policiesPerProxy: 20,
    archiveBytes,
    workerIdleRssMb: stats(runs.map((r) => r.export.workerIdleRssMb)),
    export: phase('export'),
    import: phase('import'),
    runs,
  };
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
