import { describe, expect, it } from '@jest/globals';
import { ProgressBar, renderLine } from './progress-bar.js';

function stream(isTTY: boolean) {
  const writes: string[] = [];
  return { writes, isTTY, columns: 100, write: (chunk: string) => writes.push(chunk) > 0 };
}

describe('progress display', () => {
  it('renders phase, bar, percent, amounts, rate and ETA', () => {
    const line = renderLine({ phase: 'uploading', done: 3 * 1024 ** 2, total: 8 * 1024 ** 2, rate: 1024 ** 2, etaSeconds: 5, unit: 'bytes' }, 8);
    expect(line).toBe('uploading  [###-----]   37%  3.0 MiB/8.0 MiB  1.0 MiB/s  ETA 0:05');
    expect(renderLine({ phase: 'queued', done: 0, total: null, rate: null, etaSeconds: null, unit: 'items' }, 8)).toBe('queued');
  });

  it('redraws in place on a terminal and ends the line when finished', () => {
    const tty = stream(true);
    const bar = new ProgressBar(tty, { plain: true });
    bar.update({ phase: 'importing', done: 1, total: 4, rate: null, etaSeconds: null, unit: 'items' }, true);
    bar.update({ phase: 'importing', done: 4, total: 4, rate: null, etaSeconds: null, unit: 'items' }, true);
    bar.finish();
    expect(tty.writes.every((w) => w.startsWith('\r\x1b[K') || w === '\n')).toBe(true);
    expect(tty.writes.at(-1)).toBe('\n');
  });

  it('prints plain lines elsewhere: on a phase change or every 10 percent, and none for machine output', () => {
    const log = stream(false);
    const bar = new ProgressBar(log, { plain: true });
    for (let done = 0; done <= 100; done++) bar.update({ phase: 'verifying', done, total: 100, rate: null, etaSeconds: null, unit: 'items' });
    bar.update({ phase: 'importing', done: 0, total: 100, rate: null, etaSeconds: null, unit: 'items' });
    expect(log.writes).toHaveLength(12);
    expect(log.writes.every((w) => w.endsWith('\n') && !w.includes('\r'))).toBe(true);

    const quiet = stream(false);
    new ProgressBar(quiet, { plain: false }).update({ phase: 'x', done: 1, total: 2, rate: null, etaSeconds: null, unit: 'items' });
    expect(quiet.writes).toEqual([]);
  });
});
