import { Inject, Injectable } from '@nestjs/common';
import { InventoryRepository } from '#catalog';
import { APP_CONFIG, type AppConfig } from '#config';
import { sleep } from '#core';
import { JobKind } from '#jobs';
import type { JobContext, JobHandler } from '../job-handler.js';

/**
 * Reports what a project holds — count and definition size per asset type, deployments per
 * environment — which is what an operator sizes a migration with. Read-only, so a retry
 * after a crash simply runs it again.
 */
@Injectable()
export class ProjectInventoryHandler implements JobHandler<JobKind.ProjectInventory> {
  readonly kind = JobKind.ProjectInventory;

  constructor(
    @Inject(InventoryRepository) private readonly inventory: InventoryRepository,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  async run({ payload, progress, signal }: JobContext<JobKind.ProjectInventory>): Promise<Record<string, unknown>> {
    const steps = 2;
    await progress('counting assets', 0, steps);
    // The step delay is an operator setting for watching jobs run (and for drills).
    await sleep(this.config.jobs.stepDelayMs, signal);
    const assets = await this.inventory.assetCounts(payload.projectId);
    await progress('counting deployments', 1, steps);
    await sleep(this.config.jobs.stepDelayMs, signal);
    const environments = await this.inventory.deploymentsPerEnvironment(payload.projectId);
    await progress('done', steps, steps);
    return {
      project: payload.projectName,
      assets,
      totals: {
        count: assets.reduce((sum, a) => sum + a.count, 0),
        definitionBytes: assets.reduce((sum, a) => sum + a.definitionBytes, 0),
      },
      environments,
    };
  }
}
