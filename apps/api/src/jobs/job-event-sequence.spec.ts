import { describe, expect, it } from '@jest/globals';
import type { JobRow } from '#catalog';
import { JobEventSequence, parseLastEventId } from './job-event-sequence.js';

function row(state: string, updatedAt: number, progress: Record<string, unknown> | null = null): JobRow {
  return {
    id: '00000000-0000-4000-8000-000000000001',
    kind: 'project.inventory',
    project_id: null,
    state,
    payload: { projectName: 'p' },
    progress,
    result: null,
    error: null,
    requested_by: null,
    attempts: 0,
    cancel_requested: false,
    created_at: new Date(0),
    started_at: null,
    finished_at: null,
    updated_at: new Date(updatedAt),
    expires_at: null,
  };
}

describe('JobEventSequence', () => {
  it('sends the current state, then a progress event per change, then the terminal event, then nothing', () => {
    const sequence = new JobEventSequence();
    expect(sequence.next(row('queued', 1000))).toMatchObject({ id: 1000, event: 'progress', data: { state: 'queued' } });
    expect(sequence.next(row('queued', 1000))).toBeUndefined();
    expect(sequence.next(row('running', 1300, { phase: 'a' }))).toMatchObject({ id: 1300, event: 'progress', data: { state: 'running' } });
    expect(sequence.next(row('failed', 1600))).toMatchObject({ id: 1600, event: 'failed' });
    expect(sequence.done).toBe(true);
    expect(sequence.next(row('failed', 1900))).toBeUndefined();
  });

  it('skips a state the client saw before it reconnected, but always sends a terminal event', () => {
    const resumed = new JobEventSequence(1300);
    expect(resumed.next(row('running', 1300))).toBeUndefined();
    expect(resumed.next(row('running', 1500))).toMatchObject({ id: 1500, event: 'progress' });
    expect(new JobEventSequence(1600).next(row('succeeded', 1600))).toMatchObject({ id: 1600, event: 'succeeded' });
  });

  it('never lets ids go down, even when another process clock wrote an earlier updated_at', () => {
    const sequence = new JobEventSequence();
    sequence.next(row('running', 2000));
    expect(sequence.next(row('canceled', 1990))).toMatchObject({ id: 2001, event: 'canceled' });
  });

  it('reads Last-Event-ID as epoch milliseconds and ignores anything else', () => {
    expect(parseLastEventId('1732417878936')).toBe(1732417878936);
    expect(parseLastEventId(undefined)).toBeUndefined();
    expect(parseLastEventId('abc')).toBeUndefined();
    expect(parseLastEventId('-5')).toBeUndefined();
  });
});
