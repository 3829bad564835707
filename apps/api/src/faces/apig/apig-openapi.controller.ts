import type {} from '@fastify/multipart';
import { Body, Controller, Get, HttpCode, Inject, Param, Post, Req, Res, UseFilters } from '@nestjs/common';
import { ApiBearerAuth, ApiTags } from '@nestjs/swagger';
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { Principal } from '#core';
import { readFormUpload } from '../../archives/form-upload.js';
import { CurrentPrincipal } from '../../common/principal.decorator.js';
import type { JobView } from '../../jobs/job-view.js';
import { failedAnswer, importAnswer, taskAnswer } from './apig-answers.js';
import { ApigCode, ApigError, ApigErrorFilter } from './apig-error.js';
import { ApigOpenApiService, type ImportFields } from './apig-openapi.service.js';

const BASE = 'v2/:project_id/apigw/instances/:instance_id';
/** Proxies and clients commonly refuse header blocks past 8-16 KB. */
const WARNINGS_HEADER_MAX = 4096;

/**
 * The OpenAPI face in the shape of a documented API gateway (APIG): export an API group as
 * an OpenAPI document, import one, synchronously (waiting for the job up to SYNC_WAIT_MS)
 * or as asynchronous tasks. project_id and instance_id are accepted as they come: apiferry
 * is one instance, and its projects are the API groups.
 */
@ApiTags('OpenAPI face (APIG-compatible)')
@ApiBearerAuth()
@UseFilters(ApigErrorFilter)
@Controller(BASE)
export class ApigOpenApiController {
  constructor(@Inject(ApigOpenApiService) private readonly service: ApigOpenApiService) {}

  @Post('openapi/export')
  async export(@CurrentPrincipal() caller: Principal, @Body() body: unknown, @Res() reply: FastifyReply): Promise<void> {
    const job = await this.service.waitForTerminal(await this.service.startExport(caller, body));
    if (!isFinished(job)) return this.stillRunning(reply, job);
    if (job.state !== 'succeeded') return this.failed(reply, job);
    const artifact = job.result?.artifact as { fileName: string; size: number; contentType: string };
    const warnings = (job.result?.warnings ?? []) as string[];
    void reply
      .status(200)
      .header('content-type', `${artifact.contentType}; charset=utf-8`)
      .header('content-length', String(artifact.size))
      .header('content-disposition', `attachment; filename="${artifact.fileName}"`)
      .header('x-apiferry-task-id', job.id)
      .header('x-apiferry-warnings-count', String(warnings.length))
      .header('x-apiferry-warnings', warningsHeader(warnings))
      .send(await this.service.artifactStream(job));
  }

  @Post('openapi/async-export')
  @HttpCode(202)
  async exportAsync(@CurrentPrincipal() caller: Principal, @Body() body: unknown) {
    return { task_id: (await this.service.startExport(caller, body)).id };
  }

  @Post('openapi/import')
  async import(@CurrentPrincipal() caller: Principal, @Req() request: FastifyRequest, @Res() reply: FastifyReply): Promise<void> {
    const job = await this.service.waitForTerminal(await this.startImport(caller, request));
    if (!isFinished(job)) return this.stillRunning(reply, job);
    if (job.state !== 'succeeded') return this.failed(reply, job);
    void reply.status(200).send(importAnswer(job));
  }

  @Post('openapi/async-import')
  async importAsync(@CurrentPrincipal() caller: Principal, @Req() request: FastifyRequest, @Res() reply: FastifyReply): Promise<void> {
    const job = await this.startImport(caller, request);
    void reply.status(202).send({ task_id: job.id });
  }

  @Get('async-tasks/:task_id')
  async task(@CurrentPrincipal() caller: Principal, @Param('task_id') taskId: string) {
    const job = await this.service.task(caller, taskId);
    if (job.kind === 'openapi.export' && job.state === 'succeeded') {
      const result = job.result as { artifact: { fileName: string; size: number }; counts: { apis: number; operations: number }; warnings: string[] };
      return taskAnswer(job, {
        file_name: result.artifact.fileName,
        size: result.artifact.size,
        download_url: await this.service.downloadUrl(job),
        api_count: result.counts.apis,
        operation_count: result.counts.operations,
        warnings: result.warnings,
      });
    }
    return taskAnswer(job);
  }

  private async startImport(caller: Principal, request: FastifyRequest): Promise<JobView> {
    if (!request.isMultipart()) throw new ApigError(400, ApigCode.MissingParameter, 'The request must be multipart/form-data with the file part holding the OpenAPI document.');
    const form = await readFormUpload(request, (field) => field === 'file', (_name, stream) => this.service.storeDocument(stream));
    try {
      return await this.service.startImport(caller, form.fields as ImportFields, form.stored ?? undefined);
    } catch (err) {
      if (form.stored) await this.service.discardDocument(form.stored);
      throw err;
    }
  }

  private stillRunning(reply: FastifyReply, job: JobView): void {
    void reply.status(202).header('retry-after', '2').send({ task_id: job.id, task_status: job.state === 'queued' ? 'waiting' : 'processing' });
  }

  private failed(reply: FastifyReply, job: JobView): void {
    const answer = failedAnswer(job);
    void reply.status(answer.status).header('content-type', 'application/json; charset=utf-8').send(answer.body);
  }
}

/** The export's warnings (URI-encoded JSON list) as far as a header holds them; all of them are in the task. */
function warningsHeader(warnings: string[]): string {
  const shown: string[] = [];
  for (const warning of warnings) {
    if (encodeURIComponent(JSON.stringify([...shown, warning])).length > WARNINGS_HEADER_MAX) break;
    shown.push(warning);
  }
  return encodeURIComponent(JSON.stringify(shown));
}

function isFinished(job: JobView): boolean {
  return job.state === 'succeeded' || job.state === 'failed' || job.state === 'canceled';
}
