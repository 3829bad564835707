import type { JobView } from '../../jobs/job-view.js';
import { ApigCode, apigAnswer } from './apig-error.js';

interface OperationOutcome {
  path: string;
  method: string;
  outcome: 'success' | 'failure' | 'ignore';
  action?: 'create' | 'update';
  proxyUuid?: string;
  error?: { code: string; message: string };
}

const FAILURE_CODES: Record<string, string> = {
  duplicate: ApigCode.DuplicateApi,
  unsupported: ApigCode.InvalidParameter,
  invalid: ApigCode.InvalidParameter,
  'no-backend': ApigCode.InvalidParameter,
};

/** An import job's result in the vendor's shape: success[], failure[], ignore[], plus what it could not carry. */
export function importAnswer(job: JobView): Record<string, unknown> {
  const result = (job.result ?? {}) as { group?: { id: string; name: string; created: boolean }; operations?: OperationOutcome[]; warnings?: string[]; proxies?: unknown[] };
  const operations = result.operations ?? [];
  return {
    group_id: result.group?.id,
    group_name: result.group?.name,
    group_created: result.group?.created,
    success: operations.filter((o) => o.outcome === 'success').map((o) => ({ path: o.path, method: o.method, action: o.action, id: o.proxyUuid })),
    failure: operations
      .filter((o) => o.outcome === 'failure')
      .map((o) => ({ path: o.path, method: o.method, error_code: FAILURE_CODES[o.error?.code ?? 'invalid'] ?? ApigCode.InvalidParameter, error_msg: o.error?.message ?? 'The operation could not be imported.' })),
    ignore: operations.filter((o) => o.outcome === 'ignore').map((o) => ({ method: o.method, path: o.path })),
    warnings: result.warnings ?? [],
    task_id: job.id,
  };
}

/** A failed job's error as the vendor's `{error_code, error_msg}` with its HTTP status. */
export function failedAnswer(job: JobView): { status: number; body: { error_code: string; error_msg: string } } {
  const error = (job.error ?? {}) as { status?: number; detail?: string; apigCode?: string };
  if (job.state === 'canceled') return apigAnswer(409, 'The task was canceled.', ApigCode.InvalidParameter);
  return apigAnswer(error.status ?? 500, error.detail ?? 'The task failed.', error.apigCode);
}

const TASK_STATUS: Record<string, string> = { queued: 'waiting', running: 'processing', succeeded: 'succeed', failed: 'failed', canceled: 'failed' };

/** GET async-tasks/{task_id}: the task in the vendor's shape; task_result is a JSON string, as the vendor sends it. */
export function taskAnswer(job: JobView, exportResult?: Record<string, unknown>): Record<string, unknown> {
  const taskType = job.kind === 'openapi.import' ? 'import_api' : 'export_api';
  let taskResult: Record<string, unknown> | undefined;
  if (job.state === 'failed' || job.state === 'canceled') taskResult = failedAnswer(job).body;
  else if (job.state === 'succeeded') taskResult = taskType === 'import_api' ? importAnswer(job) : exportResult;
  return {
    task_id: job.id,
    task_type: taskType,
    task_status: TASK_STATUS[job.state] ?? 'processing',
    ...(taskResult ? { task_result: JSON.stringify(taskResult) } : {}),
    create_time: job.createdAt,
    ...(job.finishedAt ? { finish_time: job.finishedAt } : {}),
  };
}
