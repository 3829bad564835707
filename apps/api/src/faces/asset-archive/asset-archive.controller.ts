import { Controller, Get, Headers, Inject, Post, Query, Req, Res, UseFilters } from '@nestjs/common';
import { ApiBearerAuth, ApiHeader, ApiQuery, ApiTags } from '@nestjs/swagger';
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { Principal } from '#core';
import { CurrentPrincipal } from '../../common/principal.decorator.js';
import type { JobView } from '../../jobs/job-view.js';
import { SyncJobs } from '../sync-job.js';
import { assetArchiveError, AssetArchiveErrorFilter } from './asset-archive-error.filter.js';
import { assetArchiveResult } from './asset-archive-result.js';
import { ARCHIVE_FILE_NAME, AssetArchiveService, type ArchiveQuery, type ImportQuery } from './asset-archive.service.js';

/**
 * The asset-archive face: the paths and shapes of a documented gateway's archive service
 * (export by ids or by search, import with per-type overwrite), over the same job core as
 * /v1. Each call waits for its job up to SYNC_WAIT_MS, then answers 202 with the job.
 */
@ApiTags('asset archive face (vendor-compatible)')
@ApiBearerAuth()
@ApiHeader({ name: 'X-Apiferry-Project', required: false, description: 'the project, unless given as the project query parameter' })
@ApiHeader({ name: 'X-Apiferry-Passphrase', required: false, description: 'seals secrets on export, opens them on import' })
@UseFilters(AssetArchiveErrorFilter)
@Controller('rest/apigateway/archive')
export class AssetArchiveController {
  constructor(
    @Inject(AssetArchiveService) private readonly face: AssetArchiveService,
    @Inject(SyncJobs) private readonly sync: SyncJobs,
  ) {}

  @Get()
  @ApiQuery({ name: 'apis', required: false, description: 'ids (uuids or names), comma-separated, or *' })
  @ApiQuery({ name: 'policies', required: false })
  @ApiQuery({ name: 'aliases', required: false })
  @ApiQuery({ name: 'applications', required: false })
  @ApiQuery({ name: 'includeOptionalDependencies', required: false, description: 'true: also the subscribed applications' })
  async export(
    @CurrentPrincipal() caller: Principal,
    @Query() query: ArchiveQuery & { project?: string },
    @Headers('x-apiferry-project') projectHeader: string | undefined,
    @Headers('x-apiferry-passphrase') passphrase: string | undefined,
    @Res() reply: FastifyReply,
  ): Promise<void> {
    const project = await this.face.project(caller, query.project, projectHeader);
    const { job } = await this.face.exportByIds(caller, project, query, passphrase);
    await this.answerExport(job.id, reply);
  }

  /** multipart/form-data with `zipFile` imports; a JSON search form exports. */
  @Post()
  async importOrSearch(
    @CurrentPrincipal() caller: Principal,
    @Query() query: ImportQuery & { project?: string },
    @Headers('x-apiferry-project') projectHeader: string | undefined,
    @Headers('x-apiferry-passphrase') passphrase: string | undefined,
    @Req() request: FastifyRequest,
    @Res() reply: FastifyReply,
  ): Promise<void> {
    const project = await this.face.project(caller, query.project, projectHeader);
    if (!request.isMultipart()) {
      const { job } = await this.face.exportBySearch(caller, project, request.body, passphrase);
      return this.answerExport(job.id, reply);
    }
    const { job } = await this.face.importArchive(caller, project, request, query, passphrase);
    const finished = await this.sync.wait(job.id, reply, () => ({ status: 'IN_PROGRESS' }));
    if (!finished) return;
    const { status, body } = importAnswer(finished);
    void reply.status(status).send(body);
  }

  private async answerExport(jobId: string, reply: FastifyReply): Promise<void> {
    const finished = await this.sync.wait(jobId, reply, () => ({ status: 'IN_PROGRESS' }));
    if (!finished) return;
    if (finished.state !== 'succeeded') {
      const failed = assetArchiveError(Number(finished.error?.status ?? 500), String(finished.error?.detail ?? `The export ${finished.state}.`), { jobId: finished.id });
      void reply.status(failed.status).send(failed.body);
      return;
    }
    await this.sync.sendArtifact(finished, reply, ARCHIVE_FILE_NAME);
  }
}

/** 201 with a result per asset when the import ran; the vendor's error shape when it did not. */
function importAnswer(job: JobView): { status: number; body: Record<string, unknown> } {
  if (job.state === 'succeeded') {
    const report = job.result ?? {};
    const secrets = report.secrets as { warnings?: string[] } | undefined;
    return {
      status: 201,
      body: {
        ...assetArchiveResult(report),
        warnings: secrets?.warnings ?? [],
        ...(report.deploymentResult ? { deploymentResult: report.deploymentResult } : {}),
        jobId: job.id,
      },
    };
  }
  const error = job.error ?? {};
  const report = error.report as Record<string, unknown> | undefined;
  const failed = assetArchiveError(Number(error.status ?? 500), String(error.detail ?? `The import ${job.state}.`), {
    ...(report ? assetArchiveResult(report) : {}),
    jobId: job.id,
  });
  return failed;
}
