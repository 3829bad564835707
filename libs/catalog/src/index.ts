export { openDatabase, migrateToLatest, tryAdvisoryXactLock } from './database.js';
export type { CatalogDb, DatabaseSettings, OpenedDatabase } from './database.js';
export type { Database } from './schema.js';
export { InvalidCursorError, encodeCursor, decodeCursor } from './repositories/pagination.js';
export type { Page } from './repositories/pagination.js';
export { ProjectRepository } from './repositories/project.repository.js';
export type { ProjectRow } from './repositories/project.repository.js';
export { ApiProxyRepository } from './repositories/api-proxy.repository.js';
export type { ApiProxyRow, ApiProxyWrite } from './repositories/api-proxy.repository.js';
export { EnvironmentRepository } from './repositories/environment.repository.js';
export type { EnvironmentRow } from './repositories/environment.repository.js';
export { TokenRepository } from './repositories/token.repository.js';
export type { TokenRow, TokenGrant, TokenWithGrants } from './repositories/token.repository.js';
export { JobRepository, TERMINAL_STATES } from './repositories/job.repository.js';
export type { JobRow, JobState, NewJob, JobFilter } from './repositories/job.repository.js';
export { JobReportRepository } from './repositories/job-report.repository.js';
export type { ReportItem } from './repositories/job-report.repository.js';
export { IdempotencyRepository } from './repositories/idempotency.repository.js';
export type { IdempotencyKeyRow } from './repositories/idempotency.repository.js';
export { InventoryRepository } from './repositories/inventory.repository.js';
export type { AssetTypeInventory } from './repositories/inventory.repository.js';
export { CatalogModule, CATALOG_DB } from './catalog.module.js';
export { AssetRepository, ASSET_TYPES } from './repositories/asset.repository.js';
export type { AssetType, AssetRecord } from './repositories/asset.repository.js';
export { UploadRepository } from './repositories/upload.repository.js';
export type { UploadRow } from './repositories/upload.repository.js';
export { WebhookRepository } from './repositories/webhook.repository.js';
export type {
  NewWebhookDelivery,
  NewWebhookEndpoint,
  WebhookAttemptOutcome,
  WebhookDeliveryRow,
  WebhookDeliveryState,
  WebhookDeliveryTrigger,
  WebhookEndpointPatch,
  WebhookEndpointRow,
} from './repositories/webhook.repository.js';
export { DeploymentRepository } from './repositories/deployment.repository.js';
export type { DeploymentRecord, DeploymentRow } from './repositories/deployment.repository.js';
