import { Controller, Get, Inject, Param, Post, Query, Res } from '@nestjs/common';
import { ApiBearerAuth, ApiTags } from '@nestjs/swagger';
import type { FastifyReply } from 'fastify';
import type { Principal } from '#core';
import { pageLimit } from '../common/pagination.dto.js';
import { CurrentPrincipal } from '../common/principal.decorator.js';
import { isTerminal, type JobView } from './job-view.js';
import { JobListQueryDto } from './job-list-query.dto.js';
import { ReportItemsQueryDto } from './report-items-query.dto.js';
import { JobsService, type CreatedJob } from './jobs.service.js';
import { ArchivesService } from '../archives/archives.service.js';

/** Seconds a poller should wait before asking again about a job still in flight. */
export const RETRY_AFTER_SECONDS = 2;

export function withRetryAfter(reply: FastifyReply, job: JobView): JobView {
  if (!isTerminal(job.state)) void reply.header('retry-after', String(RETRY_AFTER_SECONDS));
  return job;
}

/** The answer to a request that created (or, with its Idempotency-Key, replayed) a job. */
export function acceptedJob(reply: FastifyReply, created: CreatedJob): JobView {
  void reply.status(202).header('location', created.job.links.self);
  if (created.replayed) void reply.header('idempotent-replayed', 'true');
  return withRetryAfter(reply, created.job);
}

@ApiTags('jobs')
@ApiBearerAuth()
@Controller('v1/jobs')
export class JobsController {
  constructor(
    @Inject(JobsService) private readonly service: JobsService,
    @Inject(ArchivesService) private readonly archives: ArchivesService,
  ) {}

  @Get()
  list(@CurrentPrincipal() caller: Principal, @Query() query: JobListQueryDto) {
    return this.service.list(
      caller,
      { project: query.project, kind: query.kind, state: query.state },
      { limit: pageLimit(query), cursor: query.cursor },
    );
  }

  @Get(':id')
  async get(@CurrentPrincipal() caller: Principal, @Param('id') id: string, @Res({ passthrough: true }) reply: FastifyReply) {
    return withRetryAfter(reply, await this.service.get(caller, id));
  }

  /** An import's per-asset report in plan order, a page at a time (the job shows only its first lines). */
  @Get(':id/report-items')
  reportItems(@CurrentPrincipal() caller: Principal, @Param('id') id: string, @Query() query: ReportItemsQueryDto) {
    return this.service.reportItems(caller, id, { limit: query.limit ?? 500, cursor: query.cursor, actions: query.action });
  }

  /** Redirects to a presigned, expiring link to a finished export's archive. */
  @Get(':id/artifact')
  async artifact(@CurrentPrincipal() caller: Principal, @Param('id') id: string, @Res({ passthrough: true }) reply: FastifyReply) {
    const job = await this.service.get(caller, id);
    const url = await this.archives.artifactUrl(id, job);
    void reply.status(302).header('location', url);
    return { location: url };
  }

  @Post(':id/cancel')
  async cancel(@CurrentPrincipal() caller: Principal, @Param('id') id: string, @Res({ passthrough: true }) reply: FastifyReply) {
    const job = await this.service.cancel(caller, id);
    void reply.status(isTerminal(job.state) ? 200 : 202);
    return withRetryAfter(reply, job);
  }
}
