import type {} from '@fastify/multipart';
import { Body, Controller, Delete, Get, Headers, HttpCode, Inject, Param, Post, Req, Res } from '@nestjs/common';
import { ApiBearerAuth, ApiBody, ApiConsumes, ApiHeader, ApiTags } from '@nestjs/swagger';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { Permission, ValidationError, validateModel, type Principal } from '#core';
import { ObjectStore } from '#storage';
import { ProjectAccess } from '../common/project-access.service.js';
import { CurrentPrincipal } from '../common/principal.decorator.js';
import { acceptedJob } from '../jobs/jobs.controller.js';
import { ArchivesService } from './archives.service.js';
import { ExportRequestDto } from './export-request.dto.js';
import { parseJsonField, readFormUpload } from './form-upload.js';
import { CompleteUploadDto, CreateUploadDto, ImportOptionsDto, ImportRequestDto } from './import-request.dto.js';
import { UploadsService } from './uploads.service.js';


@ApiTags('export and import')
@ApiBearerAuth()
@Controller('v1/projects/:project')
export class ArchivesController {
  constructor(
    @Inject(ArchivesService) private readonly archives: ArchivesService,
    @Inject(UploadsService) private readonly uploads: UploadsService,
    @Inject(ProjectAccess) private readonly access: ProjectAccess,
    @Inject(ObjectStore) private readonly store: ObjectStore,
  ) {}

  @Post('exports')
  @ApiHeader({ name: 'Idempotency-Key', required: false })
  async export(
    @CurrentPrincipal() caller: Principal,
    @Param('project') projectName: string,
    @Body() dto: ExportRequestDto,
    @Headers('idempotency-key') idempotencyKey: string | undefined,
    @Res({ passthrough: true }) reply: FastifyReply,
  ) {
    const project = await this.access.require(caller, projectName, Permission.ExportImport);
    const fingerprint = ['POST', `/v1/projects/${projectName}/exports`, dto];
    return acceptedJob(reply, await this.archives.startExport(caller, project, dto, { idempotencyKey, fingerprint }));
  }

  @Post('uploads')
  async createUpload(@CurrentPrincipal() caller: Principal, @Param('project') projectName: string, @Body() dto: CreateUploadDto) {
    const project = await this.access.require(caller, projectName, Permission.ExportImport);
    return this.uploads.createPresigned(caller, project, dto);
  }

  /** The upload's state; for an open presigned upload, the parts received and URLs for the rest (resuming). */
  @Get('uploads/:upload')
  async uploadStatus(@CurrentPrincipal() caller: Principal, @Param('project') projectName: string, @Param('upload') uploadId: string) {
    const project = await this.access.require(caller, projectName, Permission.ExportImport);
    return this.uploads.status(project, uploadId);
  }

  @Post('uploads/:upload/complete')
  @HttpCode(200)
  async completeUpload(
    @CurrentPrincipal() caller: Principal,
    @Param('project') projectName: string,
    @Param('upload') uploadId: string,
    @Body() dto: CompleteUploadDto,
  ) {
    const project = await this.access.require(caller, projectName, Permission.ExportImport);
    return this.uploads.complete(project, uploadId, dto);
  }

  @Delete('uploads/:upload')
  @HttpCode(204)
  async abortUpload(@CurrentPrincipal() caller: Principal, @Param('project') projectName: string, @Param('upload') uploadId: string) {
    const project = await this.access.require(caller, projectName, Permission.ExportImport);
    await this.uploads.abort(project, uploadId);
  }

  /**
   * JSON naming a completed upload, or multipart/form-data with the archive as `file` and
   * the options as a JSON `options` field; the form's file streams to the object store.
   * The file may also be an OpenAPI document (.json, .yaml, .yml) or a ZIP of a multi-file
   * description: the upload's content decides which import job runs.
   */
  @Post('imports')
  @ApiConsumes('application/json', 'multipart/form-data')
  @ApiBody({ type: ImportRequestDto })
  @ApiHeader({ name: 'Idempotency-Key', required: false })
  async import(
    @CurrentPrincipal() caller: Principal,
    @Param('project') projectName: string,
    @Headers('idempotency-key') idempotencyKey: string | undefined,
    @Req() request: FastifyRequest,
    @Res({ passthrough: true }) reply: FastifyReply,
  ) {
    const project = await this.access.require(caller, projectName, Permission.ExportImport);
    if (!request.isMultipart()) {
      const dto = await validateModel(ImportRequestDto, request.body, 'import request');
      const upload = await this.uploads.findReady(project, dto.uploadId);
      const fingerprint = ['POST', `/v1/projects/${projectName}/imports`, request.body];
      return acceptedJob(reply, await this.archives.startUploadImport(caller, project, upload, dto, { idempotencyKey, fingerprint }));
    }
    const form = await readFormUpload(request, (field) => field === 'file', (fileName, stream) => this.uploads.storeStream(caller, project, fileName, stream, 'archive-or-openapi'));
    if (!form.stored) throw new ValidationError('The form has no file part named "file".', [{ pointer: '/file', detail: 'is required' }]);
    try {
      const options = await validateModel(ImportOptionsDto, parseJsonField(form.fields, 'options'), 'import options');
      const fingerprint = ['POST', `/v1/projects/${projectName}/imports`, form.fields, form.stored.size];
      return acceptedJob(reply, await this.archives.startUploadImport(caller, project, form.stored, options, { idempotencyKey, fingerprint }));
    } catch (err) {
      await this.store.delete(form.stored.object_key).catch(() => undefined);
      throw err;
    }
  }
}
