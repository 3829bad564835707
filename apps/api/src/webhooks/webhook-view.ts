import type { WebhookDeliveryRow, WebhookEndpointRow } from '#catalog';

/** An endpoint as the API shows it: never its secret (that is answered once, on creation and rotation). */
export function toEndpointView(row: WebhookEndpointRow, projectName: string) {
  const base = `/v1/projects/${projectName}/webhooks/${row.id}`;
  const rotating = row.previous_secret !== null && row.previous_secret_expires_at !== null && row.previous_secret_expires_at > new Date();
  return {
    id: row.id,
    project: projectName,
    url: row.url,
    events: row.events,
    enabled: row.enabled,
    disabledReason: row.disabled_reason,
    failingSince: row.first_failure_at?.toISOString() ?? null,
    previousSecretExpiresAt: rotating ? (row.previous_secret_expires_at as Date).toISOString() : null,
    createdAt: row.created_at.toISOString(),
    updatedAt: row.updated_at.toISOString(),
    links: { self: base, deliveries: `${base}/deliveries`, rotateSecret: `${base}/rotate-secret` },
  };
}

/** One attempt in the delivery log. */
export function toDeliveryView(row: WebhookDeliveryRow) {
  return {
    id: row.id,
    webhookId: row.webhook_id,
    eventType: row.event_type,
    jobId: row.job_id,
    attempt: row.attempt,
    trigger: row.trigger,
    state: row.state,
    url: row.url,
    statusCode: row.status_code,
    latencyMs: row.latency_ms,
    error: row.error,
    scheduledAt: row.scheduled_at.toISOString(),
    attemptedAt: row.attempted_at?.toISOString() ?? null,
    createdAt: row.created_at.toISOString(),
  };
}
