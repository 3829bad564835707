import { Body, Controller, Delete, Get, Headers, Inject, Param, Post, Res } from '@nestjs/common';
import { ApiBearerAuth, ApiHeader, ApiTags } from '@nestjs/swagger';
import type { FastifyReply } from 'fastify';
import type { Principal } from '#core';
import { JobKind } from '#jobs';
import { CurrentPrincipal } from '../common/principal.decorator.js';
import { acceptedJob } from '../jobs/jobs.controller.js';
import { DeploymentRequestDto } from './deployment-request.dto.js';
import { DeploymentsService } from './deployments.service.js';


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
    return acceptedJob(reply, await this.service.start(caller, project, proxy, JobKind.ProxyDeploy, dto, { idempotencyKey }));
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
    return acceptedJob(reply, await this.service.start(caller, project, proxy, JobKind.ProxyUndeploy, dto, { idempotencyKey }));
  }
}
