import { h, svg } from './dom.js';

/**
 * Turns a job's progress events into throughput samples (assets per second over time). Each
 * sample is the change in `done` since the previous event of the same phase, divided by the
 * time between their `updatedAt`; the first event of a phase takes the phase's own average
 * rate. Snapshots arrive at most every few hundred milliseconds, so this is a rate per
 * snapshot interval, not per asset.
 */
/** The shortest span a rate is measured over. */
const MIN_INTERVAL_MS = 200;

export class ThroughputSamples {
  constructor() {
    this.samples = [];
    this.previous = undefined;
  }

  add(progress) {
    if (!progress || typeof progress.done !== 'number') return false;
    const at = Date.parse(progress.updatedAt ?? '') || Date.now();
    const previous = this.previous;
    if (previous && previous.at === at && previous.done === progress.done && previous.phase === progress.phase) return false;
    const samePhase = previous && previous.phase === progress.phase;
    // Snapshots a few milliseconds apart (the last one of a phase is written at once) would
    // divide a burst by almost nothing: measure from the earlier snapshot at the next one.
    if (samePhase && at - previous.at < MIN_INTERVAL_MS) return false;
    let rate;
    if (samePhase) rate = Math.max(0, (progress.done - previous.done) / ((at - previous.at) / 1000));
    else if (typeof progress.rate === 'number') rate = progress.rate;
    this.previous = { at, done: progress.done, phase: progress.phase };
    // A phase that just began and reports no rate yet has nothing to plot (not a zero).
    if (rate === undefined) return false;
    this.samples.push({ at, rate, phase: progress.phase });
    return true;
  }
}

const WIDTH = 640;
const HEIGHT = 200;
const PAD = { left: 56, right: 16, top: 16, bottom: 36 };

/** A line chart of the samples as inline SVG (no library, nothing fetched). */
export function throughputChart(samples) {
  const latest = samples.at(-1);
  const peak = samples.reduce((max, s) => Math.max(max, s.rate), 0);
  const summary = samples.length
    ? `Throughput over ${samples.length} samples: latest ${formatRate(latest.rate)} assets per second, peak ${formatRate(peak)}.`
    : 'No throughput samples yet.';
  if (samples.length === 0) return h('p', { class: 'muted', 'data-testid': 'throughput-empty' }, 'The chart fills in from progress events while the job runs with this page open.');

  const start = samples[0].at;
  const span = Math.max(1000, latest.at - start);
  const top = niceCeiling(peak || 1);
  const plotWidth = WIDTH - PAD.left - PAD.right;
  const plotHeight = HEIGHT - PAD.top - PAD.bottom;
  const x = (at) => PAD.left + ((at - start) / span) * plotWidth;
  const y = (rate) => PAD.top + plotHeight - (rate / top) * plotHeight;

  const gridLines = [0, 0.25, 0.5, 0.75, 1].map((f) =>
    svg('g', {},
      svg('line', { x1: PAD.left, x2: WIDTH - PAD.right, y1: y(top * f), y2: y(top * f), class: 'chart-grid' }),
      svg('text', { x: PAD.left - 6, y: y(top * f) + 4, 'text-anchor': 'end', class: 'chart-label' }, formatRate(top * f)),
    ),
  );
  const points = samples.map((s) => `${x(s.at).toFixed(1)},${y(s.rate).toFixed(1)}`).join(' ');
  const dots = samples.map((s) =>
    svg('circle', { cx: x(s.at).toFixed(1), cy: y(s.rate).toFixed(1), r: 2.5, class: 'chart-dot' },
      svg('title', {}, `${formatRate(s.rate)} assets/s at ${((s.at - start) / 1000).toFixed(1)} s (${s.phase})`)),
  );
  return svg('svg', {
    viewBox: `0 0 ${WIDTH} ${HEIGHT}`,
    class: 'chart',
    role: 'img',
    'aria-label': summary,
    'data-testid': 'throughput-chart',
    'data-samples': samples.length,
  },
    svg('title', {}, summary),
    gridLines,
    svg('line', { x1: PAD.left, x2: WIDTH - PAD.right, y1: y(0), y2: y(0), class: 'chart-axis' }),
    svg('text', { x: PAD.left, y: HEIGHT - 10, class: 'chart-label' }, '0 s'),
    svg('text', { x: WIDTH - PAD.right, y: HEIGHT - 10, 'text-anchor': 'end', class: 'chart-label' }, `${(span / 1000).toFixed(1)} s`),
    svg('text', { x: (PAD.left + WIDTH - PAD.right) / 2, y: HEIGHT - 10, 'text-anchor': 'middle', class: 'chart-label' }, 'time since first sample'),
    svg('polyline', { points, class: 'chart-line' }),
    dots,
  );
}

function niceCeiling(value) {
  const magnitude = 10 ** Math.floor(Math.log10(value));
  for (const step of [1, 2, 2.5, 5, 10]) if (step * magnitude >= value) return step * magnitude;
  return 10 * magnitude;
}

function formatRate(rate) {
  return rate >= 100 ? String(Math.round(rate)) : rate >= 10 ? rate.toFixed(1) : rate.toFixed(2);
}
