import type {} from '@fastify/multipart';
import { Inject, Injectable } from '@nestjs/common';
import type { FastifyRequest } from 'fastify';
import { ApiProxyRepository, AssetRepository, ProjectRepository, type ProjectRow, type UploadRow } from '#catalog';
import { hasPermission, isUuid, NotFoundError, Permission, ValidationError, type Principal } from '#core';
import { ArchivesService } from '../../archives/archives.service.js';
import { UploadsService } from '../../archives/uploads.service.js';
import { ProjectAccess } from '../../common/project-access.service.js';
import type { CreatedJob } from '../../jobs/jobs.service.js';
import { SyncJobs } from '../sync-job.js';
import type { PackageOptions } from './package-options.js';
import { parseEndpointProperties, PROPERTIES_MAX_BYTES } from './properties-file.js';

export const PACKAGE_FILE_NAME = 'api-export.zip';

/**
 * The package face's decisions: which API (by uuid, in which project), which of its
 * versions, which options; and, on import, the package and its properties file. Jobs are
 * made by the same ArchivesService the native API uses.
 */
@Injectable()
export class PackageService {
  constructor(
    @Inject(ArchivesService) private readonly archives: ArchivesService,
    @Inject(UploadsService) private readonly uploads: UploadsService,
    @Inject(ProjectAccess) private readonly access: ProjectAccess,
    @Inject(ProjectRepository) private readonly projects: ProjectRepository,
    @Inject(ApiProxyRepository) private readonly proxies: ApiProxyRepository,
    @Inject(AssetRepository) private readonly assets: AssetRepository,
    @Inject(SyncJobs) private readonly sync: SyncJobs,
  ) {}

  /** One API (all its versions, or the one `exportVersion` names) with what the options ask for. */
  async exportApi(caller: Principal, apiId: string, projectName: string | undefined, exportVersion: string | undefined, options: PackageOptions, passphrase: string | undefined): Promise<CreatedJob> {
    checkPassphrase(options, passphrase);
    const project = await this.projectOfApi(caller, apiId, projectName);
    const versions = await this.versionsOf(project, apiId);
    const wanted = exportVersion === undefined || exportVersion.trim() === '' ? versions : versions.filter((v) => v.uuid === exportVersion || v.version === exportVersion);
    if (wanted.length === 0) throw new NotFoundError(`API ${apiId} has no version "${exportVersion}".`);
    return this.startExport(caller, project, wanted.map((v) => v.uuid), options, passphrase, ['api', apiId, exportVersion ?? '*']);
  }

  /** A business (an apiferry project) with every API in it. */
  async exportBusiness(caller: Principal, businessId: string, options: PackageOptions, passphrase: string | undefined): Promise<CreatedJob> {
    checkPassphrase(options, passphrase);
    const project = await this.access.require(caller, businessId, Permission.ExportImport);
    return this.startExport(caller, project, '*', options, passphrase, ['business', businessId]);
  }

  /**
   * Streams the `Package` part to the object store and reads the optional properties file
   * (a `Properties` file part or field) into the import's endpoint map. Existing APIs and
   * their shared assets are updated; new ones are created.
   */
  async importPackage(caller: Principal, tenant: string, request: FastifyRequest, passphrase: string | undefined): Promise<CreatedJob> {
    const project = await this.access.require(caller, tenant, Permission.ExportImport);
    if (!request.isMultipart()) throw new ValidationError('The import must be multipart/form-data with the package in the Package part.');
    let stored: UploadRow | undefined;
    let properties: string | undefined;
    try {
      for await (const part of request.parts({ limits: { files: 2 } })) {
        const name = part.fieldname.toLowerCase();
        if (part.type === 'file' && name === 'package' && stored === undefined) stored = await this.uploads.storeStream(caller, project, part.filename, part.file);
        else if (part.type === 'file' && name === 'properties' && properties === undefined) properties = await readSmallText(part.file);
        else if (part.type === 'file') part.file.resume();
        else if (name === 'properties') properties = String(part.value);
      }
      if (!stored) throw new ValidationError('The Package part is required.');
      const endpointMap = properties === undefined ? {} : parseEndpointProperties(properties);
      return await this.archives.startImport(
        caller,
        project,
        stored,
        { conflicts: 'overwrite', ...(Object.keys(endpointMap).length > 0 ? { endpointMap } : {}), ...(passphrase ? { passphrase } : {}) },
        { fingerprint: ['package-import', stored.id] },
      );
    } catch (err) {
      if (stored) await this.sync.discardUpload(stored.object_key);
      throw err;
    }
  }

