import { Body, Controller, Headers, Inject, Param, Post, Res } from '@nestjs/common';
import { ApiBearerAuth, ApiHeader, ApiTags } from '@nestjs/swagger';
import type { FastifyReply } from 'fastify';
import { Permission, type Principal } from '#core';
import { JobKind } from '#jobs';
import { ProjectAccess } from '../common/project-access.service.js';
import { CurrentPrincipal } from '../common/principal.decorator.js';
import { JobsService } from './jobs.service.js';
import { acceptedJob } from './jobs.controller.js';

/** Starts a project.inventory job: what a project holds, for sizing a migration. */
@ApiTags('jobs')
@ApiBearerAuth()
@Controller('v1/projects/:project/inventory')
export class InventoryController {
  constructor(
    @Inject(JobsService) private readonly jobs: JobsService,
    @Inject(ProjectAccess) private readonly access: ProjectAccess,
  ) {}

  @Post()
  @ApiHeader({ name: 'Idempotency-Key', required: false })
  async start(
    @CurrentPrincipal() caller: Principal,
    @Param('project') projectName: string,
    @Headers('idempotency-key') idempotencyKey: string | undefined,
    @Body() body: unknown,
    @Res({ passthrough: true }) reply: FastifyReply,
  ) {
    const project = await this.access.require(caller, projectName, Permission.ExportImport);
    const created = await this.jobs.create(caller, {
      kind: JobKind.ProjectInventory,
      projectId: project.id,
      payload: { projectId: project.id, projectName: project.name },
      idempotencyKey,
      fingerprint: ['POST', `/v1/projects/${projectName}/inventory`, body ?? null],
      webhook: (body as { webhook?: unknown } | null | undefined)?.webhook,
    });
    return acceptedJob(reply, created);
  }
}
