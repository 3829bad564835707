export interface JobProgress {
  phase: string;
  done: number;
  total: number | null;
  percent: number | null;
  /** Items per second over the current phase. */
  rate: number | null;
  etaSeconds: number | null;
  updatedAt: string;
}

/** Turns (phase, done, total) reports into progress with rate and ETA for one phase at a time. */
export class ProgressTracker {
  private phase = '';
  private phaseStartedAt = 0;

  constructor(private readonly now: () => number = Date.now) {}

  report(phase: string, done: number, total: number | null): JobProgress {
    const at = this.now();
    if (phase !== this.phase) {
      this.phase = phase;
      this.phaseStartedAt = at;
    }
    const elapsedSeconds = (at - this.phaseStartedAt) / 1000;
    const rate = elapsedSeconds > 0 ? done / elapsedSeconds : null;
    const percent = total ? Math.min(100, Math.round((done / total) * 1000) / 10) : total === 0 ? 100 : null;
    const etaSeconds = rate && total !== null && rate > 0 ? Math.max(0, Math.round((total - done) / rate)) : null;
    return {
      phase,
      done,
      total,
      percent,
      rate: rate === null ? null : Math.round(rate * 10) / 10,
      etaSeconds,
      updatedAt: new Date(at).toISOString(),
    };
  }
}
