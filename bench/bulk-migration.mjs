// The bulk-migration proof: a whole project of N proxies (20 inline policy steps each, plus
// resources that make the archive pass 4 GiB, so zip64 is exercised) exported from one
// apiferry instance and imported into an empty project of another, through the native API,
// with each worker run as in production (`npm run start:worker`'s memory flags) and its peak
// RSS and the jobs' progress recorded throughout.
//
//   npm run bench:bulk                                  # 100,000 proxies, one 63 KB resource each, archive ≈ 4.5 GiB (~45 min)
//   BULK_PROXIES=2000 BULK_ARCHIVE_GIB=0.05 npm run bench:bulk   # a quick trial (2 minutes)
//   BULK_PROXIES=5000 npm run bench:bulk                # past 4 GiB with fewer, larger resources (2 × 630 KB a proxy)
//
// BULK_ARCHIVE_GIB (default 4.4) is the compressed size aimed at: the resource text per proxy
// follows from it and BULK_PROXIES, in resources of at most 1,000,000 characters.
//
// Instances A (source) and B (target) each have their own PostgreSQL database, queue prefix
// and bucket, and their own API and worker processes (the built service, dist/); one Ceph
// RGW serves both. A is seeded straight through SQL. The archive goes from A's presigned
// download link to B's presigned multipart upload, streamed one part at a time, never held
// whole. Checks (each recorded; the run exits 1 if any fails): both jobs succeed, the archive
// is zip64 and over 4 GiB (when BULK_ARCHIVE_GIB ≥ 4), its SHA-256 is the one the export
// reported, B holds the same proxies, policy steps and resource contents as A (digests over
// every proxy, ordered by name), each worker's peak RSS (VmHWM) is under BULK_RSS_TARGET_MB,
// and no running job goes longer than BULK_MAX_PROGRESS_GAP_S without a progress change.
//
// Other knobs: BULK_WORKER_ENV ("NAME=value ..." for the workers only), BULK_POLL_MS (job poll interval, 1000), BULK_SEED (PRNG seed), BULK_LABEL
// (names the results file bench/results/bulk-migration-<date>T<hhmm>-<label>.json),
// BULK_MEMSTORE_GIB (the RGW's memory; default two copies of the archive plus headroom),
// BULK_FOLLOW_LIMIT_S (stop following a job after that long, recording what was seen; a
// first Ctrl-C does the same, a second one cleans up and exits).
import { createCipheriv, createHash, randomBytes, randomUUID } from 'node:crypto';
import { mkdirSync, writeFileSync } from 'node:fs';
import { loadavg, release } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { Redis } from 'ioredis';
import { startCephRgw } from '../test/support/ceph-rgw.ts';
import { generateToken } from '#core';
import { benchProxyDefinition, call, log, machine, probeReport, productionWorkerFlags, ROOT, sql, startProcess as startServiceProcess, statusMb } from './bench-kit.mjs';

const GiB = 1024 ** 3;
const proxyCount = Number(process.env.BULK_PROXIES ?? 100_000);
const archiveTargetBytes = Number(process.env.BULK_ARCHIVE_GIB ?? 4.4) * GiB;
const pollMs = Number(process.env.BULK_POLL_MS ?? 1000);
const maxProgressGapSeconds = Number(process.env.BULK_MAX_PROGRESS_GAP_S ?? 30);
const rssTargetMb = Number(process.env.BULK_RSS_TARGET_MB ?? 300);
const seed = process.env.BULK_SEED ?? 'apiferry-bulk-migration';
// A time budget per job: past it the run stops following the job, records what it saw
// (progress, RSS, rate) and fails the job's check. SIGINT/SIGTERM do the same at once.
const followLimitSeconds = Number(process.env.BULK_FOLLOW_LIMIT_S ?? Infinity);
let interrupted = false;

// What to undo, in reverse order: processes, queue keys, databases, the RGW.
const cleanups = [];
async function cleanUp() {
  for (const step of cleanups.splice(0).reverse()) await step().catch((err) => console.error('cleanup:', err.message));
}
// Whatever escapes (an error event nobody listens to) still leaves nothing behind.
process.on('uncaughtException', (err) => {
  console.error(err);
  void cleanUp().finally(() => process.exit(1));
});
const adminUrl = process.env.TEST_ADMIN_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test';
const PROJECT = 'bulk-migration';

