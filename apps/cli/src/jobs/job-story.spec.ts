import { describe, expect, it } from '@jest/globals';
import { buildStory, PhaseRecorder, storyLines } from './job-story.js';
import type { Job } from './job-watcher.js';

function job(overrides: Partial<Job>): Job {
  return {
    id: '0b7c2a52-6f55-4b8e-9a38-5d0f3a1c2e11',
    kind: 'archive.import',
    project: 'payments',
    state: 'succeeded',
    progress: null,
    result: null,
    error: null,
    attempts: 1,
    cancelRequested: false,
    createdAt: '2026-11-24T05:40:00.000Z',
    startedAt: '2026-11-24T05:40:00.500Z',
    finishedAt: '2026-11-24T05:40:02.000Z',
    ...overrides,
  };
}

const progress = (phase: string, done: number, total: number, updatedAt: string) => ({ phase, done, total, percent: null, rate: null, etaSeconds: null, updatedAt });

describe('a job told as a story', () => {
  it('a followed import: created, started, each phase seen, finished; counts, every asset and each environment', () => {
    const recorder = new PhaseRecorder();
    recorder.observe(job({ state: 'running', progress: progress('verifying archive', 1, 3, '2026-11-24T05:40:00.700Z') }));
    recorder.observe(job({ state: 'running', progress: progress('verifying archive', 3, 3, '2026-11-24T05:40:00.900Z') }));
    recorder.observe(job({ state: 'running', progress: progress('importing', 1, 2, '2026-11-24T05:40:01.200Z') }));
    const finished = job({
      progress: progress('done', 2, 2, '2026-11-24T05:40:01.900Z'),
      result: {
        dryRun: false,
        counts: { apiProxy: { created: 1, overwritten: 1 } },
        items: [
          { type: 'apiProxy', name: 'orders', action: 'create' },
          { type: 'apiProxy', name: 'billing', action: 'overwrite', warnings: ['endpointMap changed 1 address'] },
        ],
        deploymentResult: { success: false, environmentResults: [{ environmentName: 'prod', success: false, message: 'gateway refused' }] },
      },
    });
    const story = buildStory(finished, recorder.phases);
    expect(story.timeline.map((e) => [e.event, e.phase ?? e.detail])).toEqual([
      ['created', 'archive.import in payments'],
      ['started', undefined],
      ['phase', 'verifying archive'],
      ['phase', 'importing'],
      ['succeeded', 'after 1.5 s'],
    ]);
    expect(story.timeline[2]).toMatchObject({ done: 3, total: 3 });
    expect(story.summary).toBe('imported: 1 created, 1 overwritten, 0 renamed, 0 skipped, 0 failed');
    expect(story.assets).toHaveLength(2);
    expect(story.environments).toEqual([{ environmentName: 'prod', success: false, message: 'gateway refused' }]);
    const text = storyLines(story).join('\n');
    expect(text).toContain('05:40:00.700  verifying archive (3/3)');
    expect(text).toMatch(/billing\s+overwrite\s+endpointMap changed 1 address/);
    expect(text).toMatch(/prod\s+no\s+gateway refused/);
  });

  it('a failed import: the problem title and detail, and the assets that blocked it', () => {
    const failed = job({
      state: 'failed',
      progress: progress('planning', 0, 2, '2026-11-24T05:40:01.000Z'),
      error: {
        title: 'Import refused',
        detail: '1 asset clashes with the project.',
        report: { counts: { apiProxy: { failed: 1 } }, items: [{ type: 'apiProxy', name: 'orders', action: 'conflict', error: 'a proxy named orders exists' }] },
      },
    });
    const story = buildStory(failed);
    expect(story.error).toMatchObject({ title: 'Import refused' });
    expect(story.summary).toBe('failed: Import refused: 1 asset clashes with the project.');
    expect(story.timeline.map((e) => e.event)).toEqual(['created', 'started', 'phase', 'failed']);
    expect(storyLines(story).join('\n')).toMatch(/orders\s+conflict\s+a proxy named orders exists/);
  });

  it('a job canceled in the queue never started', () => {
    const story = buildStory(job({ state: 'canceled', startedAt: null, progress: progress('done', 0, 0, '2026-11-24T05:40:01.000Z') }));
    expect(story.timeline.map((e) => e.event)).toEqual(['created', 'canceled']);
    expect(story.summary).toBe('canceled before it started');
  });
});
