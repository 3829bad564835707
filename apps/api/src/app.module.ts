import { Module, type DynamicModule } from '@nestjs/common';
import { APP_FILTER, APP_GUARD } from '@nestjs/core';
import type { Logger } from 'pino';
import { CatalogModule } from '#catalog';
import { ConfigModule, type AppConfig } from '#config';
import { JobsModule } from '#jobs';
import { LoggingModule } from '#observability';
import { StorageModule } from '#storage';
import { WebhooksModule } from '#webhooks';
import { WorkerModule } from '../../worker/src/worker.module.js';
import { ApiProxiesController } from './api-proxies/api-proxies.controller.js';
import { ApiProxiesService } from './api-proxies/api-proxies.service.js';
import { ArchivesController } from './archives/archives.controller.js';
import { ArchivesService } from './archives/archives.service.js';
import { UploadsService } from './archives/uploads.service.js';
import { SharedAssetsController } from './assets/shared-assets.controller.js';
import { ArtifactLinkController } from './console/artifact-link.controller.js';
import { ProxyFaceController } from './faces/proxy-face.controller.js';
import { ApigOpenApiController } from './faces/apig/apig-openapi.controller.js';
import { ApigOpenApiService } from './faces/apig/apig-openapi.service.js';
import { AssetArchiveController } from './faces/asset-archive/asset-archive.controller.js';
import { AssetArchiveService } from './faces/asset-archive/asset-archive.service.js';
import { SyncJobs } from './faces/sync-job.js';
import { PackageController } from './faces/package/package.controller.js';
import { PackageService } from './faces/package/package.service.js';
import { AuthGuard } from './common/auth.guard.js';
import { ProblemFilter } from './common/problem.filter.js';
import { ProjectAccess } from './common/project-access.service.js';
import { DeploymentsController } from './deployments/deployments.controller.js';
import { DeploymentsService } from './deployments/deployments.service.js';
import { EnvironmentsController } from './environments/environments.controller.js';
import { EnvironmentsService } from './environments/environments.service.js';
import { HealthController } from './health/health.controller.js';
import { Metrics, MetricsController } from './health/metrics.js';
import { InventoryController } from './jobs/inventory.controller.js';
import { JobEventsController } from './jobs/job-events.controller.js';
import { JobEventsService } from './jobs/job-events.service.js';
import { JobsController } from './jobs/jobs.controller.js';
import { JobsService } from './jobs/jobs.service.js';
import { ProjectsController } from './projects/projects.controller.js';
import { ProjectsService } from './projects/projects.service.js';
import { AuthService } from './tokens/auth.service.js';
import { TokensController } from './tokens/tokens.controller.js';
import { TokensService } from './tokens/tokens.service.js';
import { WebhookDeliveriesController } from './webhooks/webhook-deliveries.controller.js';
import { WebhooksController } from './webhooks/webhooks.controller.js';
import { WebhooksService } from './webhooks/webhooks.service.js';

@Module({})
export class AppModule {
  static forRoot(config: AppConfig, logger: Logger): DynamicModule {
    return {
      module: AppModule,
      imports: [
        ConfigModule.forRoot(config),
        LoggingModule.forRoot(logger),
        CatalogModule,
        StorageModule,
        JobsModule,
        WebhooksModule,
        // With the embedded database only one process may open it, so the worker runs here.
        ...(config.workerInProcess ? [WorkerModule] : []),
      ],
      controllers: [
        HealthController,
        MetricsController,
        TokensController,
        ProjectsController,
        ApiProxiesController,
        EnvironmentsController,
        DeploymentsController,
        JobsController,
        JobEventsController,
        InventoryController,
        ArchivesController,
        SharedAssetsController,
        ProxyFaceController,
        ApigOpenApiController,
        AssetArchiveController,
        PackageController,
        WebhooksController,
        WebhookDeliveriesController,
        ArtifactLinkController,
      ],
      providers: [
        { provide: APP_GUARD, useClass: AuthGuard },
        { provide: APP_FILTER, useClass: ProblemFilter },
        AuthService,
        TokensService,
        ProjectAccess,
        ProjectsService,
        ApiProxiesService,
        EnvironmentsService,
        DeploymentsService,
        JobsService,
        JobEventsService,
        Metrics,
        ArchivesService,
        UploadsService,
        WebhooksService,
        ApigOpenApiService,
        SyncJobs,
        AssetArchiveService,
        PackageService,
      ],
    };
  }
}
