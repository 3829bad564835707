import { Inject, Injectable } from '@nestjs/common';
import { AssetRepository, EnvironmentRepository, type ProjectRow, type UploadRow } from '#catalog';
import { APP_CONFIG, type AppConfig } from '#config';
import { ConflictError, ForbiddenError, hasPermission, NotFoundError, parseConflictPolicies, Permission, SecretBox, ValidationError, type Principal, isUuid } from '#core';
import { JobKind, type AssetSelection, type OpenApiExportPayload, type OpenApiImportPayload, type PackageExportOptions } from '#jobs';
import { ObjectStore } from '#storage';
import { JobsService, type CreatedJob } from '../jobs/jobs.service.js';
import type { ExportRequestDto } from './export-request.dto.js';
import type { ImportOptionsDto } from './import-request.dto.js';
import { checkExportFormatOptions, openApiImportModes } from './openapi-requests.js';
import { detectUploadContent } from './upload-content.js';

/** Jobs whose result holds a downloadable artifact. */
const EXPORT_KINDS: readonly string[] = [JobKind.ArchiveExport, JobKind.OpenApiExport];

/** Validates export and import requests as far as possible up front, then creates their jobs. */
@Injectable()
export class ArchivesService {
  constructor(
    @Inject(JobsService) private readonly jobs: JobsService,
    @Inject(AssetRepository) private readonly assets: AssetRepository,
    @Inject(EnvironmentRepository) private readonly environments: EnvironmentRepository,
    @Inject(ObjectStore) private readonly store: ObjectStore,
    @Inject(SecretBox) private readonly secretBox: SecretBox,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  async startExport(
    caller: Principal,
    project: ProjectRow,
    dto: ExportRequestDto,
    request: { idempotencyKey?: string; fingerprint: unknown; vendorCopy?: boolean; selection?: AssetSelection; packageOptions?: PackageExportOptions },
  ): Promise<CreatedJob> {
    checkExportFormatOptions(dto);
    const proxies = [...new Set(dto.proxies ?? [])];
    if (proxies.length > 0) {
      const found = [
        ...(await this.assets.findByUuids('apiProxy', project.id, proxies.filter(isUuid))),
        ...(await this.assets.findByNames('apiProxy', project.id, proxies)),
      ];
      const missing = proxies.filter((sel) => !found.some((p) => p.uuid === sel || p.name === sel));
      if (missing.length > 0) {
        throw new NotFoundError(`No API proxy ${missing.slice(0, 5).map((m) => `"${m}"`).join(', ')}${missing.length > 5 ? ' ...' : ''} in project "${project.name}".`).with({ missing });
      }
    }
    if (dto.format === 'openapi') return this.startOpenApiExport(caller, project, dto, proxies, request);
    const include = {
      applications: dto.include?.applications ?? false,
      resources: dto.include?.resources ?? false,
      scopes: dto.include?.scopes ?? true,
      deploymentState: dto.include?.deploymentState ?? false,
      secrets: dto.include?.secrets ?? dto.passphrase !== undefined,
    };
    if (include.secrets && !dto.passphrase) {
      throw new ValidationError('Exporting secrets needs a passphrase to seal them with.', [{ pointer: '/passphrase', detail: 'is required when include.secrets is true' }]);
    }
    const fileName = dto.fileName ?? `${project.name}-export.zip`;
    return this.jobs.create(caller, {
      kind: JobKind.ArchiveExport,
      projectId: project.id,
      payload: {
        projectId: project.id,
        projectName: project.name,
        proxies,
        include,
        ...(dto.passphrase ? { sealedPassphrase: this.secretBox.seal(dto.passphrase) } : {}),
        fileName,
        vendorCopy: request.vendorCopy ?? proxies.length === 1,
        ...(request.selection ? { selection: request.selection } : {}),
        ...(request.packageOptions ? { packageOptions: request.packageOptions } : {}),
      },
      idempotencyKey: request.idempotencyKey,
      fingerprint: request.fingerprint,
      webhook: dto.webhook,
    });
  }

  /** One OpenAPI document of the selected proxies (or those deployed in `environment`, or all). */
  private async startOpenApiExport(
    caller: Principal,
    project: ProjectRow,
    dto: ExportRequestDto,
    proxies: string[],
    request: { idempotencyKey?: string; fingerprint: unknown },
  ): Promise<CreatedJob> {
    if (dto.environment !== undefined && !(await this.environments.find(project.id, dto.environment))) {
      throw new ValidationError(`Environment "${dto.environment}" does not exist in project "${project.name}".`, [{ pointer: '/environment', detail: 'unknown environment' }]);
    }
    const format = dto.type ?? 'json';
    const payload: OpenApiExportPayload = {
      projectId: project.id,
      projectName: project.name,
      ...(dto.environment !== undefined ? { environment: dto.environment } : {}),
      apis: proxies,
      define: dto.define ?? 'all',
      format,
      oasVersion: dto.oasVersion ?? '3.0',
      ...(dto.version !== undefined ? { version: dto.version } : {}),
      fileName: dto.fileName ?? `${project.name}${dto.environment !== undefined ? `-${dto.environment}` : ''}-openapi.${format}`,
    };
    return this.jobs.create(caller, {
      kind: JobKind.OpenApiExport,
      projectId: project.id,
      payload,
      idempotencyKey: request.idempotencyKey,
      fingerprint: request.fingerprint,
      webhook: dto.webhook,
    });
  }

  /**
   * An upload to /v1 imports: an apiferry archive is an archive import; a ZIP without its
   * manifest (a multi-file description) or a single document is an OpenAPI import.
   */
  async startUploadImport(
    caller: Principal,
    project: ProjectRow,
    upload: UploadRow,
    options: ImportOptionsDto,
    request: { idempotencyKey?: string; fingerprint: unknown },
  ): Promise<CreatedJob> {
    const content = await detectUploadContent(this.store, upload.object_key);
    if (content === 'archive') return this.startImport(caller, project, upload, options, request);
    const modes = openApiImportModes(options, parseConflictPolicies(options.conflicts));
    const payload: OpenApiImportPayload = {
      projectId: project.id,
      projectName: project.name,
      createGroup: false,
      objectKey: upload.object_key,
      apiMode: modes.apiMode,
      extendMode: modes.extendMode,
      mockMode: false,
      failOnConflict: modes.failOnConflict,
      dryRun: modes.dryRun,
    };
    return this.jobs.create(caller, {
      kind: JobKind.OpenApiImport,
      projectId: project.id,
      payload,
      idempotencyKey: request.idempotencyKey,
      fingerprint: request.fingerprint,
      webhook: options.webhook,
    });
  }

  async startImport(
    caller: Principal,
    project: ProjectRow,
    upload: UploadRow,
    options: ImportOptionsDto,
    request: { idempotencyKey?: string; fingerprint: unknown; clashFailsAsset?: boolean; preserveAssetState?: boolean },
  ): Promise<CreatedJob> {
    if (request.preserveAssetState && !hasPermission(caller, project.name, Permission.DeployUndeploy)) {
      throw new ForbiddenError(`Restoring the deployment state needs ${Permission.DeployUndeploy} on project "${project.name}" as well.`);
    }
    const conflicts = parseConflictPolicies(options.conflicts);
    const targets = [...new Set(options.deployTargetEnvironmentNameList ?? [])];
    if (options.deploy) {
      if (!hasPermission(caller, project.name, Permission.DeployUndeploy)) {
        throw new ForbiddenError(`Deploying after import needs ${Permission.DeployUndeploy} on project "${project.name}" as well.`);
      }
      if (targets.length === 0) {
        throw new ValidationError('deploy needs at least one environment in deployTargetEnvironmentNameList.', [
          { pointer: '/deployTargetEnvironmentNameList', detail: 'must name at least one environment when deploy is true' },
        ]);
      }
      const unknown: string[] = [];
      for (const name of targets) if (!(await this.environments.find(project.id, name))) unknown.push(name);
      if (unknown.length > 0) {
        throw new ValidationError(`Environment ${unknown.map((n) => `"${n}"`).join(', ')} does not exist in project "${project.name}".`, [
          { pointer: '/deployTargetEnvironmentNameList', detail: `unknown environment(s): ${unknown.join(', ')}` },
        ]);
      }
    }
    if (options.endpointMap) {
      for (const [from, to] of Object.entries(options.endpointMap)) {
        if (typeof to !== 'string' || !/^https?:\/\//.test(to) || !/^https?:\/\//.test(from)) {
          throw new ValidationError('endpointMap maps http(s) address prefixes to http(s) addresses.', [
            { pointer: `/endpointMap/${from.replace(/~/g, '~0').replace(/\//g, '~1')}`, detail: 'keys and values must be http(s) URLs' },
          ]);
        }
      }
    }
    return this.jobs.create(caller, {
      kind: JobKind.ArchiveImport,
      projectId: project.id,
      payload: {
        projectId: project.id,
        projectName: project.name,
        uploadId: upload.id,
        objectKey: upload.object_key,
        conflicts,
        dryRun: options.dryRun ?? false,
        ...(options.routing ? { routing: JSON.parse(JSON.stringify(options.routing)) } : {}),
        ...(options.maintenanceMode !== undefined ? { maintenanceMode: options.maintenanceMode } : {}),
        ...(options.endpointMap ? { endpointMap: options.endpointMap } : {}),
        ...(options.passphrase ? { sealedPassphrase: this.secretBox.seal(options.passphrase) } : {}),
        deploy: options.deploy ?? false,
        deployTargetEnvironmentNameList: targets,
        ...(request.clashFailsAsset ? { clashFailsAsset: true } : {}),
        ...(request.preserveAssetState ? { preserveAssetState: true } : {}),
      },
      idempotencyKey: request.idempotencyKey,
      fingerprint: request.fingerprint,
      webhook: options.webhook,
    });
  }

  /** A presigned link to a finished export's archive or OpenAPI document. */
  async artifactUrl(jobId: string, view: { kind: string; state: string; result: Record<string, unknown> | null }): Promise<string> {
    if (!EXPORT_KINDS.includes(view.kind)) throw new NotFoundError(`Job ${jobId} is not an export and has no artifact.`);
    if (view.state !== 'succeeded') throw new ConflictError(`Job ${jobId} is ${view.state}; its artifact exists once it has succeeded.`).with({ state: view.state });
    const artifact = view.result?.artifact as { key: string; fileName: string } | undefined;
    if (!artifact || !(await this.store.head(artifact.key))) throw new NotFoundError(`The artifact of job ${jobId} has expired.`);
    return this.store.presignGet(artifact.key, this.config.s3.presignTtlSeconds, { filename: artifact.fileName });
  }
}