// Base64 of random bytes deflates to 6 bits a character (64 equiprobable symbols, no
// repeats): the archive's size is predictable from the text's. The API caps one resource's
// content at 1 MiB, so a proxy needing more text gets several resources.
const DEFLATED_PER_CHAR = 0.75;
const MAX_RESOURCE_CHARS = 1_000_000;
const charsPerProxy = Math.ceil(archiveTargetBytes / DEFLATED_PER_CHAR / proxyCount);
const resourcesPerProxy = Math.max(1, Math.ceil(charsPerProxy / MAX_RESOURCE_CHARS));
const charsPerResource = Math.ceil(charsPerProxy / resourcesPerProxy / 4) * 4; // whole base64 quanta: no padding

const workerFlags = productionWorkerFlags();


/**
 * BULK_WORKER_ENV="NAME=value ..." sets variables for the workers alone (allocator
 * settings such as MALLOC_MMAP_THRESHOLD_, without touching the API, the bench or the RGW).
 */
const workerEnv = Object.fromEntries((process.env.BULK_WORKER_ENV ?? '').split(/\s+/).filter(Boolean).map((pair) => [pair.slice(0, pair.indexOf('=')), pair.slice(pair.indexOf('=') + 1)]));

/** The built API or worker (the worker with the production flags, BULK_WORKER_ENV and the memory probe). */
function startProcess(kind, env) {
  return kind === 'worker' ? startServiceProcess(kind, { ...env, ...workerEnv }, { nodeArgs: workerFlags, probe: true }) : startServiceProcess(kind, env);
}

async function stopProcess(proc) {
  if (!proc || proc.child.exitCode !== null || proc.child.signalCode !== null) return;
  const exited = new Promise((r) => proc.child.once('exit', r));
  proc.child.kill('SIGTERM');
  const timer = setTimeout(() => proc.child.kill('SIGKILL'), 15_000);
  await exited;
  clearTimeout(timer);
}


/** One apiferry instance: its own database, queue prefix and bucket on the shared RGW. */
async function startInstance(name, rgw, runId) {
  const database = `apiferry_bulk_${name}_${runId}`;
  await sql(adminUrl, `create database ${database}`);
  cleanups.push(() => sql(adminUrl, `drop database if exists ${database} with (force)`));
  const dbUrl = new URL(adminUrl);
  dbUrl.pathname = `/${database}`;
  const queuePrefix = `apiferry-bulk-${name}-${runId}`;
  cleanups.push(() => deleteQueueKeys(queuePrefix));
  const token = generateToken();
  const env = {
    DATABASE_URL: dbUrl.toString(),
    REDIS_URL: process.env.BENCH_REDIS_URL ?? 'redis://127.0.0.1:6379',
    QUEUE_PREFIX: queuePrefix,
    APIFERRY_BOOTSTRAP_TOKEN: token,
    S3_ENDPOINT: rgw.endpoint,
    S3_ACCESS_KEY_ID: rgw.accessKeyId,
    S3_SECRET_ACCESS_KEY: rgw.secretAccessKey,
    S3_BUCKET: `bulk-${name}-${runId}`,
    DATA_DIR: join(ROOT, '.data/bench'),
  };
  const api = await startProcess('api', env);
  cleanups.push(() => stopProcess(api));
  const worker = await startProcess('worker', env);
  cleanups.push(() => stopProcess(worker));
  return { name, env, token, dbUrl: dbUrl.toString(), api, worker };
}

async function deleteQueueKeys(prefix) {
  const redis = new Redis(process.env.BENCH_REDIS_URL ?? 'redis://127.0.0.1:6379', { lazyConnect: true, maxRetriesPerRequest: 1 });
  try {
    await redis.connect();
    for (let cursor = '0'; ; ) {
      const [next, keys] = await redis.scan(cursor, 'MATCH', `${prefix}:*`, 'COUNT', 1000);
      if (keys.length > 0) await redis.del(...keys);
      if ((cursor = next) === '0') break;
    }
  } finally {
    redis.disconnect();
  }
}

/**
 * Distinct, incompressible, valid UTF-8 text: base64 of an AES-CTR keystream keyed by the
 * seed (fast, and the same seed gives the same catalog).
 */
function keystream() {
  const key = createHash('sha256').update(seed).digest();
  const cipher = createCipheriv('aes-256-ctr', key, Buffer.alloc(16));
  const zeros = Buffer.alloc((charsPerResource / 4) * 3);
  return () => cipher.update(zeros).toString('base64');
}

