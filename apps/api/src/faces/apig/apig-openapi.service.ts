import { randomUUID } from 'node:crypto';
import { Transform, type Readable } from 'node:stream';
import { Inject, Injectable } from '@nestjs/common';
import { AssetRepository, EnvironmentRepository, ProjectRepository, type ProjectRow } from '#catalog';
import { APP_CONFIG, type AppConfig } from '#config';
import { hasPermission, isUuid, Permission, type Principal } from '#core';
import { JobKind, type OpenApiExportPayload, type OpenApiImportPayload } from '#jobs';
import { DEFINES, DOCUMENT_FORMATS, IMPORT_MODES, MAX_DOCUMENT_BYTES, OAS_VERSIONS } from '#openapi';
import { ObjectStore } from '#storage';
import type { JobView } from '../../jobs/job-view.js';
import { JobsService } from '../../jobs/jobs.service.js';
import { ApigCode, ApigError } from './apig-error.js';

const OPENAPI_KINDS: readonly string[] = [JobKind.OpenApiExport, JobKind.OpenApiImport];

export interface ImportFields {
  group_id?: string;
  is_create_group?: string;
  api_mode?: string;
  extend_mode?: string;
  mock_mode?: string;
}

/**
 * The decisions of the APIG face: which group (project) and environment a request means,
 * whether the caller may, and the job that does the work. A group is an apiferry project
 * (group_id = its uuid or name); env_id is an environment of that project.
 */
