// Loaded into the benchmarked worker with `node --import ./bench/loop-delay-probe.mjs`:
// measures how late the worker's event loop runs its callbacks (monitorEventLoopDelay) and
// how busy it is (eventLoopUtilization). On SIGWINCH (a signal NestJS's shutdown hooks leave
// alone, unlike SIGUSR2) it writes the figures since the last
// SIGWINCH (or the start) to $BENCH_LOOP_PROBE_FILE and starts over, so a benchmark can
// bracket one phase, such as a large export, with two signals.
import { writeFileSync } from 'node:fs';
import { monitorEventLoopDelay, performance } from 'node:perf_hooks';

const file = process.env.BENCH_LOOP_PROBE_FILE;
if (file) {
  const ms = (ns) => Math.round((ns / 1e6) * 10) / 10;
  const delay = monitorEventLoopDelay({ resolution: 1 });
  delay.enable();
  let utilizationSince = performance.eventLoopUtilization();
  process.on('SIGWINCH', () => {
    const utilization = performance.eventLoopUtilization(utilizationSince);
    const report = {
      samples: delay.count,
      // Timer to timer, the 1 ms sampling interval included: an idle loop reads about 1 ms.
      delayMs: { p50: ms(delay.percentile(50)), p99: ms(delay.percentile(99)), max: ms(delay.max), mean: ms(delay.mean) },
      loopUtilization: Math.round(utilization.utilization * 1000) / 1000,
      loopActiveMs: Math.round(utilization.active),
    };
    writeFileSync(file, JSON.stringify(report) + '\n');
    delay.reset();
    utilizationSince = performance.eventLoopUtilization();
  });
}