/**
 * Seeds A's project with multi-row inserts of about 32 MB on two connections (two server
 * backends: PostgreSQL's side is the slower one). The resource text goes in as plain text
 * parameters that PostgreSQL wraps into the definition, so it is never parsed as JSON.
 */
async function seedSource(instance, projectId) {
  const nextContent = keystream();
  const rowsPerInsert = Math.max(1, Math.min(1000, Math.floor(32e6 / (charsPerResource * resourcesPerProxy))));
  const clients = [new pg.Client({ connectionString: instance.dbUrl }), new pg.Client({ connectionString: instance.dbUrl })];
  await Promise.all(clients.map((c) => c.connect()));
  const started = Date.now();
  let textBytes = 0;
  const resourcesSql = (b) =>
    `jsonb_build_array(${Array.from({ length: resourcesPerProxy }, (_, r) => `jsonb_build_object('name', 'doc-${r}.txt', 'contentType', 'text/plain', 'content', $${b + 6 + r}::text)`).join(', ')})`;
  const running = [];
  try {
    for (let start = 0, n = 0; start < proxyCount; start += rowsPerInsert, n++) {
      if (interrupted) throw new Error('interrupted while seeding');
      const rows = [];
      const params = [];
      for (let i = start; i < Math.min(proxyCount, start + rowsPerInsert); i++) {
        const b = params.length;
        params.push(projectId, randomUUID(), `proxy-${String(i).padStart(6, '0')}`, `/proxy-${i}`, JSON.stringify(benchProxyDefinition(i)));
        for (let r = 0; r < resourcesPerProxy; r++) params.push(nextContent());
        textBytes += resourcesPerProxy * charsPerResource;
        rows.push(`($${b + 1}, $${b + 2}, $${b + 3}, 'REST', $${b + 4}, 'v1', 1, $${b + 5}::jsonb || jsonb_build_object('resources', ${resourcesSql(b)}))`);
      }
      await running[n % 2];
      running[n % 2] = clients[n % 2].query(`insert into api_proxies (project_id, uuid, name, type, base_path, version, revision, definition) values ${rows.join(',')}`, params);
      running[n % 2].catch(() => undefined); // awaited on the connection's next turn; not unhandled meanwhile
      if (Math.floor(start / 10_000) !== Math.floor((start + rowsPerInsert) / 10_000)) log(`seeded ${Math.min(proxyCount, start + rowsPerInsert)} of ${proxyCount}`);
    }
    await Promise.all(running);
    await clients[0].query('analyze api_proxies');
  } finally {
    // An insert still in flight (after an error or an interrupt) must settle before its connection closes.
    await Promise.allSettled(running);
    await Promise.all(clients.map((c) => c.end()));
  }
  const seconds = (Date.now() - started) / 1000;
  return { seconds, resourceTextBytes: textBytes, mbPerSecond: textBytes / 1e6 / seconds, proxiesPerSecond: proxyCount / seconds };
}

/**
 * Polls a job until it ends, noting every progress change (the timeline), the longest time
 * a running job went without one, and the worker's RSS per phase.
 */
