import { sql, type Selectable } from 'kysely';
import type { CatalogDb } from '../database.js';
import type { WebhookDeliveryTable, WebhookEndpointTable } from '../schema.js';
import { decodeCursor, toPage, type Page } from './pagination.js';

export type WebhookEndpointRow = Selectable<WebhookEndpointTable>;
export type WebhookDeliveryRow = Selectable<WebhookDeliveryTable>;
export type WebhookDeliveryState = 'pending' | 'succeeded' | 'failed' | 'skipped';
export type WebhookDeliveryTrigger = 'event' | 'retry' | 'manual';

export interface NewWebhookEndpoint {
  projectId: string;
  url: string;
  events: string[];
  /** The signing secret as stored: sealed by the caller, never in plaintext here. */
  secret: string;
  enabled: boolean;
  /** Binds the endpoint to one job (the job's `webhook` option). */
  jobId?: string;
}

export interface WebhookEndpointPatch {
  url?: string;
  events?: string[];
  enabled?: boolean;
  disabledReason?: string | null;
}

/** A first attempt of one message to one endpoint. */
export interface NewWebhookDelivery {
  endpointId: string;
  url: string;
  jobId: string | null;
  eventType: string;
  webhookId: string;
  payload: Record<string, unknown>;
}

export interface WebhookAttemptOutcome {
  state: Exclude<WebhookDeliveryState, 'pending'>;
  /** The URL the attempt went to (the endpoint's URL may have changed since it was scheduled). */
  url: string;
  statusCode: number | null;
  latencyMs: number | null;
  error: string | null;
  attemptedAt: Date;
}

/** Endpoints of a project and the delivery log: one row per attempt, pending until it is made. */
export class WebhookRepository {
  constructor(private readonly db: CatalogDb) {}

  async createEndpoint(endpoint: NewWebhookEndpoint, db: CatalogDb = this.db): Promise<WebhookEndpointRow> {
    return db
      .insertInto('webhook_endpoints')
      .values({
        project_id: endpoint.projectId,
        url: endpoint.url,
        events: JSON.stringify(endpoint.events),
        secret: endpoint.secret,
        enabled: endpoint.enabled,
        disabled_reason: endpoint.enabled ? null : 'Disabled when it was created.',
        job_id: endpoint.jobId ?? null,
      })
      .returningAll()
      .executeTakeFirstOrThrow();
  }

  async countEndpoints(projectId: string): Promise<number> {
    const row = await this.db
      .selectFrom('webhook_endpoints')
      .select((eb) => eb.fn.countAll<string>().as('n'))
      .where('project_id', '=', projectId)
      .where('job_id', 'is', null)
      .executeTakeFirstOrThrow();
    return Number(row.n);
  }

  /** An endpoint of one project; undefined when it belongs to another project or does not exist. */
  async findEndpoint(projectId: string, id: string): Promise<WebhookEndpointRow | undefined> {
    return this.db.selectFrom('webhook_endpoints').selectAll().where('project_id', '=', projectId).where('id', '=', id).executeTakeFirst();
  }

  /** The endpoint given with a job, if it was given one. */
  async findJobEndpoint(jobId: string): Promise<WebhookEndpointRow | undefined> {
    return this.db.selectFrom('webhook_endpoints').selectAll().where('job_id', '=', jobId).executeTakeFirst();
  }

  async findEndpointById(id: string): Promise<WebhookEndpointRow | undefined> {
    return this.db.selectFrom('webhook_endpoints').selectAll().where('id', '=', id).executeTakeFirst();
  }

  async listEndpoints(projectId: string, opts: { limit: number; cursor?: string }): Promise<Page<WebhookEndpointRow>> {
    const after = decodeCursor(opts.cursor, 2);
    let query = this.db
      .selectFrom('webhook_endpoints')
      .selectAll()
      .where('project_id', '=', projectId)
      .where('job_id', 'is', null)
      .orderBy('created_at')
      .orderBy('id')
      .limit(opts.limit + 1);
    if (after) {
      const [createdAt, id] = after as [string, string];
      query = query.where((eb) =>
        eb.or([eb('created_at', '>', new Date(createdAt)), eb.and([eb('created_at', '=', new Date(createdAt)), eb('id', '>', id)])]),
      );
    }
    return toPage(await query.execute(), opts.limit, (row) => [row.created_at.toISOString(), row.id]);
  }

  /** Enabled endpoints subscribed to `eventType`: the project's own, and the one given with job `jobId`. */
  async listSubscribed(projectId: string, eventType: string, jobId: string): Promise<WebhookEndpointRow[]> {
    return this.db
      .selectFrom('webhook_endpoints')
      .selectAll()
      .where('project_id', '=', projectId)
      .where((eb) => eb.or([eb('job_id', 'is', null), eb('job_id', '=', jobId)]))
      .where('enabled', '=', true)
      .where(sql<boolean>`events @> ${JSON.stringify([eventType])}::jsonb`)
      .orderBy('created_at')
      .execute();
  }

