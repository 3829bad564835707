import { Controller, Get, Headers, Inject, Param, Post, Query, Req, Res, UseFilters } from '@nestjs/common';
import { ApiBearerAuth, ApiHeader, ApiQuery, ApiTags } from '@nestjs/swagger';
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { Principal } from '#core';
import { CurrentPrincipal } from '../../common/principal.decorator.js';
import type { CreatedJob } from '../../jobs/jobs.service.js';
import { SyncJobs } from '../sync-job.js';
import { packageError, PackageErrorFilter } from './package-error.filter.js';
import { acceptsPackage, NotAcceptableError, packageOptions, type PackageQuery } from './package-options.js';
import { packageImportResult } from './package-result.js';
import { PACKAGE_FILE_NAME, PackageService } from './package.service.js';

/** The export options, described once for both export endpoints. */
const OPTION_DESCRIPTIONS: Record<string, string> = {
  'migration.operationalpolicy.export': 'true: the operational shared policies the API uses (default false)',
  'migration.qospolicy.export': 'true: the QoS shared policies the API uses (default false)',
  'migration.pki.export': 'true: the PKI alias, private key sealed with X-Apiferry-Passphrase (required then; default false)',
  'migration.export.include.scopes': 'true: scopes (default false)',
  'migration.export.include.resources': 'true: documentation and other resources (default false)',
  'migration.export.include.api.connections': 'true: applications with contracts to the API (default false)',
  'migration.export.include.api.admins': 'true: admin relationships (default false)',
  'migration.export.include.services': 'false: leave out the implementation services, i.e. routing (default true)',
  download: 'false: answer inline instead of as an attachment (default true)',
};

function DescribeOptions(): MethodDecorator {
  return (target, key, descriptor) => {
    for (const [name, description] of Object.entries(OPTION_DESCRIPTIONS)) ApiQuery({ name, required: false, description })(target, key, descriptor);
  };
}

/**
 * The package face: the paths and shapes of a documented API platform's migration
 * packages (one API with chosen surroundings, a whole business, and the package import),
 * over the same job core as /v1. Each call waits for its job up to SYNC_WAIT_MS, then
 * answers 202 with the job.
 */
@ApiTags('package face (vendor-compatible)')
@ApiBearerAuth()
@ApiHeader({ name: 'X-Apiferry-Passphrase', required: false, description: 'seals (export) or opens (import) PKI private keys and other secrets' })
@UseFilters(PackageErrorFilter)
@Controller('api')
export class PackageController {
  constructor(
    @Inject(PackageService) private readonly packages: PackageService,
    @Inject(SyncJobs) private readonly sync: SyncJobs,
  ) {}

  @Get('apis/:apiId/package')
  @DescribeOptions()
  @ApiQuery({ name: 'exportVersion', required: false, description: 'one version (its version string or uuid); absent: every version' })
  @ApiQuery({ name: 'project', required: false, description: 'the project, when several hold the API id' })
  @ApiHeader({ name: 'X-Apiferry-Project', required: false, description: 'the project, when the API id is held by several' })
  async exportApi(
    @CurrentPrincipal() caller: Principal,
    @Param('apiId') apiId: string,
    @Query() query: PackageQuery,
    @Headers('accept') accept: string | undefined,
    @Headers('x-apiferry-project') projectHeader: string | undefined,
    @Headers('x-apiferry-passphrase') passphrase: string | undefined,
    @Res() reply: FastifyReply,
  ): Promise<void> {
    const options = this.optionsFor(query, accept);
    const created = await this.packages.exportApi(caller, apiId, query.project ?? projectHeader, query.exportVersion, options, passphrase);
    await this.answerExport(created, options.download, reply);
  }

  @Get('businesses/:businessId/package')
  @DescribeOptions()
  async exportBusiness(
    @CurrentPrincipal() caller: Principal,
    @Param('businessId') businessId: string,
    @Query() query: PackageQuery,
    @Headers('accept') accept: string | undefined,
    @Headers('x-apiferry-passphrase') passphrase: string | undefined,
    @Res() reply: FastifyReply,
  ): Promise<void> {
    const options = this.optionsFor(query, accept);
    await this.answerExport(await this.packages.exportBusiness(caller, businessId, options, passphrase), options.download, reply);
  }

  @Post('tenants/:tenant/packages')
  async importPackage(
    @CurrentPrincipal() caller: Principal,
    @Param('tenant') tenant: string,
    @Headers('x-apiferry-passphrase') passphrase: string | undefined,
    @Req() request: FastifyRequest,
    @Res() reply: FastifyReply,
  ): Promise<void> {
    const { job } = await this.packages.importPackage(caller, tenant, request, passphrase);
    const finished = await this.sync.wait(job.id, reply, () => ({ status: 'IN_PROGRESS' }));
    if (!finished) return;
    if (finished.state === 'succeeded') {
      void reply.status(200).send({ status: 'success', ...packageImportResult(finished.result ?? {}), jobId: finished.id });
      return;
    }
    const error = finished.error ?? {};
    const report = error.report as Record<string, unknown> | undefined;
    const failed = packageError(Number(error.status ?? 500), String(error.detail ?? `The import ${finished.state}.`), { ...(report ? packageImportResult(report) : {}), jobId: finished.id });
    void reply.status(failed.status).send(failed.body);
  }

  private optionsFor(query: PackageQuery, accept: string | undefined) {
    if (!acceptsPackage(accept)) throw new NotAcceptableError('The package is a ZIP: accept application/octet-stream.');
    return packageOptions(query);
  }

  private async answerExport(created: CreatedJob, download: boolean, reply: FastifyReply): Promise<void> {
    const finished = await this.sync.wait(created.job.id, reply, () => ({ status: 'IN_PROGRESS' }));
    if (!finished) return;
    if (finished.state !== 'succeeded') {
      const failed = packageError(Number(finished.error?.status ?? 500), String(finished.error?.detail ?? `The export ${finished.state}.`), { jobId: finished.id });
      void reply.status(failed.status).send(failed.body);
      return;
    }
    await this.sync.sendArtifact(finished, reply, PACKAGE_FILE_NAME, download ? 'attachment' : 'inline');
  }
}
