// Library-level memory check of the archive writer and reader, without the service around
// them: writes N proxy-like JSON entries to a file, then opens and verifies it, and prints
// the live heap (after a forced GC) and the peak RSS of each phase.
//
//   node --expose-gc bench/archive-memory.mjs 10000 [write|read|both]
import { createWriteStream, rmSync } from 'node:fs';
import { readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pipeline } from 'node:stream/promises';
import { ArchiveReader, ArchiveWriter } from '../dist/libs/archive/src/index.js';
import { benchProxyDoc } from './proxy-doc.mjs';

const count = Number(process.argv[2] ?? 10000);
const mode = process.argv[3] ?? 'both';
const file = join(tmpdir(), `apiferry-archive-memory-${count}.zip`);
const mb = (bytes) => (bytes / 1024 / 1024).toFixed(1);
const hwm = () => Number(/VmHWM:\s+(\d+)/.exec(readFileSync('/proc/self/status', 'utf8'))[1]) / 1024;
const live = () => {
  globalThis.gc?.();
  return process.memoryUsage().heapUsed;
};


const peaks = { rss: 0, heapTotal: 0, heapUsed: 0, external: 0, arrayBuffers: 0 };
function sample() {
  const usage = process.memoryUsage();
  for (const key of Object.keys(peaks)) peaks[key] = Math.max(peaks[key], usage[key]);
}
setInterval(sample, 20).unref();
const peakLine = () => {
  sample();
  const line = Object.entries(peaks).map(([k, v]) => `${k} ${mb(v)}`).join(', ');
  for (const key of Object.keys(peaks)) peaks[key] = 0;
  return line;
};

const base = live();
console.log(`start: heap ${mb(base)} MB, rss ${mb(process.memoryUsage().rss)} MB`);
if (mode !== 'read') {
  const started = Date.now();
  const writer = new ArchiveWriter({ source: { instance: 'bench', project: 'p' } });
  const done = pipeline(writer.output, createWriteStream(file));
  let heapBeforeFinish = 0;
  for (let i = 0; i < count; i++) {
    const d = benchProxyDoc(i);
    await writer.addJson('apiProxy', { uuid: d.uuid, name: d.name }, d);
  }
  heapBeforeFinish = live();
  const result = await writer.finish();
  await done;
  console.log(`write ${count}: ${((Date.now() - started) / 1000).toFixed(1)} s, ${mb(result.bytes)} MB; live heap before finish +${mb(heapBeforeFinish - base)} MB; peak rss ${hwm().toFixed(0)} MB`);
  console.log(`  peaks: ${peakLine()}`);
}
if (mode !== 'write') {
  const started = Date.now();
  const reader = await ArchiveReader.open(file);
  const opened = live();
  let n = 0;
  await reader.verifyAll({ onJson: () => void n++ });
  console.log(`read ${count}: ${((Date.now() - started) / 1000).toFixed(1)} s, ${n} entries; live heap after open +${mb(opened - base)} MB; peak rss ${hwm().toFixed(0)} MB`);
  console.log(`  peaks: ${peakLine()}`);
}
if (mode === 'both') rmSync(file, { force: true });
