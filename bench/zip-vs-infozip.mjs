// The archive writer and reader against Info-ZIP's zip and unzip on the same documents, in
// the same run: throughput in MB/s of document bytes, and ours as a ratio of theirs
// (target ≥ 0.7).
//
//   npm run build && node bench/zip-vs-infozip.mjs          # 20,000 documents
//   BENCH_ZIP_DOCS=50000 node bench/zip-vs-infozip.mjs
//
// What each side does, so the ratio compares like with like as far as the tools allow:
//   write: zip -q -r -6 (deflate level 6) reads the files from the page cache and deflates
//          them; ArchiveWriter serializes each document, hashes it (SHA-256, for the
//          manifest), deflates it and writes the archive plus its manifest.
//   read:  unzip -t -q inflates every entry and checks its CRC-32, on one core;
//          ArchiveReader.open + verifyAll reads and checks the central directory and the
//          manifest, inflates every entry, checks CRC-32, size and the manifest's SHA-256,
//          and parses each JSON document into objects (the import needs them), limits
//          enforced throughout. So the two do not do the same work: JSON.parse of the same
//          documents is timed on its own (read.jsonParseSeconds, from strings already in
//          memory) to show how much of the gap it is. CPU time is reported beside wall time
//          (unzip's user+sys; ours for the whole process and for the main thread alone).
//          read.bytesOnly is ours doing unzip -t's work (plus SHA-256): verifyAll with
//          parseJson: false, the like-for-like comparison.
//   The machine's load average is recorded: on a shared machine, compare runs of one file.
import { execFileSync, spawnSync } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { createWriteStream, existsSync, mkdirSync, mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { cpus, hostname, loadavg, tmpdir, totalmem } from 'node:os';
import { join } from 'node:path';
import { pipeline } from 'node:stream/promises';
import { ArchiveReader, ArchiveWriter } from '#archive';
import { benchProxyDefinition } from './bench-kit.mjs';

const ROOT = new URL('..', import.meta.url).pathname;
const COUNT = Number(process.env.BENCH_ZIP_DOCS ?? 20_000);
const RUNS = Number(process.env.BENCH_ZIP_RUNS ?? 3);
const GNU_TIME = '/usr/bin/time';

function document(i) {
  return { uuid: randomUUID(), name: `proxy-${String(i).padStart(6, '0')}`, basePath: `/proxy-${i}`, version: 'v1', ...benchProxyDefinition(i) };
}

function seconds(fn) {
  const started = process.hrtime.bigint();
  const value = fn();
  return value instanceof Promise ? value.then(() => Number(process.hrtime.bigint() - started) / 1e9) : Number(process.hrtime.bigint() - started) / 1e9;
}

const median = (values) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)];

