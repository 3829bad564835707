import { Body, Controller, Delete, Get, Headers, Inject, Param, Post, Res } from '@nestjs/common';
import { ApiBearerAuth, ApiHeader, ApiTags } from '@nestjs/swagger';
import type { FastifyReply } from 'fastify';
import type { Principal } from '#core';
import { JobKind } from '#jobs';
import { CurrentPrincipal } from '../common/principal.decorator.js';
import { withRetryAfter } from '../jobs/jobs.controller.js';
import type { CreatedJob } from '../jobs/jobs.service.js';
import { DeploymentRequestDto } from './deployment-request.dto.js';
import { DeploymentsService } from './deployments.service.js';

function accepted(reply: FastifyReply, created: CreatedJob) {
  void reply.status(202).header('location', created.job.links.self);
  if (created.replayed) void reply.header('idempotent-replayed', 'true');
  return withRetryAfter(reply, created.job);
}

@ApiTags('deployments')
@ApiBearerAuth()
@Controller('v1/projects/:project/apiProxies/:proxy/deployments')
export class DeploymentsController {
  constructor(@Inject(DeploymentsService) private readonly service: DeploymentsService) {}

  @Get()
  list(@CurrentPrincipal() caller: Principal, @Param('project') project: string, @Param('proxy') proxy: string) {
    return this.service.list(caller, project, proxy);
  }

  @Post()
  @ApiHeader({ name: 'Idempotency-Key', required: false })
  async deploy(
    @CurrentPrincipal() caller: Principal,
    @Param('project') project: string,
    @Param('proxy') proxy: string,
    @Body() dto: DeploymentRequestDto,
    @Headers('idempotency-key') idempotencyKey: string | undefined,
    @Res({ passthrough: true }) reply: FastifyReply,
  ) {
    return accepted(reply, await this.service.start(caller, project, proxy, JobKind.ProxyDeploy, dto, { idempotencyKey }));
  }

  @Delete()
  @ApiHeader({ name: 'Idempotency-Key', required: false })
  async undeploy(
    @CurrentPrincipal() caller: Principal,
    @Param('project') project: string,
    @Param('proxy') proxy: string,
    @Body() dto: DeploymentRequestDto,
    @Headers('idempotency-key') idempotencyKey: string | undefined,
    @Res({ passthrough: true }) reply: FastifyReply,
  ) {
    return accepted(reply, await this.service.start(caller, project, proxy, JobKind.ProxyUndeploy, dto, { idempotencyKey }));
  }
}
