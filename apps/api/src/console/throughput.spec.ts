import { describe, expect, it } from '@jest/globals';
// The console's own browser module: plain JavaScript, no DOM needed to compute samples.
// @ts-expect-error -- an untyped .js file outside the TypeScript build
import { ThroughputSamples } from '../../console/throughput.js';

const at = (ms: number) => new Date(Date.UTC(2026, 0, 1) + ms).toISOString();

describe('ThroughputSamples (the console chart data)', () => {
  it('turns successive progress snapshots of one phase into assets per second', () => {
    const samples = new ThroughputSamples();
    samples.add({ phase: 'exporting proxies', done: 10, total: 100, rate: 20, updatedAt: at(0) });
    samples.add({ phase: 'exporting proxies', done: 20, total: 100, rate: 20, updatedAt: at(500) });
    samples.add({ phase: 'exporting proxies', done: 50, total: 100, rate: 30, updatedAt: at(1500) });
    expect(samples.samples.map((s: { rate: number }) => s.rate)).toEqual([20, 20, 30]);
  });

  it('starts a new phase from its own average rate, and plots nothing for a phase without one yet', () => {
    const samples = new ThroughputSamples();
    samples.add({ phase: 'verifying archive', done: 100, total: 100, rate: 400, updatedAt: at(0) });
    samples.add({ phase: 'importing', done: 0, total: 100, rate: null, updatedAt: at(250) });
    samples.add({ phase: 'importing', done: 50, total: 100, rate: 100, updatedAt: at(750) });
    expect(samples.samples.map((s: { phase: string; rate: number }) => [s.phase, s.rate])).toEqual([
      ['verifying archive', 400],
      ['importing', 100],
    ]);
  });

  it('measures a rate over at least 200 ms: a snapshot right after another waits for the next', () => {
    const samples = new ThroughputSamples();
    samples.add({ phase: 'exporting proxies', done: 100, total: 400, rate: 100, updatedAt: at(0) });
    samples.add({ phase: 'exporting proxies', done: 220, total: 400, rate: 110, updatedAt: at(2) });
    samples.add({ phase: 'exporting proxies', done: 300, total: 400, rate: 150, updatedAt: at(1000) });
    expect(samples.samples.map((s: { rate: number }) => s.rate)).toEqual([100, 200]);
  });

  it('ignores the same snapshot heard twice (a resumed stream) and a missing progress', () => {
    const samples = new ThroughputSamples();
    const snapshot = { phase: 'p', done: 5, total: 10, rate: 5, updatedAt: at(0) };
    expect(samples.add(snapshot)).toBe(true);
    expect(samples.add({ ...snapshot })).toBe(false);
    expect(samples.add(null)).toBe(false);
    expect(samples.samples).toHaveLength(1);
  });
});
