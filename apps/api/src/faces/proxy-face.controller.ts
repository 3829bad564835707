import type {} from '@fastify/multipart';
import { Controller, Get, Inject, Param, Post, Put, Req, Res, UseFilters } from '@nestjs/common';
import { ApiBearerAuth, ApiTags } from '@nestjs/swagger';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { AssetRepository, type ProjectRow } from '#catalog';
import { APP_CONFIG, type AppConfig } from '#config';
import { NotFoundError, Permission, ValidationError, validateModel, type Principal } from '#core';
import { ObjectStore } from '#storage';
import { ArchivesService } from '../archives/archives.service.js';
import { readFormUpload } from '../archives/form-upload.js';
import { ImportOptionsDto } from '../archives/import-request.dto.js';
import { UploadsService } from '../archives/uploads.service.js';
import { CurrentPrincipal } from '../common/principal.decorator.js';
import { ProjectAccess } from '../common/project-access.service.js';
import type { JobView } from '../jobs/job-view.js';
import { JobsService } from '../jobs/jobs.service.js';
import { VendorErrorFilter } from './vendor-error.filter.js';

const EXPORT_FILE_NAME = 'apiProxyExportFile.zip';

/**
 * The proxy face: the paths and shapes of a documented gateway vendor's API-ops endpoints
 * (export one proxy; import without override, where a clash gets a suffixed name; import
 * with override), over the same job core as /v1. Each call waits for its job up to
 * SYNC_WAIT_MS and then answers like the vendor; past that it answers 202 with the job.
 */
