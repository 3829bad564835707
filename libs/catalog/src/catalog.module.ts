import { Global, Inject, Module, type OnApplicationShutdown } from '@nestjs/common';
import type { Logger } from 'pino';
import { APP_CONFIG, type AppConfig } from '#config';
import { LOGGER } from '#observability';
import { migrateToLatest, openDatabase, type CatalogDb, type OpenedDatabase } from './database.js';
import { UploadRepository } from './repositories/upload.repository.js';
import { AssetRepository } from './repositories/asset.repository.js';
import { ApiProxyRepository } from './repositories/api-proxy.repository.js';
import { DeploymentRepository } from './repositories/deployment.repository.js';
import { EnvironmentRepository } from './repositories/environment.repository.js';
import { IdempotencyRepository } from './repositories/idempotency.repository.js';
import { InventoryRepository } from './repositories/inventory.repository.js';
import { JobRepository } from './repositories/job.repository.js';
import { JobReportRepository } from './repositories/job-report.repository.js';
import { ProjectRepository } from './repositories/project.repository.js';
import { TokenRepository } from './repositories/token.repository.js';
import { WebhookRepository } from './repositories/webhook.repository.js';

export const OPENED_DATABASE = Symbol('OPENED_DATABASE');
export const CATALOG_DB = Symbol('CATALOG_DB');

const repositories = [
  ProjectRepository,
  ApiProxyRepository,
  EnvironmentRepository,
  TokenRepository,
  JobRepository,
  JobReportRepository,
  IdempotencyRepository,
  InventoryRepository,
  AssetRepository,
  UploadRepository,
  WebhookRepository,
  DeploymentRepository,
] as const;

/** Opens the catalog database, applies migrations before anything uses it, and closes it last. */
@Global()
@Module({
  providers: [
    {
      provide: OPENED_DATABASE,
      inject: [APP_CONFIG, { token: LOGGER, optional: true }],
      useFactory: async (config: AppConfig, log?: Logger): Promise<OpenedDatabase> => {
        const opened = await openDatabase({
          url: config.databaseUrl,
          dataDir: config.dataDir,
          onIdleConnectionError: (err) => log?.warn({ err }, 'an idle database connection broke; the pool opens a new one when needed'),
        });
        await migrateToLatest(opened.db);
        return opened;
      },
    },
    { provide: CATALOG_DB, inject: [OPENED_DATABASE], useFactory: (opened: OpenedDatabase) => opened.db },
    ...repositories.map((Repository) => ({
      provide: Repository,
      inject: [CATALOG_DB],
      useFactory: (db: CatalogDb) => new Repository(db),
    })),
  ],
  exports: [CATALOG_DB, ...repositories],
})
export class CatalogModule implements OnApplicationShutdown {
  constructor(@Inject(OPENED_DATABASE) private readonly opened: OpenedDatabase) {}

  async onApplicationShutdown(): Promise<void> {
    await this.opened.close();
  }
}
