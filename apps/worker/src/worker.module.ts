import { Module } from '@nestjs/common';
import { DeployDriverRegistry } from '#deploy';
import { WebhooksModule } from '#webhooks';
import { ProxyDeployer } from './deployments/proxy-deployer.js';
import { ArchiveExportHandler } from './handlers/archive-export.handler.js';
import { ArchiveImportHandler } from './handlers/archive-import.handler.js';
import { OpenApiExportHandler } from './handlers/openapi-export.handler.js';
import { OpenApiImportHandler } from './handlers/openapi-import.handler.js';
import { ProjectInventoryHandler } from './handlers/project-inventory.handler.js';
import { ProxyDeployHandler, ProxyUndeployHandler } from './handlers/proxy-deployment.handler.js';
import { JOB_HANDLERS } from './job-handler.js';
import { JobRunner } from './job-runner.js';
import { Reconciler } from './reconciler.js';
import { RetentionSweeper } from './retention.js';
import { WebhookDeliveryProcessor } from './webhooks/webhook-delivery.processor.js';
import { WebhookDeliveryService } from './webhooks/webhook-delivery.service.js';

const handlers = [ProjectInventoryHandler, ArchiveExportHandler, ArchiveImportHandler, ProxyDeployHandler, ProxyUndeployHandler, OpenApiExportHandler, OpenApiImportHandler];

/** Job processing; relies on the global config, catalog, jobs and logging modules. */
@Module({
  imports: [WebhooksModule],
  providers: [
    ...handlers,
    { provide: JOB_HANDLERS, inject: handlers, useFactory: (...all: unknown[]) => all },
    { provide: DeployDriverRegistry, useFactory: () => new DeployDriverRegistry() },
    ProxyDeployer,
    JobRunner,
    Reconciler,
    RetentionSweeper,
    WebhookDeliveryService,
    WebhookDeliveryProcessor,
  ],
})
export class WorkerModule {}