async function main() {
  const dir = mkdtempSync(join(tmpdir(), 'apiferry-zipbench-'));
  try {
    const docs = Array.from({ length: COUNT }, (_, i) => document(i));
    const files = join(dir, 'files', 'apiProxy');
    mkdirSync(files, { recursive: true });
    let bytes = 0;
    for (const doc of docs) {
      const text = JSON.stringify(doc, null, 2);
      bytes += Buffer.byteLength(text);
      writeFileSync(join(files, `${doc.name}.json`), text);
    }
    const mb = bytes / 1e6;
    console.log(`${COUNT} documents, ${mb.toFixed(1)} MB; ${RUNS} runs each, medians`);

    const infoZipArchive = join(dir, 'infozip.zip');
    const oursArchive = join(dir, 'ours.zip');
    const texts = docs.map((doc) => JSON.stringify(doc, null, 2));
    const runs = { zipWrite: [], oursWrite: [], unzipRead: [], oursRead: [], oursReadBytes: [], jsonParse: [] };
    const readCpu = { unzip: [], ours: [], oursMainThread: [] };
    const loads = [];
    for (let run = 0; run < RUNS; run++) {
      rmSync(infoZipArchive, { force: true });
      runs.zipWrite.push(seconds(() => execFileSync('zip', ['-q', '-r', '-6', infoZipArchive, '.'], { cwd: join(dir, 'files') })));
      runs.oursWrite.push(
        await seconds(async () => {
          const writer = new ArchiveWriter({ source: { instance: 'bench', project: 'bench' } });
          const written = pipeline(writer.output, createWriteStream(oursArchive));
          for (const doc of docs) await writer.addJson('apiProxy', doc, doc);
          await writer.finish();
          await written;
        }),
      );
      loads.push(loadavg()[0]);
      runs.unzipRead.push(
        seconds(() => {
          // GNU time (Debian package "time") reports unzip's CPU seconds; without it, wall time only.
          const timed = existsSync(GNU_TIME);
          const unzip = ['unzip', '-t', '-q', infoZipArchive];
          const result = timed ? spawnSync(GNU_TIME, ['-f', '%U %S', ...unzip]) : spawnSync(unzip[0], unzip.slice(1));
          if (result.status !== 0) throw new Error(`unzip -t failed: ${result.stderr}`);
          const [user, system] = result.stderr.toString().trim().split('\n').pop().split(' ').map(Number);
          readCpu.unzip.push(timed ? user + system : NaN);
        }),
      );
      const cpuBefore = process.cpuUsage();
      const mainBefore = process.threadCpuUsage();
      runs.oursRead.push(
        await seconds(async () => {
          const reader = await ArchiveReader.open(oursArchive);
          let parsed = 0;
          await reader.verifyAll({ onJson: () => void parsed++ });
          if (parsed !== COUNT) throw new Error(`verifyAll saw ${parsed} documents, wanted ${COUNT}`);
        }),
      );
      const cpu = process.cpuUsage(cpuBefore);
      const main = process.threadCpuUsage(mainBefore);
      // Like for like with unzip -t: the same pass checking the bytes only (limits, size,
      // CRC-32, and the SHA-256 unzip does not compute), without parsing the documents.
      runs.oursReadBytes.push(
        await seconds(async () => {
          const reader = await ArchiveReader.open(oursArchive);
          await reader.verifyAll({ parseJson: false });
        }),
      );
      readCpu.ours.push((cpu.user + cpu.system) / 1e6);
      readCpu.oursMainThread.push((main.user + main.system) / 1e6);
      runs.jsonParse.push(
        seconds(() => {
          for (const text of texts) JSON.parse(text);
        }),
      );
    }
    const m = Object.fromEntries(Object.entries(runs).map(([k, v]) => [k, median(v)]));
    const result = {
      documents: COUNT,
      documentMb: mb,
      archiveMb: { infoZip: statSync(infoZipArchive).size / 1e6, ours: statSync(oursArchive).size / 1e6 },
      write: { infoZipMbPerSecond: mb / m.zipWrite, oursMbPerSecond: mb / m.oursWrite, ratio: m.zipWrite / m.oursWrite, seconds: { infoZip: runs.zipWrite, ours: runs.oursWrite } },
      read: {
        infoZipMbPerSecond: mb / m.unzipRead,
        oursMbPerSecond: mb / m.oursRead,
        ratio: m.unzipRead / m.oursRead,
        seconds: { infoZip: runs.unzipRead, ours: runs.oursRead, oursBytesOnly: runs.oursReadBytes },
        bytesOnly: { oursMbPerSecond: mb / m.oursReadBytes, ratio: m.unzipRead / m.oursReadBytes },
        cpuSeconds: readCpu,
        cpuSecondsMedian: Object.fromEntries(Object.entries(readCpu).map(([k, v]) => [k, median(v)])),
        jsonParseSeconds: runs.jsonParse,
        jsonParseShareOfUnzip: m.jsonParse / m.unzipRead,
      },
      loadAverage1m: loads,
    };
    console.log(
      `write: zip ${result.write.infoZipMbPerSecond.toFixed(1)} MB/s, ours ${result.write.oursMbPerSecond.toFixed(1)} MB/s, ratio ${result.write.ratio.toFixed(2)}\n` +
        `read:  unzip -t ${result.read.infoZipMbPerSecond.toFixed(1)} MB/s, ours ${result.read.oursMbPerSecond.toFixed(1)} MB/s, ratio ${result.read.ratio.toFixed(2)} (target ≥ 0.7)\n` +
        `       bytes only (no JSON.parse): ours ${result.read.bytesOnly.oursMbPerSecond.toFixed(1)} MB/s, ratio ${result.read.bytesOnly.ratio.toFixed(2)}\n` +
        `       cpu s (medians): unzip ${result.read.cpuSecondsMedian.unzip.toFixed(2)}, ours ${result.read.cpuSecondsMedian.ours.toFixed(2)} (main thread ${result.read.cpuSecondsMedian.oursMainThread.toFixed(2)}); ` +
        `JSON.parse of the documents alone ${m.jsonParse.toFixed(2)} s = ${result.read.jsonParseShareOfUnzip.toFixed(2)} of unzip -t's time; load average ${loads.map((l) => l.toFixed(1)).join(' ')}`,
    );
    const versions = {
      node: process.version,
      zip: execFileSync('zip', ['-v']).toString().split('\n')[1]?.trim(),
      unzip: execFileSync('unzip', ['-v']).toString().split('\n')[0]?.trim(),
    };
    const report = {
      benchmark: 'zip-vs-infozip',
      date: new Date().toISOString(),
      command: `BENCH_ZIP_DOCS=${COUNT} BENCH_ZIP_RUNS=${RUNS} node bench/zip-vs-infozip.mjs`,
      machine: { hostname: hostname(), cpus: cpus().length, cpuModel: cpus()[0]?.model, memoryGb: Math.round(totalmem() / 1024 ** 3) },
      versions,
      result,
    };
    mkdirSync(join(ROOT, 'bench/results'), { recursive: true });
    // Date and minute (and BENCH_LABEL) in the name: two runs of a day must not overwrite each other.
    const label = process.env.BENCH_LABEL ? `-${process.env.BENCH_LABEL.replace(/[^A-Za-z0-9_.-]/g, '_')}` : '';
    const file = join(ROOT, `bench/results/zip-vs-infozip-${report.date.slice(0, 16).replace(':', '')}${label}.json`);
    writeFileSync(file, `${JSON.stringify(report, null, 2)}\n`);
    console.log(`wrote ${file}`);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
