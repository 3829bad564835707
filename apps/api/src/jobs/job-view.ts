import type { JobRow } from '#catalog';

export interface JobView {
  id: string;
  kind: string;
  project: string | null;
  state: string;
  progress: Record<string, unknown> | null;
  result: Record<string, unknown> | null;
  error: Record<string, unknown> | null;
  requestedBy: string | null;
  attempts: number;
  cancelRequested: boolean;
  createdAt: string;
  startedAt: string | null;
  finishedAt: string | null;
  expiresAt: string | null;
  /** reportItems: an import's per-asset report, paged (GET /v1/jobs/{id}/report-items). */
  links: { self: string; cancel: string; reportItems?: string };
  /** The webhook given with this job, if any (its secret only in the answer that created it). */
  webhook?: { id: string; url: string; events: string[]; enabled: boolean; secret?: string; links: { deliveries: string } };
}

export function toJobView(row: JobRow): JobView {
  const payload = row.payload as { projectName?: string };
  return {
    id: row.id,
    kind: row.kind,
    project: payload.projectName ?? null,
    state: row.state,
    progress: row.progress,
    result: row.result,
    error: row.error,
    requestedBy: row.requested_by,
    attempts: row.attempts,
    cancelRequested: row.cancel_requested,
    createdAt: row.created_at.toISOString(),
    startedAt: row.started_at?.toISOString() ?? null,
    finishedAt: row.finished_at?.toISOString() ?? null,
    expiresAt: row.expires_at?.toISOString() ?? null,
    links: { self: `/v1/jobs/${row.id}`, cancel: `/v1/jobs/${row.id}/cancel` },
  };
}

export function isTerminal(state: string): boolean {
  return state === 'succeeded' || state === 'failed' || state === 'canceled';
}
