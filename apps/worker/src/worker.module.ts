import { Module } from '@nestjs/common';
import { ProjectInventoryHandler } from './handlers/project-inventory.handler.js';
import { JOB_HANDLERS } from './job-handler.js';
import { JobRunner } from './job-runner.js';
import { Reconciler } from './reconciler.js';

const handlers = [ProjectInventoryHandler];

/** Job processing; relies on the global config, catalog, jobs and logging modules. */
@Module({
  providers: [
    ...handlers,
    { provide: JOB_HANDLERS, inject: handlers, useFactory: (...all: unknown[]) => all },
    JobRunner,
    Reconciler,
  ],
})
export class WorkerModule {}