  private async startExport(caller: Principal, project: ProjectRow, proxies: string[] | '*', options: PackageOptions, passphrase: string | undefined, fingerprint: unknown[]): Promise<CreatedJob> {
    return this.archives.startExport(
      caller,
      project,
      {
        proxies: proxies === '*' ? [] : proxies,
        include: { applications: options.connections, resources: options.resources, scopes: options.scopes, deploymentState: false, secrets: passphrase !== undefined },
        ...(passphrase ? { passphrase } : {}),
        fileName: PACKAGE_FILE_NAME,
      },
      {
        fingerprint: ['package-export', project.name, ...fingerprint, options, Date.now()],
        vendorCopy: false,
        selection: { apiProxy: proxies, policy: [], alias: [], application: [] },
        packageOptions: { operationalPolicies: options.operationalPolicies, qosPolicies: options.qosPolicies, pki: options.pki, admins: options.admins, services: options.services },
      },
    );
  }

  /**
   * The vendor's API id names no project: the project comes from `project` (query or
   * header), or is the one project visible to the caller that holds the API. An API the
   * caller may not export answers exactly like one that does not exist.
   */
  private async projectOfApi(caller: Principal, apiId: string, projectName: string | undefined): Promise<ProjectRow> {
    const missing = new NotFoundError(`API ${apiId} was not found.`);
    if (!isUuid(apiId)) throw missing;
    if (projectName !== undefined && projectName.trim() !== '') return this.access.require(caller, projectName.trim(), Permission.ExportImport);
    const holders = [];
    for (const projectId of await this.proxies.projectIdsHolding(apiId)) {
      const project = await this.projects.findById(projectId);
      if (project && hasPermission(caller, project.name, Permission.ExportImport)) holders.push(project);
    }
    if (holders.length === 0) throw missing;
    if (holders.length > 1) {
      throw new ValidationError(`API ${apiId} is held by several projects (${holders.map((p) => `"${p.name}"`).join(', ')}); name one with the project query parameter or the X-Apiferry-Project header.`);
    }
    return holders[0];
  }

  /** Versions of an API: the first version (the root) and every proxy that names it in versionOf. */
  private async versionsOf(project: ProjectRow, apiId: string): Promise<{ uuid: string; version: string }[]> {
    const [api] = await this.assets.findByUuids('apiProxy', project.id, [apiId]);
    if (!api) throw new NotFoundError(`API ${apiId} was not found.`);
    const root = (api.doc.versionOf as { uuid?: string } | undefined)?.uuid ?? api.uuid;
    const versions = await this.proxies.versionsOf(project.id, root);
    return versions.length > 0 ? versions : [{ uuid: api.uuid, version: String(api.doc.version ?? '') }];
  }
}

function checkPassphrase(options: PackageOptions, passphrase: string | undefined): void {
  if (passphrase !== undefined && (passphrase.length < 8 || passphrase.length > 1024)) {
    throw new ValidationError('The X-Apiferry-Passphrase header must hold 8 to 1024 characters.');
  }
  if (options.pki && passphrase === undefined) {
    throw new ValidationError('migration.pki.export needs a passphrase in the X-Apiferry-Passphrase header to seal the private keys with.');
  }
}

async function readSmallText(stream: NodeJS.ReadableStream): Promise<string> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of stream) {
    size += (chunk as Buffer).length;
    if (size > PROPERTIES_MAX_BYTES) throw new ValidationError(`The properties file is larger than ${PROPERTIES_MAX_BYTES} bytes.`);
    chunks.push(chunk as Buffer);
  }
  return Buffer.concat(chunks).toString('utf8');
}