  /** Enabling an endpoint also forgets its failure streak: it starts afresh. */
  async updateEndpoint(projectId: string, id: string, patch: WebhookEndpointPatch): Promise<WebhookEndpointRow | undefined> {
    return this.db
      .updateTable('webhook_endpoints')
      .set({
        ...(patch.url !== undefined ? { url: patch.url } : {}),
        ...(patch.events !== undefined ? { events: JSON.stringify(patch.events) } : {}),
        ...(patch.enabled !== undefined ? { enabled: patch.enabled } : {}),
        ...(patch.enabled === true ? { disabled_reason: null, first_failure_at: null } : {}),
        ...(patch.disabledReason !== undefined && patch.enabled !== true ? { disabled_reason: patch.disabledReason } : {}),
        updated_at: new Date(),
      })
      .where('project_id', '=', projectId)
      .where('id', '=', id)
      .returningAll()
      .executeTakeFirst();
  }

  /** The current secret becomes the previous one, which keeps signing until `previousExpiresAt`. */
  async rotateSecret(projectId: string, id: string, secret: string, previousExpiresAt: Date): Promise<WebhookEndpointRow | undefined> {
    return this.db
      .updateTable('webhook_endpoints')
      .set({
        previous_secret: sql<string>`secret`,
        previous_secret_expires_at: previousExpiresAt,
        secret,
        updated_at: new Date(),
      })
      .where('project_id', '=', projectId)
      .where('id', '=', id)
      .returningAll()
      .executeTakeFirst();
  }

  async deleteEndpoint(projectId: string, id: string): Promise<boolean> {
    const result = await this.db.deleteFrom('webhook_endpoints').where('project_id', '=', projectId).where('id', '=', id).executeTakeFirst();
    return result.numDeletedRows > 0n;
  }

  /** Notes a failed delivery; answers since when the endpoint has been failing without a success. */
  async markEndpointFailing(id: string, at: Date): Promise<Date | undefined> {
    const row = await this.db
      .updateTable('webhook_endpoints')
      .set({ first_failure_at: sql<Date>`coalesce(first_failure_at, ${at})` })
      .where('id', '=', id)
      .returning('first_failure_at')
      .executeTakeFirst();
    return row?.first_failure_at ?? undefined;
  }

  async markEndpointHealthy(id: string): Promise<void> {
    await this.db.updateTable('webhook_endpoints').set({ first_failure_at: null }).where('id', '=', id).where('first_failure_at', 'is not', null).execute();
  }

  async disableEndpoint(id: string, reason: string): Promise<void> {
    await this.db
      .updateTable('webhook_endpoints')
      .set({ enabled: false, disabled_reason: reason, updated_at: new Date() })
      .where('id', '=', id)
      .where('enabled', '=', true)
      .execute();
  }

  /** First attempts of one message, one per endpoint, pending and due now. */
  async insertDeliveries(deliveries: NewWebhookDelivery[]): Promise<WebhookDeliveryRow[]> {
    if (deliveries.length === 0) return [];
    return this.db
      .insertInto('webhook_deliveries')
      .values(
        deliveries.map((d) => ({
          endpoint_id: d.endpointId,
          url: d.url,
          job_id: d.jobId,
          event_type: d.eventType,
          webhook_id: d.webhookId,
          payload: JSON.stringify(d.payload),
          attempt: 1,
          state: 'pending',
          trigger: 'event',
        })),
      )
      .returningAll()
      .execute();
  }

  /**
   * A further pending attempt of an earlier message (a retry or a manual redelivery),
   * numbered after every attempt so far. The endpoint row is locked meanwhile, so two
   * writers never take the same number.
   */
  async scheduleAttempt(of: WebhookDeliveryRow, trigger: Exclude<WebhookDeliveryTrigger, 'event'>, scheduledAt: Date, url: string, db: CatalogDb = this.db): Promise<WebhookDeliveryRow> {
    const insert = async (trx: CatalogDb) => {
      await trx.selectFrom('webhook_endpoints').select('id').where('id', '=', of.endpoint_id).forUpdate().execute();
      const last = await trx
        .selectFrom('webhook_deliveries')
        .select((eb) => eb.fn.max('attempt').as('attempt'))
        .where('endpoint_id', '=', of.endpoint_id)
        .where('webhook_id', '=', of.webhook_id)
        .executeTakeFirst();
      return trx
        .insertInto('webhook_deliveries')
        .values({
          endpoint_id: of.endpoint_id,
          url,
          job_id: of.job_id,
          event_type: of.event_type,
          webhook_id: of.webhook_id,
          payload: JSON.stringify(of.payload),
          attempt: Number(last?.attempt ?? 0) + 1,
          state: 'pending',
          trigger,
          scheduled_at: scheduledAt,
        })
        .returningAll()
        .executeTakeFirstOrThrow();
    };
    return db === this.db ? this.db.transaction().execute(insert) : insert(db);
  }