async function followJob(instance, jobId) {
  const timeline = [];
  const rssByPhase = {};
  // Where the worker's peak was reached: VmHWM each time it has grown by 5 MB or more.
  const peakRises = [];
  const started = Date.now();
  let lastKey;
  let lastChangeAt;
  let longestGap = { seconds: 0, after: null };
  for (;;) {
    const { status, body } = await call(instance.api.url, instance.token, 'GET', `/v1/jobs/${jobId}`);
    if (status !== 200) throw new Error(`GET /v1/jobs/${jobId} answered ${status}: ${JSON.stringify(body)}`);
    const now = Date.now();
    const phase = body.progress?.phase ?? null;
    const key = `${body.state}|${phase}|${body.progress?.done}|${body.progress?.total}`;
    if (key !== lastKey) {
      timeline.push({ t: (now - started) / 1000, state: body.state, phase, done: body.progress?.done ?? null, total: body.progress?.total ?? null });
      lastKey = key;
      lastChangeAt = now;
    } else if (body.state === 'running') {
      const gap = (now - lastChangeAt) / 1000;
      if (gap > longestGap.seconds) longestGap = { seconds: gap, after: timeline.at(-1) };
    }
    const rss = statusMb(instance.worker.child.pid, 'VmRSS');
    const rssPhase = body.state === 'running' ? (phase ?? 'starting') : body.state;
    if (rss !== undefined) rssByPhase[rssPhase] = Math.max(rssByPhase[rssPhase] ?? 0, Math.round(rss));
    const hwm = statusMb(instance.worker.child.pid, 'VmHWM');
    if (hwm !== undefined && hwm >= (peakRises.at(-1)?.peakRssMb ?? 0) + 5) {
      peakRises.push({ t: (now - started) / 1000, phase: rssPhase, done: body.progress?.done ?? null, peakRssMb: Math.round(hwm) });
    }
    const outOfTime = interrupted || (now - started) / 1000 > followLimitSeconds;
    if (['succeeded', 'failed', 'canceled'].includes(body.state) || outOfTime) {
      const job = outOfTime && !['succeeded', 'failed', 'canceled'].includes(body.state) ? { ...body, state: `${body.state}, no longer followed (${interrupted ? 'interrupted' : `BULK_FOLLOW_LIMIT_S=${followLimitSeconds}`})` } : body;
      return { job, seconds: (now - started) / 1000, timeline: compactTimeline(timeline), longestProgressGap: longestGap, rssByPhaseMb: rssByPhase, peakRssRises: peakRises, lastProgress: body.progress ?? null };
    }
    if (instance.worker.child.exitCode !== null || instance.worker.child.signalCode !== null) {
      throw new Error(`${instance.name}'s worker died during job ${jobId} (${instance.worker.child.exitCode ?? instance.worker.child.signalCode}): ${instance.worker.tail()}`);
    }
    await new Promise((r) => setTimeout(r, pollMs));
  }
}

/** At most about 400 points: every phase change and state change, the rest thinned evenly. */
function compactTimeline(timeline) {
  if (timeline.length <= 400) return timeline;
  const every = Math.ceil(timeline.length / 400);
  return timeline.filter((point, i) => i === 0 || i === timeline.length - 1 || point.phase !== timeline[i - 1].phase || point.state !== timeline[i - 1].state || i % every === 0);
}

/**
 * Streams A's artifact (its presigned link) into B's presigned multipart upload one part at
 * a time (at most two parts in memory: one being uploaded, one being filled), hashing it and
 * keeping its last 64 KiB to read the ZIP end records.
 */
async function moveArchive(source, exportJobId, target, size) {
  const started = Date.now();
  const link = await call(source.api.url, source.token, 'GET', `/v1/jobs/${exportJobId}/artifact`);
  if (link.status !== 302) throw new Error(`artifact link: ${link.status} ${JSON.stringify(link.body)}`);
  const download = await fetch(link.headers.get('location'));
  if (!download.ok) throw new Error(`download: ${download.status}`);
  const upload = await call(target.api.url, target.token, 'POST', `/v1/projects/${PROJECT}/uploads`, { fileName: 'bulk-migration.zip', size });
  if (upload.status !== 201 && upload.status !== 200) throw new Error(`upload: ${upload.status} ${JSON.stringify(upload.body)}`);
  const { id: uploadId, partSize, parts: partUrls } = upload.body;
  const hash = createHash('sha256');
  const etags = [];
  let tail = Buffer.alloc(0);
  let part = Buffer.allocUnsafe(partSize);
  let filled = 0;
  let moved = 0;
  let putting;
  const put = async (partNumber, body) => {
    const response = await fetch(partUrls[partNumber - 1].url, { method: 'PUT', body });
    if (!response.ok) throw new Error(`part ${partNumber}: ${response.status} ${await response.text()}`);
    etags.push({ partNumber, etag: response.headers.get('etag') });
  };
  const flush = async () => {
    await putting; // parts go one after the other, so the next number is the count so far + 1
    putting = put(etags.length + 1, part.subarray(0, filled));
    part = Buffer.allocUnsafe(partSize);
    filled = 0;
  };
  for await (const bytes of download.body) {
    const chunk = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
    hash.update(chunk);
    tail = Buffer.concat([tail, chunk]).subarray(-65536);
    moved += chunk.length;
    for (let offset = 0; offset < chunk.length; ) {
      const n = Math.min(partSize - filled, chunk.length - offset);
      chunk.copy(part, filled, offset, offset + n);
      filled += n;
      offset += n;
      if (filled === partSize) await flush();
    }
  }
  if (filled > 0) await flush();
  await putting;
  if (moved !== size) throw new Error(`moved ${moved} of ${size} bytes`);
  etags.sort((a, b) => a.partNumber - b.partNumber);
  const done = await call(target.api.url, target.token, 'POST', `/v1/projects/${PROJECT}/uploads/${uploadId}/complete`, { parts: etags });
  if (done.status >= 300) throw new Error(`complete: ${done.status} ${JSON.stringify(done.body)}`);
  const seconds = (Date.now() - started) / 1000;
  return { uploadId, bytes: moved, parts: etags.length, partSize, seconds, mbPerSecond: moved / 1e6 / seconds, sha256: hash.digest('hex'), zip: zipEnd(tail, moved) };
}

