// Loaded into the benchmarked worker with `node --import ./bench/memory-probe.mjs`: samples
// process.memoryUsage() every 50 ms and writes the peaks (and the V8 heap spaces at the RSS
// peak) to $BENCH_MEMORY_PROBE_FILE when it gets SIGUSR2. The worker's NestJS shutdown hooks
// also take SIGUSR2 as "stop", so the signal ends the worker too: the benches read VmHWM
// first and ask for the probe last. ('exit' is no use: the worker's SIGTERM handling
// re-raises the signal, so it never fires.) It tells what the peak RSS (VmHWM) is made of:
// JS heap, heap the GC has not given back, or memory outside V8.
import { writeFileSync } from 'node:fs';
import v8 from 'node:v8';

const file = process.env.BENCH_MEMORY_PROBE_FILE;
if (file) {
  const mb = (bytes) => Math.round((bytes / 1024 / 1024) * 10) / 10;
  const peaks = { rss: 0, heapTotal: 0, heapUsed: 0, external: 0, arrayBuffers: 0 };
  let atRssPeak;
  let samples = 0;
  // One sample a second as it was taken (MB), to see what moves at a phase change.
  const timeline = [];
  const started = Date.now();
  const sample = () => {
    const usage = process.memoryUsage();
    samples++;
    // Also every sample where the RSS grew by 2 MB since the last point: what a spike is made of.
    if (samples % 20 === 1 || usage.rss > (timeline.at(-1)?.rss ?? 0) * 1024 * 1024 + 2 * 1024 * 1024) {
      timeline.push({ t: Math.round((Date.now() - started) / 100) / 10, rss: mb(usage.rss), heapTotal: mb(usage.heapTotal), heapUsed: mb(usage.heapUsed), arrayBuffers: mb(usage.arrayBuffers) });
    }
    for (const key of Object.keys(peaks)) peaks[key] = Math.max(peaks[key], usage[key]);
    if (usage.rss >= peaks.rss) {
      atRssPeak = { ...usage, spaces: v8.getHeapSpaceStatistics().map((s) => [s.space_name, mb(s.space_size), mb(s.space_used_size)]) };
    }
  };
  const timer = setInterval(sample, 50);
  timer.unref();
  const write = () => {
    clearInterval(timer);
    sample();
    const report = {
      samples,
      timeline,
      peakMb: Object.fromEntries(Object.entries(peaks).map(([k, v]) => [k, mb(v)])),
      atRssPeakMb: atRssPeak && {
        rss: mb(atRssPeak.rss),
        heapTotal: mb(atRssPeak.heapTotal),
        heapUsed: mb(atRssPeak.heapUsed),
        external: mb(atRssPeak.external),
        arrayBuffers: mb(atRssPeak.arrayBuffers),
        spaces: Object.fromEntries(atRssPeak.spaces.map(([name, size, used]) => [name, { size, used }])),
      },
    };
    writeFileSync(file, JSON.stringify(report, null, 2) + '\n');
  };
  process.on('SIGUSR2', write);
}
