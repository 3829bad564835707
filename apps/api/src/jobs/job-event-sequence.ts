import type { JobRow } from '#catalog';
import { isTerminal, toJobView, type JobView } from './job-view.js';

export type JobEventName = 'progress' | 'succeeded' | 'failed' | 'canceled';

export interface JobEvent {
  /** The job record's updated_at in epoch milliseconds, raised if needed so ids never go down within a stream. */
  id: number;
  event: JobEventName;
  data: JobView;
}

/**
 * Decides what one event stream sends, given the job record as it is read again and again:
 * a `progress` event whenever the record changed, then the terminal event, and then nothing.
 * A stream resumed with Last-Event-ID skips a non-terminal state the client has already
 * seen (updated_at not after the id); a terminal job always answers its terminal event, so
 * a client that reconnects after the end learns the outcome and can stop.
 */
export class JobEventSequence {
  private lastUpdatedAt: number | undefined;
  private lastId = 0;
  private finished = false;

  constructor(private readonly resumeAfter?: number) {}

  get done(): boolean {
    return this.finished;
  }

  /** The event this reading of the record calls for, or undefined when there is nothing new. */
  next(row: JobRow): JobEvent | undefined {
    if (this.finished) return undefined;
    const updatedAt = row.updated_at.getTime();
    const first = this.lastUpdatedAt === undefined;
    if (!first && updatedAt === this.lastUpdatedAt) return undefined;
    this.lastUpdatedAt = updatedAt;
    const terminal = isTerminal(row.state);
    if (!terminal && first && this.resumeAfter !== undefined && updatedAt <= this.resumeAfter) return undefined;
    // Clocks of different processes write updated_at; an id must still never go down.
    this.lastId = Math.max(updatedAt, this.lastId + 1);
    this.finished = terminal;
    return { id: this.lastId, event: terminal ? (row.state as JobEventName) : 'progress', data: toJobView(row) };
  }
}

/** A Last-Event-ID header as the epoch-millisecond id it should hold; undefined when absent or malformed. */
export function parseLastEventId(header: string | undefined): number | undefined {
  if (header === undefined || !/^\d{1,16}$/.test(header.trim())) return undefined;
  return Number(header.trim());
}
