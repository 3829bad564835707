import { createHash, randomUUID } from 'node:crypto';
import { Inject, Injectable } from '@nestjs/common';
import type { Logger } from 'pino';
import { CATALOG_DB, IdempotencyRepository, JobReportRepository, JobRepository, ProjectRepository, WebhookRepository, type CatalogDb, type JobRow, type WebhookEndpointRow } from '#catalog';
import { APP_CONFIG, type AppConfig } from '#config';
import {
  canSeeProject,
  ConflictError,
  ForbiddenError,
  hasPermission,
  IdempotencyMismatchError,
  NotFoundError,
  Permission,
  ValidationError,
  type Principal,
  isUuid,
  SecretBox,
} from '#core';
import { JobQueue, type JobKind, type JobPayload } from '#jobs';
import { LOGGER } from '#observability';
import { generateWebhookSecret, WebhookDispatcher, WebhookTargetGuard } from '#webhooks';
import { isTerminal, toJobView, type JobView } from './job-view.js';
import { parseJobWebhook } from './job-webhook.js';
import { withReportItems } from './job-report-items.js';
import { checkedWebhookUrl } from '../webhooks/webhook-url.js';

export interface CreateJobRequest<K extends JobKind> {
  kind: K;
  /** Null for a job that creates its project (an OpenAPI import into a new group). */
  projectId: string | null;
  payload: JobPayload<K> & { projectName: string };
  idempotencyKey?: string;
  /** Method, path and body of the creating request: what "the same request" means. */
  fingerprint: unknown;
  /** The request's `webhook` option as sent (checked here): an endpoint for this job alone. */
  webhook?: unknown;
}

export interface CreatedJob {
  job: JobView;
  /** True when an Idempotency-Key matched an earlier request and its job is answered again. */
  replayed: boolean;
}


/** How a synchronous (vendor-face) request polls its job's record: 10 ms, growing to 150 ms. */
const WAIT_POLL_FIRST_MS = 10;
const WAIT_POLL_MAX_MS = 150;

@Injectable()
export class JobsService {
  constructor(
    @Inject(CATALOG_DB) private readonly db: CatalogDb,
    @Inject(JobRepository) private readonly jobs: JobRepository,
    @Inject(IdempotencyRepository) private readonly idempotency: IdempotencyRepository,
    @Inject(ProjectRepository) private readonly projects: ProjectRepository,
    @Inject(JobQueue) private readonly queue: JobQueue,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    @Inject(LOGGER) private readonly log: Logger,
    @Inject(WebhookDispatcher) private readonly webhooks: WebhookDispatcher,
    @Inject(WebhookRepository) private readonly endpoints: WebhookRepository,
    @Inject(JobReportRepository) private readonly reportLines: JobReportRepository,
    @Inject(WebhookTargetGuard) private readonly targetGuard: WebhookTargetGuard,
    @Inject(SecretBox) private readonly secretBox: SecretBox,
  ) {}

  /**
   * Writes the job record (the durable truth) and then enqueues it. If Redis refuses the
   * enqueue, the job stays queued in PostgreSQL and the reconciler enqueues it later: the
   * caller's 202 is never a lie.
   */
  async create<K extends JobKind>(caller: Principal, request: CreateJobRequest<K>): Promise<CreatedJob> {
    const key = request.idempotencyKey;
    const hash = createHash('sha256').update(JSON.stringify(request.fingerprint)).digest('hex');
    if (key !== undefined) {
      if (key.length === 0 || key.length > 255) {
        throw new ValidationError('The Idempotency-Key header must hold 1 to 255 characters.', [
          { pointer: '/headers/idempotency-key', detail: 'must hold 1 to 255 characters' },
        ]);
      }
      const existing = await this.idempotency.claim(caller.tokenId, key, hash);
      if (existing) {
        if (existing.request_hash !== hash) {
          throw new IdempotencyMismatchError('This Idempotency-Key was used with a different request; use a new key for a new request.');
        }
        if (!existing.job_id) throw new ConflictError('A request with this Idempotency-Key is still being processed; retry shortly.');
        const job = await this.jobs.find(existing.job_id);
        if (job) return { job: toJobView(job), replayed: true };
      }
    }
    const webhook = await this.checkedJobWebhook(request.webhook);
    if (webhook && !request.projectId) {
      // A job that makes its own project (an import creating its group) has none to hang an endpoint on yet.
      throw new ValidationError('This request cannot take a webhook option.', [{ pointer: '/webhook', detail: 'is not supported here' }]);
    }
    const webhookSecret = webhook ? generateWebhookSecret() : undefined;
    const id = randomUUID();
    let row: JobRow;
    let endpoint: WebhookEndpointRow | undefined;
    try {
      row = await this.db.transaction().execute(async (trx) => {
        const created = await this.jobs.create(
          { id, kind: request.kind, projectId: request.projectId, payload: { ...request.payload }, requestedBy: caller.tokenId },
          trx,
        );
        if (webhook && webhookSecret && request.projectId) {
          endpoint = await this.endpoints.createEndpoint(
            { projectId: request.projectId, url: webhook.url, events: webhook.events, secret: this.secretBox.seal(webhookSecret), enabled: true, jobId: id },
            trx,
          );
        }
        if (key !== undefined) await this.idempotency.complete(caller.tokenId, key, id, trx);
        return created;
      });
    } catch (err) {
      if (key !== undefined) await this.idempotency.release(caller.tokenId, key).catch(() => undefined);
      throw err;
    }
    try {
      await this.queue.enqueue(request.kind, id);
    } catch (err) {
      this.log.warn({ err, jobId: id }, 'enqueue failed; the reconciler will enqueue the job');
    }
    // The secret is answered here only, as when a project endpoint is created.
    return { job: withWebhook(toJobView(row), endpoint, webhookSecret), replayed: false };
  }