/** The ZIP end records from the archive's last bytes: zip64 or not, entry count, central directory. */
function zipEnd(tail, size) {
  const tailStart = size - tail.length;
  let eocd = -1;
  for (let i = tail.length - 22; i >= 0; i--) {
    if (tail.readUInt32LE(i) === 0x06054b50) {
      eocd = i;
      break;
    }
  }
  if (eocd < 0) return { valid: false };
  const classic = { entries: tail.readUInt16LE(eocd + 10), centralDirectoryBytes: tail.readUInt32LE(eocd + 12), centralDirectoryOffset: tail.readUInt32LE(eocd + 16) };
  const locator = eocd - 20;
  if (locator < 0 || tail.readUInt32LE(locator) !== 0x07064b50) return { valid: true, zip64: false, ...classic };
  const record = Number(tail.readBigUInt64LE(locator + 8)) - tailStart;
  if (record < 0 || tail.readUInt32LE(record) !== 0x06064b50) return { valid: false, zip64: true, reason: 'zip64 locator points at no zip64 end record' };
  return {
    valid: true,
    zip64: true,
    entries: Number(tail.readBigUInt64LE(record + 32)),
    centralDirectoryBytes: Number(tail.readBigUInt64LE(record + 40)),
    centralDirectoryOffset: Number(tail.readBigUInt64LE(record + 48)),
    // 0xFFFF / 0xFFFFFFFF in the classic record say "see the zip64 record".
    classicRecordDefers: classic.entries === 0xffff || classic.centralDirectoryOffset === 0xffffffff,
  };
}

/**
 * What a project holds, as digests over every proxy ordered by name (computed in PostgreSQL,
 * so the 6 GB of resource text is never pulled into this process).
 */
async function catalogDigest(dbUrl) {
  const { rows } = await sql(
    dbUrl,
    `with p as (
       select a.name, a.uuid, a.type, a.base_path, a.version, a.definition
         from api_proxies a join projects j on j.id = a.project_id where j.name = $1)
     select count(*)::int as proxies,
       coalesce(sum(jsonb_array_length(definition->'policies'->'request') + jsonb_array_length(definition->'policies'->'response')), 0)::bigint as policy_steps,
       coalesce(sum(jsonb_array_length(coalesce(definition->'resources', '[]'))), 0)::bigint as resources,
       coalesce(sum((select sum(length(r->>'content')) from jsonb_array_elements(coalesce(definition->'resources', '[]')) r)), 0)::bigint as resource_chars,
       md5(string_agg(name || '=' || uuid::text, ',' order by name)) as uuids,
       md5(string_agg(name || '=' || type || ' ' || base_path || ' ' || version || ' ' || md5((definition - 'resources')::text), ',' order by name)) as definitions_without_resources,
       md5(string_agg(name || '=' || coalesce((select string_agg((r->>'name') || ':' || coalesce(r->>'contentType', '') || ':' || md5(r->>'content'), ',' order by o)
                                              from jsonb_array_elements(definition->'resources') with ordinality as t(r, o)), ''), ',' order by name)) as resources_content,
       (select count(*)::int from policies s join projects j on j.id = s.project_id where j.name = $1) as shared_policies
     from p`,
    [PROJECT],
  );
  const row = rows[0];
  return { ...row, policy_steps: Number(row.policy_steps), resources: Number(row.resources), resource_chars: Number(row.resource_chars) };
}

