import { describe, expect, it } from '@jest/globals';
import type { JobView } from '../../jobs/job-view.js';
import { failedAnswer, importAnswer, taskAnswer } from './apig-answers.js';

function job(overrides: Partial<JobView>): JobView {
  return {
    id: 'f3c1b2a4-0000-4000-8000-000000000001',
    kind: 'openapi.import',
    project: 'shop',
    state: 'succeeded',
    progress: null,
    result: null,
    error: null,
    requestedBy: null,
    attempts: 1,
    cancelRequested: false,
    createdAt: '2026-11-24T05:00:00.000Z',
    startedAt: null,
    finishedAt: '2026-11-24T05:00:01.000Z',
    expiresAt: null,
    links: { self: '/v1/jobs/x', cancel: '/v1/jobs/x/cancel' },
    ...overrides,
  };
}

const imported = job({
  result: {
    group: { id: 'g-1', name: 'shop', created: false },
    operations: [
      { path: '/a', method: 'GET', outcome: 'success', action: 'create', proxyUuid: 'p-1' },
      { path: '/a', method: 'POST', outcome: 'ignore', proxyUuid: 'p-1' },
      { path: '/b/{x}', method: 'GET', outcome: 'failure', error: { code: 'duplicate', message: 'dup' } },
      { path: '/c', method: 'TRACE', outcome: 'failure', error: { code: 'unsupported', message: 'no TRACE' } },
    ],
    warnings: ['w'],
  },
});

describe('APIG answers', () => {
  it('turns an import result into success[], failure[] (vendor codes) and ignore[]', () => {
    expect(importAnswer(imported)).toEqual({
      group_id: 'g-1',
      group_name: 'shop',
      group_created: false,
      success: [{ path: '/a', method: 'GET', action: 'create', id: 'p-1' }],
      failure: [
        { path: '/b/{x}', method: 'GET', error_code: 'APIG.3301', error_msg: 'dup' },
        { path: '/c', method: 'TRACE', error_code: 'APIG.2012', error_msg: 'no TRACE' },
      ],
      ignore: [{ method: 'POST', path: '/a' }],
      warnings: ['w'],
      task_id: imported.id,
    });
  });

  it('answers a failed job with its own APIG code, or one chosen by its status', () => {
    expect(failedAnswer(job({ state: 'failed', error: { status: 409, detail: 'taken', apigCode: 'APIG.3201' } }))).toEqual({ status: 409, body: { error_code: 'APIG.3201', error_msg: 'taken' } });
    expect(failedAnswer(job({ state: 'failed', error: { status: 400, detail: 'bad document' } }))).toEqual({ status: 400, body: { error_code: 'APIG.2012', error_msg: 'bad document' } });
    expect(failedAnswer(job({ state: 'failed', error: { status: 500, detail: 'internal' } })).body.error_code).toBe('APIG.9999');
  });

  it('maps job states to task_status and carries task_result as a JSON string', () => {
    expect(taskAnswer(job({ state: 'queued', finishedAt: null }))).toEqual({ task_id: imported.id, task_type: 'import_api', task_status: 'waiting', create_time: '2026-11-24T05:00:00.000Z' });
    expect(taskAnswer(job({ state: 'running', kind: 'openapi.export', finishedAt: null })).task_status).toBe('processing');
    const done = taskAnswer(imported);
    expect(done.task_status).toBe('succeed');
    expect(JSON.parse(done.task_result as string)).toEqual(importAnswer(imported));
    const failed = taskAnswer(job({ state: 'failed', error: { status: 400, detail: 'bad' } }));
    expect(failed.task_status).toBe('failed');
    expect(JSON.parse(failed.task_result as string)).toEqual({ error_code: 'APIG.2012', error_msg: 'bad' });
  });
});
