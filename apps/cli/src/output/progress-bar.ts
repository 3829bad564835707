import { formatBytes, formatDuration } from './format.js';
import type { TerminalStream } from './output.js';

export interface ProgressSnapshot {
  phase: string;
  done: number;
  /** Unknown totals show no bar, percentage or ETA. */
  total: number | null;
  /** Items (or bytes) per second. */
  rate: number | null;
  etaSeconds: number | null;
  unit: 'items' | 'bytes';
}

const REDRAW_EVERY_MS = 100;
const PLAIN_STEP_PERCENT = 10;
const BAR_WIDTH = 24;

/**
 * A one-line progress display on stderr. On a terminal it redraws in place (`\r`); anywhere
 * else (a CI log, a pipe) it prints a plain line when the phase changes or every 10 percent,
 * and nothing at all when `plain` is off (machine output).
 */
export class ProgressBar {
  private lastDraw = 0;
  private drawn = false;
  private lastPhase: string | undefined;
  private lastPlainStep = -1;
  private latest: ProgressSnapshot | undefined;

  constructor(
    private readonly stream: TerminalStream,
    private readonly options: { plain: boolean },
  ) {}

  private get tty(): boolean {
    return this.stream.isTTY === true;
  }

  update(snapshot: ProgressSnapshot, force = false): void {
    this.latest = snapshot;
    if (this.tty) {
      const now = Date.now();
      if (!force && now - this.lastDraw < REDRAW_EVERY_MS) return;
      this.lastDraw = now;
      const width = Math.max(20, (this.stream.columns || 80) - 1);
      this.stream.write(`\r\x1b[K${renderLine(snapshot, BAR_WIDTH).slice(0, width)}`);
      this.drawn = true;
      return;
    }
    if (!this.options.plain) return;
    const percent = percentOf(snapshot);
    const step = percent === null ? -1 : Math.floor(percent / PLAIN_STEP_PERCENT);
    if (snapshot.phase !== this.lastPhase || step > this.lastPlainStep) {
      this.lastPhase = snapshot.phase;
      this.lastPlainStep = step;
      this.stream.write(`${renderLine(snapshot, 0)}\n`);
    }
  }

  /** Draws the last state once more and ends the line, so later output starts clean. */
  finish(): void {
    if (this.tty && this.drawn) {
      if (this.latest) this.stream.write(`\r\x1b[K${renderLine(this.latest, BAR_WIDTH)}`);
      this.stream.write('\n');
      this.drawn = false;
    }
  }

  /** A line for a person above the progress line (which the next update redraws); none for machine output. */
  log(line: string): void {
    if (this.tty) {
      this.stream.write(`\r\x1b[K${line}\n`);
      this.drawn = false;
      this.lastDraw = 0;
      return;
    }
    if (this.options.plain) this.stream.write(`${line}\n`);
  }

  /** Removes the line without a trace (an error message follows). */
  clear(): void {
    if (this.tty && this.drawn) {
      this.stream.write('\r\x1b[K');
      this.drawn = false;
    }
  }
}

function percentOf(snapshot: ProgressSnapshot): number | null {
  if (snapshot.total === null || snapshot.total <= 0) return null;
  return Math.min(100, (snapshot.done / snapshot.total) * 100);
}

/** `uploading  [#########---------------]  38%  1.2 MiB/s  ETA 0:14`; barWidth 0 leaves the bar out. */
export function renderLine(snapshot: ProgressSnapshot, barWidth: number): string {
  const parts = [snapshot.phase];
  const percent = percentOf(snapshot);
  const amount = (n: number) => (snapshot.unit === 'bytes' ? formatBytes(n) : String(n));
  if (percent !== null) {
    if (barWidth > 0) {
      const filled = Math.round((percent / 100) * barWidth);
      parts.push(`[${'#'.repeat(filled)}${'-'.repeat(barWidth - filled)}]`);
    }
    parts.push(`${Math.floor(percent).toString().padStart(3)}%`);
    parts.push(`${amount(snapshot.done)}/${amount(snapshot.total as number)}`);
  } else if (snapshot.done > 0) {
    parts.push(amount(snapshot.done));
  }
  if (snapshot.rate !== null && snapshot.rate > 0) {
    parts.push(snapshot.unit === 'bytes' ? `${formatBytes(snapshot.rate)}/s` : `${snapshot.rate.toFixed(1)}/s`);
  }
  if (snapshot.etaSeconds !== null && percent !== null && percent < 100) parts.push(`ETA ${formatDuration(snapshot.etaSeconds)}`);
  return parts.join('  ');
}

/** Rate and ETA of a byte transfer, measured here (the server reports them for jobs). */
export class TransferMeter {
  private readonly started = Date.now();
  done = 0;
  /** Bytes sent by an earlier run (a resumed upload): done, but not part of this run's rate. */
  private carried = 0;

  constructor(
    private readonly bar: ProgressBar,
    private readonly phase: string,
    private readonly total: number | null,
  ) {
    this.report(true);
  }

  add(bytes: number): void {
    this.done += bytes;
    this.report(false);
  }

  /** Bytes an earlier run already sent: the bar starts there, the rate counts only this run's. */
  carry(bytes: number): void {
    this.carried += bytes;
    this.add(bytes);
  }

  /** A retried part's bytes are sent again: count them once. */
  subtract(bytes: number): void {
    this.done = Math.max(0, this.done - bytes);
  }

  finish(): void {
    this.report(true);
    this.bar.finish();
  }

  private report(force: boolean): void {
    const seconds = (Date.now() - this.started) / 1000;
    const rate = seconds > 0.2 ? (this.done - this.carried) / seconds : null;
    const etaSeconds = rate && this.total !== null ? (this.total - this.done) / rate : null;
    this.bar.update({ phase: this.phase, done: this.done, total: this.total, rate, etaSeconds, unit: 'bytes' }, force);
  }
}
