import { Inject, Injectable } from '@nestjs/common';
import type { Logger } from 'pino';
import { WebhookRepository, type ProjectRow, type WebhookEndpointRow } from '#catalog';
import { ConflictError, NotFoundError, Permission, SecretBox, type Principal, isUuid } from '#core';
import { LOGGER } from '#observability';
import { generateWebhookSecret, WebhookDeliveryQueue, WebhookTargetGuard } from '#webhooks';
import { ProjectAccess } from '../common/project-access.service.js';
import type { CreateWebhookDto, DeliveryListQueryDto, UpdateWebhookDto } from './webhook.dto.js';
import { toDeliveryView, toEndpointView } from './webhook-view.js';
import { checkedWebhookUrl } from './webhook-url.js';

/** Every event fans out to each endpoint; a bound keeps one project from flooding the queue. */
export const MAX_ENDPOINTS_PER_PROJECT = 20;
/** After a rotation the previous secret keeps signing this long, so receivers can switch over. */
export const ROTATION_GRACE_MS = 24 * 3_600_000;

/**
 * Webhook endpoints of a project and their delivery log; all of it needs PROJECT_ADMIN.
 * Secrets are sealed at rest (SecretBox) and answered in plaintext only when they are made.
 */
@Injectable()
export class WebhooksService {
  constructor(
    @Inject(WebhookRepository) private readonly webhooks: WebhookRepository,
    @Inject(ProjectAccess) private readonly access: ProjectAccess,
    @Inject(WebhookTargetGuard) private readonly guard: WebhookTargetGuard,
    @Inject(WebhookDeliveryQueue) private readonly queue: WebhookDeliveryQueue,
    @Inject(SecretBox) private readonly secretBox: SecretBox,
    @Inject(LOGGER) private readonly log: Logger,
  ) {}

  async create(caller: Principal, projectName: string, dto: CreateWebhookDto) {
    const project = await this.access.require(caller, projectName, Permission.ProjectAdmin);
    const url = await checkedWebhookUrl(this.guard, dto.url, '/url');
    if ((await this.webhooks.countEndpoints(project.id)) >= MAX_ENDPOINTS_PER_PROJECT) {
      throw new ConflictError(`Project "${project.name}" has ${MAX_ENDPOINTS_PER_PROJECT} webhook endpoints already; delete one first.`);
    }
    const secret = generateWebhookSecret();
    const row = await this.webhooks.createEndpoint({
      projectId: project.id,
      url,
      events: dto.events,
      secret: this.secretBox.seal(secret),
      enabled: dto.enabled ?? true,
    });
    return { ...toEndpointView(row, project.name), secret };
  }

  async list(caller: Principal, projectName: string, page: { limit: number; cursor?: string }) {
    const project = await this.access.require(caller, projectName, Permission.ProjectAdmin);
    const result = await this.webhooks.listEndpoints(project.id, page);
    return { items: result.items.map((row) => toEndpointView(row, project.name)), nextCursor: result.nextCursor };
  }

  async get(caller: Principal, projectName: string, id: string) {
    const project = await this.access.require(caller, projectName, Permission.ProjectAdmin);
    return toEndpointView(await this.endpoint(project, id), project.name);
  }

  async update(caller: Principal, projectName: string, id: string, dto: UpdateWebhookDto) {
    const project = await this.access.require(caller, projectName, Permission.ProjectAdmin);
    await this.endpoint(project, id);
    const url = dto.url === undefined ? undefined : await checkedWebhookUrl(this.guard, dto.url, '/url');
    const row = await this.webhooks.updateEndpoint(project.id, id, {
      url,
      events: dto.events,
      enabled: dto.enabled,
      disabledReason: dto.enabled === false ? 'Disabled through the API.' : undefined,
    });
    if (!row) throw notFound(id, project);
    return toEndpointView(row, project.name);
  }

  async delete(caller: Principal, projectName: string, id: string): Promise<void> {
    const project = await this.access.require(caller, projectName, Permission.ProjectAdmin);
    if (!isUuid(id) || !(await this.webhooks.deleteEndpoint(project.id, id))) throw notFound(id, project);
  }

  /** A new secret, answered once; the old one keeps signing beside it for 24 hours. */
  async rotateSecret(caller: Principal, projectName: string, id: string) {
    const project = await this.access.require(caller, projectName, Permission.ProjectAdmin);
    await this.endpoint(project, id);
    const secret = generateWebhookSecret();
    const row = await this.webhooks.rotateSecret(project.id, id, this.secretBox.seal(secret), new Date(Date.now() + ROTATION_GRACE_MS));
    if (!row) throw notFound(id, project);
    return { ...toEndpointView(row, project.name), secret };
  }

  async listDeliveries(caller: Principal, projectName: string, id: string, query: DeliveryListQueryDto, limit: number) {
    const project = await this.access.require(caller, projectName, Permission.ProjectAdmin);
    const endpoint = await this.endpoint(project, id);
    const result = await this.webhooks.listDeliveries(
      endpoint.id,
      { webhookId: query.webhookId, eventType: query.eventType, state: query.state },
      { limit, cursor: query.cursor },
    );
    return { items: result.items.map(toDeliveryView), nextCursor: result.nextCursor };
  }

  /** Sends a logged message again, now, as a new attempt with the same webhook-id. */
  async redeliver(caller: Principal, projectName: string, id: string, deliveryId: string) {
    const project = await this.access.require(caller, projectName, Permission.ProjectAdmin);
    const endpoint = await this.endpoint(project, id);
    const delivery = isUuid(deliveryId) ? await this.webhooks.findDeliveryOfEndpoint(endpoint.id, deliveryId) : undefined;
    if (!delivery) throw new NotFoundError(`Webhook endpoint ${id} has no delivery ${deliveryId}.`);
    if (!endpoint.enabled) {
      throw new ConflictError(`Webhook endpoint ${id} is disabled (${endpoint.disabled_reason ?? 'no reason given'}); enable it with PATCH {"enabled": true} first.`);
    }
    const attempt = await this.webhooks.scheduleAttempt(delivery, 'manual', new Date(), endpoint.url);
    await this.queue.enqueue(attempt.id).catch((err) => this.log.warn({ err, deliveryId: attempt.id }, 'redelivery not enqueued; the sweep will enqueue it'));
    return toDeliveryView(attempt);
  }

  private async endpoint(project: ProjectRow, id: string): Promise<WebhookEndpointRow> {
    const row = isUuid(id) ? await this.webhooks.findEndpoint(project.id, id) : undefined;
    if (!row) throw notFound(id, project);
    return row;
  }
}

function notFound(id: string, project: ProjectRow): NotFoundError {
  return new NotFoundError(`Project "${project.name}" has no webhook endpoint ${id}.`);
}