@ApiTags('proxy face (vendor-compatible)')
@ApiBearerAuth()
@UseFilters(VendorErrorFilter)
@Controller('apiops/projects/:projectName/apiProxies')
export class ProxyFaceController {
  constructor(
    @Inject(ArchivesService) private readonly archives: ArchivesService,
    @Inject(UploadsService) private readonly uploads: UploadsService,
    @Inject(JobsService) private readonly jobs: JobsService,
    @Inject(ProjectAccess) private readonly access: ProjectAccess,
    @Inject(AssetRepository) private readonly assets: AssetRepository,
    @Inject(ObjectStore) private readonly store: ObjectStore,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  @Get(':apiProxyName/export')
  async export(
    @CurrentPrincipal() caller: Principal,
    @Param('projectName') projectName: string,
    @Param('apiProxyName') proxyName: string,
    @Res() reply: FastifyReply,
  ): Promise<void> {
    const project = await this.project(caller, projectName);
    if ((await this.assets.findByNames('apiProxy', project.id, [proxyName])).length === 0) {
      throw new NotFoundError(`API Proxy "${proxyName}" was not found in project "${projectName}".`);
    }
    const { job } = await this.archives.startExport(
      caller,
      project,
      { proxies: [proxyName], fileName: EXPORT_FILE_NAME },
      { fingerprint: ['GET', 'apiops-export', projectName, proxyName, Date.now()], vendorCopy: true },
    );
    const finished = await this.jobs.waitForTerminal(job.id, this.config.archive.syncWaitMs);
    if (finished.state === 'running' || finished.state === 'queued') return this.inProgress(reply, finished);
    if (finished.state !== 'succeeded') throw new ValidationError(String(finished.error?.detail ?? `The export ${finished.state}.`));
    const artifact = finished.result?.artifact as { key: string; size: number };
    const body = await this.store.getStream(artifact.key);
    void reply
      .status(200)
      .header('content-type', 'application/octet-stream')
      .header('content-length', String(artifact.size))
      .header('content-disposition', `attachment; filename="${EXPORT_FILE_NAME}"`)
      .send(body);
  }

  /** Import without override: a proxy that exists already is created again under a suffixed name. */
  @Post('import')
  async importNew(@CurrentPrincipal() caller: Principal, @Param('projectName') projectName: string, @Req() request: FastifyRequest, @Res() reply: FastifyReply) {
    return this.import(caller, projectName, request, reply, { apiProxy: 'rename', policy: 'keep', alias: 'keep', application: 'keep' });
  }

  /** Import with override: the named proxy (which must exist) is replaced by the archive's. */
  @Put(':apiProxyName/import')
  async importOverride(
    @CurrentPrincipal() caller: Principal,
    @Param('projectName') projectName: string,
    @Param('apiProxyName') proxyName: string,
    @Req() request: FastifyRequest,
    @Res() reply: FastifyReply,
  ) {
    const project = await this.project(caller, projectName);
    if ((await this.assets.findByNames('apiProxy', project.id, [proxyName])).length === 0) {
      throw new NotFoundError(`API Proxy "${proxyName}" was not found in project "${projectName}".`);
    }
    return this.import(caller, projectName, request, reply, 'overwrite');
  }

  private async import(caller: Principal, projectName: string, request: FastifyRequest, reply: FastifyReply, conflicts: unknown): Promise<void> {
    const project = await this.project(caller, projectName);
    if (!request.isMultipart()) throw new ValidationError('The request must be multipart/form-data with the apiProxyExportFile and metadata parts.');
    const form = await readFormUpload(
      request,
      (field) => field === 'apiProxyExportFile',
      (fileName, stream) => this.uploads.storeStream(caller, project, fileName, stream),
    );
    if (!form.stored) throw new ValidationError('apiProxyExportFile is required and must not be empty.');
    try {
      let metadata: unknown = {};
      if (form.fields.metadata !== undefined && form.fields.metadata.trim() !== '') {
        try {
          metadata = JSON.parse(form.fields.metadata);
        } catch {
          throw new ValidationError('metadata is not valid JSON.');
        }
      }
      const options = await validateModel(ImportOptionsDto, metadata, 'metadata');
      const { job } = await this.archives.startImport(caller, project, form.stored, { ...options, conflicts }, { fingerprint: ['apiops-import', form.stored.id] });
      const finished = await this.jobs.waitForTerminal(job.id, this.config.archive.syncWaitMs);
      if (finished.state === 'running' || finished.state === 'queued') return this.inProgress(reply, finished);
      void reply.status(finished.state === 'succeeded' ? 200 : 400).send(this.vendorAnswer(finished));
    } catch (err) {
      await this.store.delete(form.stored.object_key).catch(() => undefined);
      throw err;
    }
  }

  /** The vendor's answer, plus what the vendor leaves out: which proxies got which names. */
  private vendorAnswer(job: JobView) {
    const result = (job.result ?? {}) as {
      items?: { type: string; name: string; action: string; newName?: string }[];
      deploymentResult?: { success: boolean; message: string; environmentResults: { environmentName: string; success: boolean; message: string }[] };
    };
    const deployed = result.deploymentResult;
    const deploymentResult = deployed
      ? {
          success: deployed.success,
          message: deployed.message,
          environmentResults: deployed.environmentResults.map((r) => ({ environmentName: r.environmentName, success: r.success, message: r.message })),
        }
      : { success: true, message: 'No deployment was requested.', environmentResults: [] };
    if (job.state !== 'succeeded') {
      return { status: 'FAILURE', error: 'bad_request', error_description: String(job.error?.detail ?? 'The import failed.'), deploymentResult: { success: false, message: 'Nothing was deployed.', environmentResults: [] }, jobId: job.id };
    }
    return {
      status: 'SUCCESS',
      deploymentResult,
      apiProxies: (result.items ?? []).filter((i) => i.type === 'apiProxy').map((i) => ({ name: i.name, action: i.action, ...(i.newName ? { newName: i.newName } : {}) })),
      jobId: job.id,
    };
  }

  private inProgress(reply: FastifyReply, job: JobView): void {
    void reply.status(202).header('location', job.links.self).header('retry-after', '2').send({ status: 'IN_PROGRESS', jobId: job.id, location: job.links.self });
  }

  private async project(caller: Principal, projectName: string): Promise<ProjectRow> {
    if (projectName.trim() === '') throw new ValidationError('Project name cannot be empty.');
    return this.access.require(caller, projectName, Permission.ExportImport);
  }
}
