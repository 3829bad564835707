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
  links: { job: string };
}

export interface WebhookEvent {
  type: WebhookEventType;
  /** When the event happened (ISO 8601); the header's webhook-timestamp is the attempt's time. */
  timestamp: string;
  data: JobEventData;
}

export type TerminalJobState = 'succeeded' | 'failed' | 'canceled';

export function jobEvent(job: { id: string; kind: string; projectName: string | null }, state: TerminalJobState, at: Date): WebhookEvent {
  return {
    type: `job.${state}`,
    timestamp: at.toISOString(),
    data: { jobId: job.id, kind: job.kind, project: job.projectName, state, links: { job: `/v1/jobs/${job.id}` } },
  };
}

/**
 * The request body, with its members always in the documented order: the stored copy is
 * JSONB, which does not keep key order, and every attempt must send the same bytes.
 */
export function serializeEvent(stored: Record<string, unknown>): string {
  const event = stored as unknown as WebhookEvent;
  const data = event.data;
  const body = JSON.stringify({
    type: event.type,
    timestamp: event.timestamp,
    data: {
      jobId: data.jobId,
      kind: data.kind,
      project: data.project,
      state: data.state,
      links: { job: data.links?.job },
    },
  });
  if (Buffer.byteLength(body) > MAX_PAYLOAD_BYTES) throw new Error(`webhook payload exceeds ${MAX_PAYLOAD_BYTES} bytes`);
  return body;
}
