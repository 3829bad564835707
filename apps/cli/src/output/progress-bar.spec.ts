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

  it('puts a message above the bar on a terminal, as a plain line elsewhere, and nowhere for machine output', () => {
    const tty = stream(true);
    const bar = new ProgressBar(tty, { plain: true });
    bar.update({ phase: 'uploading', done: 1, total: 4, rate: null, etaSeconds: null, unit: 'bytes' }, true);
    bar.log('part 2 failed: the object store answered HTTP 500; sending it again (try 2 of 3)');
    bar.update({ phase: 'uploading', done: 2, total: 4, rate: null, etaSeconds: null, unit: 'bytes' });
    expect(tty.writes.slice(1)).toEqual(['\r\x1b[Kpart 2 failed: the object store answered HTTP 500; sending it again (try 2 of 3)\n', expect.stringMatching(/^\r\x1b\[Kuploading .* 50%/)]);
    const log = stream(false);
    new ProgressBar(log, { plain: true }).log('a note');
    expect(log.writes).toEqual(['a note\n']);
    const quiet = stream(false);
    new ProgressBar(quiet, { plain: false }).log('a note');
    expect(quiet.writes).toEqual([]);
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