@Injectable()
export class ApigOpenApiService {
  constructor(
    @Inject(JobsService) private readonly jobs: JobsService,
    @Inject(ProjectRepository) private readonly projects: ProjectRepository,
    @Inject(EnvironmentRepository) private readonly environments: EnvironmentRepository,
    @Inject(AssetRepository) private readonly assets: AssetRepository,
    @Inject(ObjectStore) private readonly store: ObjectStore,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  get syncWaitMs(): number {
    return this.config.archive.syncWaitMs;
  }

  async startExport(caller: Principal, body: unknown): Promise<JobView> {
    if (typeof body !== 'object' || body === null || Array.isArray(body)) throw new ApigError(400, ApigCode.MissingParameter, 'The request body must be a JSON object with group_id.');
    const request = body as Record<string, unknown>;
    const groupId = requiredString(request, 'group_id');
    const define = oneOf(request, 'define', DEFINES, 'spec');
    const format = oneOf(request, 'type', DOCUMENT_FORMATS, 'json');
    const oasVersion = oneOf(request, 'oas_version', OAS_VERSIONS, '2.0');
    const version = optionalString(request, 'version', 64);
    const envId = optionalString(request, 'env_id', 128);
    const apis = request.apis === undefined ? [] : request.apis;
    if (!Array.isArray(apis) || apis.some((a) => typeof a !== 'string' || a === '') || apis.length > 5000) {
      throw new ApigError(400, ApigCode.InvalidParameter, 'apis must be a list of API ids (proxy uuids or names).');
    }
    const group = await this.group(caller, groupId);
    if (envId !== undefined && !(await this.environments.find(group.id, envId))) {
      throw new ApigError(404, ApigCode.EnvironmentNotFound, `Environment "${envId}" does not exist in API group "${group.name}".`);
    }
    const selected = [...new Set(apis as string[])];
    if (selected.length > 0) {
      const found = [
        ...(await this.assets.findByUuids('apiProxy', group.id, selected.filter(isUuid))),
        ...(await this.assets.findByNames('apiProxy', group.id, selected)),
      ];
      const missing = selected.filter((s) => !found.some((p) => p.uuid === s || p.name === s));
      if (missing.length > 0) throw new ApigError(404, ApigCode.ApiNotFound, `No API ${missing.slice(0, 5).map((m) => `"${m}"`).join(', ')} in API group "${group.name}".`);
    }
    const payload: OpenApiExportPayload = {
      projectId: group.id,
      projectName: group.name,
      ...(envId !== undefined ? { environment: envId } : {}),
      apis: selected,
      define,
      format,
      oasVersion,
      ...(version !== undefined ? { version } : {}),
      fileName: `${group.name}${envId ? `-${envId}` : ''}.${format}`,
    };
    const { job } = await this.jobs.create(caller, { kind: JobKind.OpenApiExport, projectId: group.id, payload, fingerprint: ['apig-export', randomUUID()] });
    return job;
  }

  /** Checks the fields and the caller's rights, streams the document to the store, creates the job. */
  async startImport(caller: Principal, fields: ImportFields, file: { stored: string } | undefined): Promise<JobView> {
    const apiMode = oneOf(fields as Record<string, unknown>, 'api_mode', IMPORT_MODES, 'merge');
    const extendMode = oneOf(fields as Record<string, unknown>, 'extend_mode', IMPORT_MODES, 'merge');
    const mockMode = booleanField(fields, 'mock_mode', false);
    const groupId = fields.group_id?.trim() ? fields.group_id.trim() : undefined;
    const createGroup = groupId === undefined;
    const createRequested = booleanField(fields, 'is_create_group', createGroup);
    if (!createGroup && createRequested) {
      throw new ApigError(400, ApigCode.InvalidParameter, 'Give group_id to import into a group, or is_create_group=true without group_id to create one, not both.');
    }
    if (createGroup && !createRequested) throw new ApigError(400, ApigCode.MissingParameter, 'The parameter group_id is missing (is_create_group is false).');
    let group: ProjectRow | undefined;
    if (createGroup) {
      if (!caller.instanceAdmin) throw new ApigError(403, ApigCode.NoPermission, 'Creating an API group (a project) needs an instance admin token; give group_id to import into an existing group.');
    } else {
      group = await this.group(caller, groupId as string);
    }
    if (!file) throw new ApigError(400, ApigCode.MissingParameter, 'The file part with the OpenAPI document is missing.');
    const payload: OpenApiImportPayload = {
      projectId: group?.id ?? null,
      projectName: group?.name ?? '',
      createGroup,
      objectKey: file.stored,
      apiMode,
      extendMode,
      mockMode,
    };
    const { job } = await this.jobs.create(caller, { kind: JobKind.OpenApiImport, projectId: group?.id ?? null, payload, fingerprint: ['apig-import', file.stored] });
    return job;
  }

  /** Streams the uploaded document to the object store, bounded; an empty part is no document. */
  async storeDocument(file: Readable): Promise<{ stored: string } | undefined> {
    const key = `uploads/openapi/${randomUUID()}/document`;
    let bytes = 0;
    const bound = new Transform({
      transform(chunk: Buffer, _encoding, callback) {
        bytes += chunk.length;
        if (bytes > MAX_DOCUMENT_BYTES) callback(new ApigError(413, ApigCode.PayloadTooLarge, `The document is larger than ${MAX_DOCUMENT_BYTES} bytes.`));
        else callback(null, chunk);
      },
    });
    file.once('error', (err) => bound.destroy(err));
    try {
      await this.store.putStream(key, file.pipe(bound), { contentType: 'application/octet-stream' });
    } catch (err) {
      // The bound's own verdict (too large) is what the client needs to hear, not the store's.
      const cause = (err as { cause?: unknown }).cause;
      if (cause instanceof ApigError) throw cause;
      if (bound.errored instanceof ApigError) throw bound.errored;
      throw err;
    }
    if (bytes === 0) {
      await this.store.delete(key).catch(() => undefined);
      return undefined;
    }
    return { stored: key };
  }

  async discardDocument(file: { stored: string }): Promise<void> {
    await this.store.delete(file.stored).catch(() => undefined);
  }

  async task(caller: Principal, taskId: string): Promise<JobView> {
    let job: JobView;
    try {
      job = await this.jobs.get(caller, taskId);
    } catch {
      throw new ApigError(404, ApigCode.TaskNotFound, `Asynchronous task ${taskId} does not exist.`);
    }
    if (!OPENAPI_KINDS.includes(job.kind)) throw new ApigError(404, ApigCode.TaskNotFound, `Asynchronous task ${taskId} does not exist.`);
    return job;
  }

  async waitForTerminal(job: JobView): Promise<JobView> {
    return this.jobs.waitForTerminal(job.id, this.syncWaitMs);
  }

  async downloadUrl(job: JobView): Promise<string | undefined> {
    const artifact = job.result?.artifact as { key: string; fileName: string } | undefined;
    if (!artifact) return undefined;
    return this.store.presignGet(artifact.key, this.config.s3.presignTtlSeconds, { filename: artifact.fileName });
  }

  async artifactStream(job: JobView): Promise<Readable> {
    const artifact = job.result?.artifact as { key: string };
    return this.store.getStream(artifact.key);
  }

  /**
   * A group by uuid or name, with EXPORT_IMPORT checked first: a caller without the right
   * hears the same 403 whether or not the group exists.
   */
  private async group(caller: Principal, groupId: string): Promise<ProjectRow> {
    const row = isUuid(groupId) ? await this.projects.findById(groupId) : undefined;
    const name = row?.name ?? groupId;
    if (!hasPermission(caller, name, Permission.ExportImport)) {
      throw new ApigError(403, ApigCode.NoPermission, `This token lacks ${Permission.ExportImport} on API group "${groupId}".`);
    }
    const group = row ?? (await this.projects.findByName(groupId));
    if (!group) throw new ApigError(404, ApigCode.GroupNotFound, `API group "${groupId}" does not exist.`);
    return group;
  }
}

function requiredString(body: Record<string, unknown>, field: string): string {
  const value = body[field];
  if (value === undefined || value === null || value === '') throw new ApigError(400, ApigCode.MissingParameter, `The parameter ${field} is missing.`);
  if (typeof value !== 'string') throw new ApigError(400, ApigCode.InvalidParameter, `The parameter ${field} must be a string.`);
  return value;
}

function optionalString(body: Record<string, unknown>, field: string, maxLength: number): string | undefined {
  const value = body[field];
  if (value === undefined || value === null || value === '') return undefined;
  if (typeof value !== 'string' || value.length > maxLength) throw new ApigError(400, ApigCode.InvalidParameter, `The parameter ${field} must be a string of at most ${maxLength} characters.`);
  return value;
}

function oneOf<T extends string>(body: Record<string, unknown>, field: string, allowed: readonly T[], fallback: T): T {
  const value = body[field];
  if (value === undefined || value === null || value === '') return fallback;
  if (!allowed.includes(value as T)) throw new ApigError(400, ApigCode.InvalidParameter, `The parameter ${field} must be one of ${allowed.join(', ')}.`);
  return value as T;
}

function booleanField(fields: ImportFields, field: keyof ImportFields, fallback: boolean): boolean {
  const value = fields[field];
  if (value === undefined || value === '') return fallback;
  if (value === 'true' || value === 'false') return value === 'true';
  throw new ApigError(400, ApigCode.InvalidParameter, `The parameter ${field} must be true or false.`);
}
