/**
 * The one typed list of jobs. Each kind has its own BullMQ queue, so a flood of one kind
 * (a bulk import) never waits behind another, and each has exactly one handler (checked
 * when the worker starts).
 *
 * Dedup rule, for every kind: the BullMQ job id is the job record's id. Adding a job
 * whose id is already in the queue is a no-op, so the reconciler and a retried request
 * can never run one job twice side by side.
 */
export enum JobKind {
  ProjectInventory = 'project.inventory',
}

export interface JobPayloads {
  [JobKind.ProjectInventory]: { projectId: string; projectName: string };
}

export type JobPayload<K extends JobKind> = JobPayloads[K];

export const ALL_JOB_KINDS: readonly JobKind[] = Object.values(JobKind);

export function isJobKind(value: string): value is JobKind {
  return (ALL_JOB_KINDS as readonly string[]).includes(value);
}

/** BullMQ queue names may not hold ':'; keep them readable in redis-cli. */
export function queueNameOf(kind: JobKind): string {
  return `jobs-${kind.replace(/\./g, '-')}`;
}