/** On a digest mismatch: the first proxy whose definition (without resources) differs, both sides. */
async function firstDifference(sourceUrl, targetUrl) {
  const query = `select a.name, md5((a.definition - 'resources')::text) as digest from api_proxies a join projects j on j.id = a.project_id where j.name = $1 order by a.name`;
  const [left, right] = await Promise.all([sql(sourceUrl, query, [PROJECT]), sql(targetUrl, query, [PROJECT])]);
  const rightByName = new Map(right.rows.map((r) => [r.name, r.digest]));
  const differing = left.rows.find((r) => rightByName.get(r.name) !== r.digest);
  if (!differing) return { missingInTarget: 0, extraInTarget: right.rows.length - left.rows.length };
  const definition = `select a.definition - 'resources' as definition from api_proxies a join projects j on j.id = a.project_id where j.name = $1 and a.name = $2`;
  const [a, b] = await Promise.all([sql(sourceUrl, definition, [PROJECT, differing.name]), sql(targetUrl, definition, [PROJECT, differing.name])]);
  return { name: differing.name, source: a.rows[0]?.definition, target: b.rows[0]?.definition };
}

/** A job's figures; the worker's VmHWM is read before the probe is asked (SIGUSR2) for its peaks. */
async function jobFigures(followed, proc, archiveBytes) {
  const workerPeakRssMb = Math.round(proc.peakRssMb());
  const probe = await probeReport(proc);
  return {
    state: followed.job.state,
    error: followed.job.error ?? null,
    seconds: followed.seconds,
    proxiesPerSecond: proxyCount / followed.seconds,
    mbPerSecond: archiveBytes / 1e6 / followed.seconds,
    workerPeakRssMb,
    workerIdleRssMb: Math.round(proc.idleRssMb),
    rssByPhaseMb: followed.rssByPhaseMb,
    peakRssRises: followed.peakRssRises,
    probe,
    longestProgressGap: followed.longestProgressGap,
    lastProgress: followed.lastProgress,
    progressChanges: followed.timeline.length,
    timeline: followed.timeline,
    result: followed.job.result ?? null,
    loadAverageAfter: loadavg(),
  };
}