  async get(caller: Principal, id: string): Promise<JobView> {
    const job = await this.findVisible(caller, id);
    return withWebhook(await withReportItems(toJobView(job), this.reportLines), await this.endpoints.findJobEndpoint(job.id));
  }

  /** An import's per-asset report, a page at a time, in plan order; `actions` narrows it. */
  async reportItems(caller: Principal, id: string, page: { limit: number; cursor?: string; actions?: string[] }) {
    const job = await this.findVisible(caller, id);
    if (job.kind !== 'archive.import') throw new NotFoundError(`Job ${id} is not an import: it has no per-asset report.`);
    return this.reportLines.page(job.id, page);
  }

  async list(
    caller: Principal,
    filter: { project?: string; kind?: string; state?: string },
    page: { limit: number; cursor?: string },
  ): Promise<{ items: JobView[]; nextCursor: string | null }> {
    let projectIds: string[] | undefined;
    if (filter.project) {
      const project = canSeeProject(caller, filter.project) ? await this.projects.findByName(filter.project) : undefined;
      projectIds = project ? [project.id] : [];
    } else if (!caller.instanceAdmin) {
      const names = [...new Set(caller.grants.map((g) => g.projectName))];
      const found = await Promise.all(names.map((name) => this.projects.findByName(name)));
      projectIds = found.filter((p) => p !== undefined).map((p) => p.id);
    }
    const result = await this.jobs.list({ projectIds, kind: filter.kind, state: filter.state }, page);
    return { items: result.items.map(toJobView), nextCursor: result.nextCursor };
  }

  /**
   * A queued job is taken off its queue and canceled at once; a running one is flagged
   * and stops at its next progress report. A finished job is answered as it is.
   */
  async cancel(caller: Principal, id: string): Promise<JobView> {
    const job = await this.findVisible(caller, id);
    const projectName = (job.payload as { projectName?: string }).projectName ?? '';
    if (!hasPermission(caller, projectName, Permission.ExportImport)) {
      throw new ForbiddenError(`Canceling this job needs ${Permission.ExportImport} on project "${projectName}".`);
    }
    if (isTerminal(job.state)) return withReportItems(toJobView(job), this.reportLines);
    await this.jobs.requestCancel(id);
    if (job.state === 'queued' && (await this.queue.removeWaiting(job.kind as JobKind, id))) {
      const expiresAt = new Date(Date.now() + this.config.jobs.retentionDays * 86_400_000);
      if (await this.jobs.finish(id, 'canceled', { expiresAt })) await this.webhooks.jobFinished(job, 'canceled');
    }
    return toJobView((await this.jobs.find(id)) ?? job);
  }

  /**
   * Polls the job record until the job is terminal or the deadline passes; returns what it
   * saw last, with an import's whole report (the vendor faces answer every asset).
   */
  async waitForTerminal(id: string, timeoutMs: number): Promise<JobView> {
    const deadline = Date.now() + timeoutMs;
    // Short jobs (a single-proxy export) end within tens of milliseconds: poll often at
    // first, then back off to a gentle rate for the long ones.
    for (let delayMs = WAIT_POLL_FIRST_MS; ; delayMs = Math.min(delayMs * 1.5, WAIT_POLL_MAX_MS)) {
      const row = await this.jobs.find(id);
      if (!row) throw new NotFoundError(`Job ${id} does not exist.`);
      if (isTerminal(row.state) || Date.now() >= deadline) return withReportItems(toJobView(row), this.reportLines, Number.POSITIVE_INFINITY);
      await new Promise((resolve) => setTimeout(resolve, Math.min(delayMs, Math.max(deadline - Date.now(), 0))));
    }
  }

  /** The `webhook` option, its form and its target checked like any endpoint's (400 before anything is written). */
  private async checkedJobWebhook(raw: unknown): Promise<{ url: string; events: string[] } | undefined> {
    const webhook = parseJobWebhook(raw);
    return webhook && { ...webhook, url: await checkedWebhookUrl(this.targetGuard, webhook.url, '/webhook/url') };
  }

  /** A job the caller may not see answers exactly like a job that does not exist. */
  private async findVisible(caller: Principal, id: string): Promise<JobRow> {
    const job = isUuid(id) ? await this.jobs.find(id) : undefined;
    const projectName = (job?.payload as { projectName?: string } | undefined)?.projectName;
    if (!job || !(caller.instanceAdmin || (projectName && canSeeProject(caller, projectName)))) {
      throw new NotFoundError(`Job ${id} does not exist.`);
    }
    return job;
  }
}

/** The job's own webhook in its view: where its events go and their delivery log. */
function withWebhook(view: JobView, endpoint: WebhookEndpointRow | undefined, secret?: string): JobView {
  if (!endpoint) return view;
  const base = `/v1/projects/${view.project}/webhooks/${endpoint.id}`;
  return {
    ...view,
    webhook: {
      id: endpoint.id,
      url: endpoint.url,
      events: endpoint.events,
      enabled: endpoint.enabled,
      ...(secret ? { secret } : {}),
      links: { deliveries: `${base}/deliveries` },
    },
  };
}
