/** Every event an endpoint may subscribe to. */
export const WEBHOOK_EVENT_TYPES = ['job.succeeded', 'job.failed', 'job.canceled', 'deployment.completed', 'job.progress'] as const;
export type WebhookEventType = (typeof WEBHOOK_EVENT_TYPES)[number];

/** Payloads are thin (ids, state, links); a receiver fetches the rest with its own token. */
export const MAX_PAYLOAD_BYTES = 20 * 1024;

export interface JobEventData {
  jobId: string;
  kind: string;
  project: string | null;
  state: string;
  /** job.progress only: where the running job is. */
  progress?: { phase: string; done: number; total: number | null; percent: number | null };
  links: { job: string };
}

/** One proxy's deployment to one environment finished (successfully or not). */
export interface DeploymentEventData {
  jobId: string;
  project: string | null;
  proxy: string;
  environment: string;
  success: boolean;
  links: { job: string };
}

export interface WebhookEvent {
  type: WebhookEventType;
  /** When the event happened (ISO 8601); the header's webhook-timestamp is the attempt's time. */
  timestamp: string;
  data: JobEventData | DeploymentEventData;
}

export type TerminalJobState = 'succeeded' | 'failed' | 'canceled';

export function jobEvent(job: { id: string; kind: string; projectName: string | null }, state: TerminalJobState, at: Date): WebhookEvent {
  return {
    type: `job.${state}`,
    timestamp: at.toISOString(),
    data: { jobId: job.id, kind: job.kind, project: job.projectName, state, links: { job: `/v1/jobs/${job.id}` } },
  };
}

export function jobProgressEvent(
  job: { id: string; kind: string; projectName: string | null },
  progress: { phase: string; done: number; total: number | null; percent: number | null },
  at: Date,
): WebhookEvent {
  return {
    type: 'job.progress',
    timestamp: at.toISOString(),
    data: {
      jobId: job.id,
      kind: job.kind,
      project: job.projectName,
      state: 'running',
      progress: { phase: progress.phase, done: progress.done, total: progress.total, percent: progress.percent },
      links: { job: `/v1/jobs/${job.id}` },
    },
  };
}

export function deploymentEvent(
  deployment: { jobId: string; projectName: string | null; proxy: string; environment: string; success: boolean },
  at: Date,
): WebhookEvent {
  return {
    type: 'deployment.completed',
    timestamp: at.toISOString(),
    data: {
      jobId: deployment.jobId,
      project: deployment.projectName,
      proxy: deployment.proxy,
      environment: deployment.environment,
      success: deployment.success,
      links: { job: `/v1/jobs/${deployment.jobId}` },
    },
  };
}

/**
 * The request body, with its members always in the documented order: the stored copy is
 * JSONB, which does not keep key order, and every attempt must send the same bytes.
 */
export function serializeEvent(stored: Record<string, unknown>): string {
  const event = stored as unknown as WebhookEvent;
  const body = JSON.stringify({ type: event.type, timestamp: event.timestamp, data: orderedData(event) });
  if (Buffer.byteLength(body) > MAX_PAYLOAD_BYTES) throw new Error(`webhook payload exceeds ${MAX_PAYLOAD_BYTES} bytes`);
  return body;
}

function orderedData(event: WebhookEvent): Record<string, unknown> {
  if (event.type === 'deployment.completed') {
    const data = event.data as DeploymentEventData;
    return { jobId: data.jobId, project: data.project, proxy: data.proxy, environment: data.environment, success: data.success, links: { job: data.links?.job } };
  }
  const data = event.data as JobEventData;
  const progress = data.progress && { phase: data.progress.phase, done: data.progress.done, total: data.progress.total, percent: data.progress.percent };
  return { jobId: data.jobId, kind: data.kind, project: data.project, state: data.state, ...(progress ? { progress } : {}), links: { job: data.links?.job } };
}