async function main() {
  const runId = `${Date.now().toString(36)}${randomBytes(2).toString('hex')}`;
  const estimatedArchiveBytes = proxyCount * (charsPerResource * resourcesPerProxy * DEFLATED_PER_CHAR + 800);
  const memstoreBytes = Math.ceil(Number(process.env.BULK_MEMSTORE_GIB ?? 0) * GiB) || Math.ceil(2 * 1.1 * estimatedArchiveBytes + 2 * GiB);
  const report = {
    benchmark: 'bulk-migration',
    date: new Date().toISOString(),
    label: process.env.BULK_LABEL ?? null,
    machine: { ...machine(), kernel: release() },
    node: process.version,
    workerNodeFlags: workerFlags,
    workerEnv,
    plan: { proxies: proxyCount, policyStepsPerProxy: 20, resourcesPerProxy, charsPerResource, estimatedArchiveBytes, memstoreBytes, pollMs, maxProgressGapSeconds, rssTargetMb },
    loadAverageAtStart: loadavg(),
  };
  log(`plan: ${proxyCount} proxies × ${resourcesPerProxy} resource(s) of ${charsPerResource} chars → archive ≈ ${(estimatedArchiveBytes / GiB).toFixed(2)} GiB; RGW memstore ${(memstoreBytes / GiB).toFixed(1)} GiB; worker ${workerFlags.join(' ')}`);

  // A signal stops following the job (the report is still written, then everything cleaned up);
  // a second one cleans up and exits at once.
  for (const signal of ['SIGINT', 'SIGTERM']) {
    process.on(signal, () => {
      if (interrupted) void cleanUp().finally(() => process.exit(130));
      interrupted = true;
      log(`${signal}: stopping after the current step`);
    });
  }
  const checks = [];
  const check = (name, ok, detail) => checks.push({ name, ok: Boolean(ok), detail });
  try {
    const rgw = await startCephRgw({ memstoreBytes });
    cleanups.push(() => rgw.stop());
    const [source, target] = [await startInstance('a', rgw, runId), await startInstance('b', rgw, runId)];
    for (const instance of [source, target]) {
      const created = await call(instance.api.url, instance.token, 'POST', '/v1/projects', { name: PROJECT });
      if (created.status !== 201) throw new Error(`project on ${instance.name}: ${created.status} ${JSON.stringify(created.body)}`);
    }
    const projectId = (await sql(source.dbUrl, 'select id from projects where name = $1', [PROJECT])).rows[0].id;

    log(`seeding A: ${proxyCount} proxies`);
    report.seed = await seedSource(source, projectId);
    log(`seeded in ${report.seed.seconds.toFixed(1)} s (${report.seed.mbPerSecond.toFixed(0)} MB/s of resource text, ${(report.seed.resourceTextBytes / 1e9).toFixed(2)} GB)`);

    const exportRequest = await call(source.api.url, source.token, 'POST', `/v1/projects/${PROJECT}/exports`, { include: { resources: true } });
    if (exportRequest.status !== 202) throw new Error(`export request: ${exportRequest.status} ${JSON.stringify(exportRequest.body)}`);
    log(`export job ${exportRequest.body.id}`);
    const exported = await followJob(source, exportRequest.body.id);
    const artifact = exported.job.result?.artifact;
    report.export = await jobFigures(exported, source.worker, artifact?.size ?? 0);
    log(`export ${exported.job.state} in ${exported.seconds.toFixed(1)} s, peak RSS ${report.export.workerPeakRssMb} MB, longest progress gap ${exported.longestProgressGap.seconds.toFixed(1)} s`);
    check('export succeeded', exported.job.state === 'succeeded', exported.job.error ?? null);
    if (exported.job.state !== 'succeeded') throw new Error(`export ${exported.job.state}: ${JSON.stringify(exported.job.error)}`);
    report.archive = { bytes: artifact.size, gib: artifact.size / GiB, entries: artifact.entries, sha256: artifact.sha256, counts: exported.job.result.counts };

    log(`moving ${(artifact.size / GiB).toFixed(2)} GiB from A to B`);
    report.move = await moveArchive(source, exported.job.id, target, artifact.size);
    log(`moved in ${report.move.seconds.toFixed(1)} s (${report.move.mbPerSecond.toFixed(0)} MB/s, ${report.move.parts} parts of ${report.move.partSize / 2 ** 20} MiB)`);
    const zip = report.move.zip;
    const wantZip64 = archiveTargetBytes >= 4 * GiB;
    check('archive sha256 is the one the export reported', report.move.sha256 === artifact.sha256, { moved: report.move.sha256, reported: artifact.sha256 });
    check('archive ends with valid ZIP end records', zip.valid, zip);
    check('entry count in the end records is the one the export reported', zip.entries === artifact.entries, { endRecords: zip.entries, reported: artifact.entries });
    if (wantZip64) {
      check('archive is over 4 GiB', artifact.size > 4 * GiB, { bytes: artifact.size });
      check('archive has zip64 end records (central directory past 4 GiB)', zip.zip64 && zip.centralDirectoryOffset > 0xffffffff && zip.classicRecordDefers, zip);
    }

    const importRequest = await call(target.api.url, target.token, 'POST', `/v1/projects/${PROJECT}/imports`, { uploadId: report.move.uploadId });
    if (importRequest.status !== 202) throw new Error(`import request: ${importRequest.status} ${JSON.stringify(importRequest.body)}`);
    log(`import job ${importRequest.body.id}`);
    const imported = await followJob(target, importRequest.body.id);
    report.import = await jobFigures(imported, target.worker, artifact.size);
    // The import report may list every asset: keep its counts, not 100,000 items, in the JSON.
    if (report.import.result) report.import.result = summarizeImportResult(report.import.result);
    log(`import ${imported.job.state} in ${imported.seconds.toFixed(1)} s, peak RSS ${report.import.workerPeakRssMb} MB, longest progress gap ${imported.longestProgressGap.seconds.toFixed(1)} s`);
    check('import succeeded', imported.job.state === 'succeeded', imported.job.error ?? null);

    for (const [name, figures] of [['export', report.export], ['import', report.import]]) {
      check(`${name}: no running stretch over ${maxProgressGapSeconds} s without a progress change`, figures.longestProgressGap.seconds <= maxProgressGapSeconds, figures.longestProgressGap);
      check(`${name}: worker peak RSS under ${rssTargetMb} MB`, figures.workerPeakRssMb < rssTargetMb, { peakRssMb: figures.workerPeakRssMb, byPhase: figures.rssByPhaseMb });
    }

    if (imported.job.state === 'succeeded') {
      log('comparing the catalogs (digests over every proxy)');
      const started = Date.now();
      const [a, b] = await Promise.all([catalogDigest(source.dbUrl), catalogDigest(target.dbUrl)]);
      report.verification = { seconds: (Date.now() - started) / 1000, source: a, target: b };
      check(`source holds ${proxyCount} proxies`, a.proxies === proxyCount, a.proxies);
      check('target holds as many proxies as the source', b.proxies === a.proxies, { source: a.proxies, target: b.proxies });
      check('same number of policy steps (20 a proxy)', b.policy_steps === a.policy_steps && a.policy_steps === 20 * proxyCount, { source: a.policy_steps, target: b.policy_steps });
      check('same number of resources', b.resources === a.resources && a.resources === resourcesPerProxy * proxyCount, { source: a.resources, target: b.resources });
      check('same resource names, types and contents (md5 of each, every proxy)', b.resources_content === a.resources_content && b.resource_chars === a.resource_chars, {
        source: a.resources_content,
        target: b.resources_content,
      });
      check('same definitions apart from resources (every proxy)', b.definitions_without_resources === a.definitions_without_resources, {
        source: a.definitions_without_resources,
        target: b.definitions_without_resources,
      });
      check('same proxy uuids', b.uuids === a.uuids, { source: a.uuids, target: b.uuids });
      if (b.definitions_without_resources !== a.definitions_without_resources) report.verification.firstDifference = await firstDifference(source.dbUrl, target.dbUrl);
    }
  } catch (error) {
    report.error = String(error?.stack ?? error);
    check('run completed', false, String(error?.message ?? error));
    console.error(error);
  } finally {
    await cleanUp();
  }
  report.loadAverageAtEnd = loadavg();
  report.checks = checks;
  report.passed = checks.length > 0 && checks.every((c) => c.ok);
  const label = process.env.BULK_LABEL ? `-${process.env.BULK_LABEL.replace(/[^A-Za-z0-9_.-]/g, '_')}` : '';
  mkdirSync(join(ROOT, 'bench/results'), { recursive: true });
  const file = join(ROOT, `bench/results/bulk-migration-${report.date.slice(0, 16).replace(':', '')}${label}.json`);
  writeFileSync(file, `${JSON.stringify(report, null, 2)}\n`);
  printSummary(report);
  log(`wrote ${file}`);
  process.exitCode = report.passed ? 0 : 1;
}