  /**
   * Records the outcome of a pending attempt and, in the same transaction, schedules the
   * retry that follows it. False when the attempt was no longer pending (another worker
   * recorded it first); nothing is written then.
   */
  async completeAttempt(
    delivery: WebhookDeliveryRow,
    outcome: WebhookAttemptOutcome,
    retry?: { scheduledAt: Date; url: string },
  ): Promise<{ recorded: boolean; retry?: WebhookDeliveryRow }> {
    return this.db.transaction().execute(async (trx) => {
      const updated = await trx
        .updateTable('webhook_deliveries')
        .set({
          state: outcome.state,
          url: outcome.url,
          status_code: outcome.statusCode,
          latency_ms: outcome.latencyMs,
          error: outcome.error,
          attempted_at: outcome.attemptedAt,
        })
        .where('id', '=', delivery.id)
        .where('state', '=', 'pending')
        .executeTakeFirst();
      if (updated.numUpdatedRows === 0n) return { recorded: false };
      if (!retry) return { recorded: true };
      return { recorded: true, retry: await this.scheduleAttempt(delivery, 'retry', retry.scheduledAt, retry.url, trx) };
    });
  }

  async findDelivery(id: string): Promise<WebhookDeliveryRow | undefined> {
    return this.db.selectFrom('webhook_deliveries').selectAll().where('id', '=', id).executeTakeFirst();
  }

  async findDeliveryOfEndpoint(endpointId: string, id: string): Promise<WebhookDeliveryRow | undefined> {
    return this.db.selectFrom('webhook_deliveries').selectAll().where('endpoint_id', '=', endpointId).where('id', '=', id).executeTakeFirst();
  }

  /** Attempts of a message still waiting to be made. */
  async listPendingOfMessage(endpointId: string, webhookId: string): Promise<WebhookDeliveryRow[]> {
    return this.db
      .selectFrom('webhook_deliveries')
      .selectAll()
      .where('endpoint_id', '=', endpointId)
      .where('webhook_id', '=', webhookId)
      .where('state', '=', 'pending')
      .execute();
  }

  /** How many attempts the automatic schedule has made for a message (manual ones do not count). */
  async countScheduledAttempts(endpointId: string, webhookId: string): Promise<number> {
    const row = await this.db
      .selectFrom('webhook_deliveries')
      .select((eb) => eb.fn.countAll<string>().as('n'))
      .where('endpoint_id', '=', endpointId)
      .where('webhook_id', '=', webhookId)
      .where('trigger', 'in', ['event', 'retry'])
      .where('state', '!=', 'pending')
      .executeTakeFirstOrThrow();
    return Number(row.n);
  }

  /** The attempt number that delivered this message to this endpoint, if one did. */
  async findSucceededAttempt(endpointId: string, webhookId: string): Promise<number | undefined> {
    const row = await this.db
      .selectFrom('webhook_deliveries')
      .select('attempt')
      .where('endpoint_id', '=', endpointId)
      .where('webhook_id', '=', webhookId)
      .where('state', '=', 'succeeded')
      .orderBy('attempt')
      .executeTakeFirst();
    return row?.attempt;
  }

  /** Pending attempts that should have been made before `dueBefore`, oldest first. */
  async listOverdue(dueBefore: Date, limit: number): Promise<WebhookDeliveryRow[]> {
    return this.db
      .selectFrom('webhook_deliveries')
      .selectAll()
      .where('state', '=', 'pending')
      .where('scheduled_at', '<', dueBefore)
      .orderBy('scheduled_at')
      .limit(limit)
      .execute();
  }

  /** The delivery log of an endpoint, newest first. */
  async listDeliveries(
    endpointId: string,
    filter: { webhookId?: string; eventType?: string; state?: string },
    opts: { limit: number; cursor?: string },
  ): Promise<Page<WebhookDeliveryRow>> {
    const after = decodeCursor(opts.cursor, 2);
    let query = this.db
      .selectFrom('webhook_deliveries')
      .selectAll()
      .where('endpoint_id', '=', endpointId)
      .orderBy('created_at', 'desc')
      .orderBy('id', 'desc')
      .limit(opts.limit + 1);
    if (filter.webhookId) query = query.where('webhook_id', '=', filter.webhookId);
    if (filter.eventType) query = query.where('event_type', '=', filter.eventType);
    if (filter.state) query = query.where('state', '=', filter.state);
    if (after) {
      const [createdAt, id] = after as [string, string];
      query = query.where((eb) =>
        eb.or([eb('created_at', '<', new Date(createdAt)), eb.and([eb('created_at', '=', new Date(createdAt)), eb('id', '<', id)])]),
      );
    }
    return toPage(await query.execute(), opts.limit, (row) => [row.created_at.toISOString(), row.id]);
  }

  /** Deletes up to `limit` finished attempts older than `before`; for retention sweeps. */
  async deleteDeliveriesBefore(before: Date, limit: number, db: CatalogDb = this.db): Promise<number> {
    const result = await db
      .deleteFrom('webhook_deliveries')
      .where('id', 'in', (eb) =>
        eb.selectFrom('webhook_deliveries').select('id').where('created_at', '<', before).where('state', '!=', 'pending').limit(limit),
      )
      .executeTakeFirst();
    return Number(result.numDeletedRows);
  }
}