/** The import's result without its per-asset list (100,000 items): the list's length and first items. */
function summarizeImportResult(result) {
  const shorten = (value) => (value && typeof value === 'object' && Array.isArray(value.items) ? { ...value, items: { count: value.items.length, first: value.items.slice(0, 3) } } : value);
  const shortened = shorten(result);
  return shortened.report ? { ...shortened, report: shorten(shortened.report) } : shortened;
}

function printSummary(report) {
  const line = (name, job) =>
    job &&
    log(
      `${name}: ${job.state}, ${job.seconds.toFixed(1)} s, ${job.proxiesPerSecond.toFixed(0)} proxies/s, ${job.mbPerSecond.toFixed(1)} MB/s, ` +
        `worker peak RSS ${job.workerPeakRssMb} MB (idle ${job.workerIdleRssMb}, heap used ≤ ${job.probe?.peakMb.heapUsed ?? '?'} MB), longest progress gap ${job.longestProgressGap.seconds.toFixed(1)} s`,
    );
  if (report.seed) log(`seed: ${report.seed.seconds.toFixed(1)} s, ${report.seed.proxiesPerSecond.toFixed(0)} proxies/s, ${report.seed.mbPerSecond.toFixed(0)} MB/s`);
  line('export', report.export);
  if (report.archive) log(`archive: ${report.archive.bytes} bytes (${report.archive.gib.toFixed(2)} GiB), ${report.archive.entries} entries, zip64 ${report.move?.zip?.zip64}`);
  if (report.move) log(`move A → B: ${report.move.seconds.toFixed(1)} s, ${report.move.mbPerSecond.toFixed(0)} MB/s`);
  line('import', report.import);
  for (const c of report.checks) log(`${c.ok ? 'PASS' : 'FAIL'} ${c.name}${c.ok ? '' : `: ${JSON.stringify(c.detail)?.slice(0, 400)}`}`);
  log(`load average ${report.loadAverageAtStart.map((l) => l.toFixed(1)).join(' ')} → ${report.loadAverageAtEnd.map((l) => l.toFixed(1)).join(' ')}; ${report.passed ? 'PROOF PASSED' : 'PROOF FAILED'}`);
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
