import type {} from '@fastify/multipart';
import { Inject, Injectable } from '@nestjs/common';
import type { FastifyRequest } from 'fastify';
import { AssetRepository, type ProjectRow } from '#catalog';
import { isUuid, NotFoundError, Permission, requiredReferences, ValidationError, validateModel, type AssetKind, type Principal } from '#core';
import type { AssetSelection } from '#jobs';
import { ArchivesService } from '../../archives/archives.service.js';
import { readFormUpload } from '../../archives/form-upload.js';
import { UploadsService } from '../../archives/uploads.service.js';
import { ProjectAccess } from '../../common/project-access.service.js';
import type { CreatedJob } from '../../jobs/jobs.service.js';
import { SyncJobs } from '../sync-job.js';
import { ArchiveSearchDto } from './archive-search.dto.js';
import { assetTypeOf, namePattern, parseFlag, parseIdList, parseOverwrite, VENDOR_TYPE } from './asset-selection.js';

export const ARCHIVE_FILE_NAME = 'apigateway-archive.zip';
const TYPES: readonly AssetKind[] = ['apiProxy', 'policy', 'alias', 'application'];

export interface ArchiveQuery {
  apis?: string | string[];
  policies?: string | string[];
  aliases?: string | string[];
  applications?: string | string[];
  includeOptionalDependencies?: string;
}

export interface ImportQuery {
  overwrite?: string;
  preserveAssetState?: string;
}

/**
 * The asset-archive face's decisions: which project (the vendor has none in its paths),
 * which assets a query or search names, and the import options in apiferry's terms. Jobs
 * are made by the same ArchivesService the native API uses.
 */
@Injectable()
export class AssetArchiveService {
  constructor(
    @Inject(ArchivesService) private readonly archives: ArchivesService,
    @Inject(UploadsService) private readonly uploads: UploadsService,
    @Inject(ProjectAccess) private readonly access: ProjectAccess,
    @Inject(AssetRepository) private readonly assets: AssetRepository,
    @Inject(SyncJobs) private readonly sync: SyncJobs,
  ) {}

  /** The project comes from the `project` query parameter or the `X-Apiferry-Project` header. */
  async project(caller: Principal, fromQuery: string | undefined, fromHeader: string | undefined): Promise<ProjectRow> {
    const name = (fromQuery ?? fromHeader ?? '').trim();
    if (name === '') throw new ValidationError('Name the project with the "project" query parameter or the X-Apiferry-Project header.');
    return this.access.require(caller, name, Permission.ExportImport);
  }

  async exportByIds(caller: Principal, project: ProjectRow, query: ArchiveQuery, passphrase: string | undefined): Promise<CreatedJob> {
    const wanted: Record<AssetKind, string[] | '*'> = {
      apiProxy: parseIdList(query.apis, 'apis'),
      policy: parseIdList(query.policies, 'policies'),
      alias: parseIdList(query.aliases, 'aliases'),
      application: parseIdList(query.applications, 'applications'),
    };
    if (TYPES.every((t) => wanted[t] !== '*' && wanted[t].length === 0)) {
      throw new ValidationError('Name the assets to export: apis, policies, aliases or applications (ids, names or *).');
    }
    const optional = parseFlag(query.includeOptionalDependencies, 'includeOptionalDependencies', false);
    return this.startExport(caller, project, await this.resolve(project, wanted), optional, passphrase, ['GET', query]);
  }

  async exportBySearch(caller: Principal, project: ProjectRow, body: unknown, passphrase: string | undefined): Promise<CreatedJob> {
    const search = await validateModel(ArchiveSearchDto, body ?? {}, 'search');
    const patterns = (search.scope ?? []).map((s) => namePattern(s.keyword));
    const wanted: Record<AssetKind, string[] | '*'> = { apiProxy: [], policy: [], alias: [], application: [] };
    for (const type of new Set(search.types.map((word) => assetTypeOf(word, 'types')))) {
      if (patterns.length === 0) {
        wanted[type] = '*';
        continue;
      }
      wanted[type] = await this.assets.uuidsNamedLike(type, project.id, patterns, search.condition === 'and' ? 'all' : 'any');
    }
    if (TYPES.every((t) => wanted[t] !== '*' && wanted[t].length === 0)) throw new NotFoundError('No asset of the requested types matches the search.');
    return this.startExport(caller, project, await this.resolve(project, wanted), search.includeOptionalDependencies ?? false, passphrase, ['POST', search]);
  }

  /**
   * Streams the `zipFile` part to the object store, then starts an import in which a clash
   * fails only the clashing asset (unless its type is named in `overwrite`).
   */
  async importArchive(caller: Principal, project: ProjectRow, request: FastifyRequest, query: ImportQuery, passphrase: string | undefined): Promise<CreatedJob> {
    if (!request.isMultipart()) throw new ValidationError('The import must be multipart/form-data with the archive in the zipFile part.');
    checkPassphrase(passphrase);
    const form = await readFormUpload(request, (field) => field === 'zipFile', (fileName, stream) => this.uploads.storeStream(caller, project, fileName, stream));
    if (!form.stored) throw new ValidationError('The zipFile part is required.');
    try {
      const conflicts = parseOverwrite(form.fields.overwrite ?? query.overwrite);
      const preserveAssetState = parseFlag(form.fields.preserveAssetState ?? query.preserveAssetState, 'preserveAssetState', false);
      return await this.archives.startImport(
        caller,
        project,
        form.stored,
        { conflicts, ...(passphrase ? { passphrase } : {}) },
        { fingerprint: ['asset-archive-import', form.stored.id], clashFailsAsset: true, preserveAssetState },
      );
    } catch (err) {
      await this.sync.discardUpload(form.stored.object_key);
      throw err;
    }
  }

  private async startExport(
    caller: Principal,
    project: ProjectRow,
    selection: AssetSelection,
    includeOptional: boolean,
    passphrase: string | undefined,
    fingerprint: unknown[],
  ): Promise<CreatedJob> {
    checkPassphrase(passphrase);
    return this.archives.startExport(
      caller,
      project,
      {
        proxies: selection.apiProxy === '*' ? [] : selection.apiProxy,
        // The vendor's archives carry everything about an API, and its state for preserveAssetState.
        include: { applications: includeOptional, resources: true, scopes: true, deploymentState: true, secrets: passphrase !== undefined },
        ...(passphrase ? { passphrase } : {}),
        fileName: ARCHIVE_FILE_NAME,
      },
      { fingerprint: ['asset-archive-export', project.name, ...fingerprint, Date.now()], vendorCopy: false, selection },
    );
  }

  /**
   * Every named asset must exist (by uuid or name). Applications need the APIs they
   * subscribe to, so a named application brings them along as required dependencies.
   */
  private async resolve(project: ProjectRow, wanted: Record<AssetKind, string[] | '*'>): Promise<AssetSelection> {
    const selection = { ...wanted } as AssetSelection;
    for (const type of TYPES) {
      const ids = wanted[type];
      if (ids === '*' || ids.length === 0) continue;
      const found = [...(await this.assets.findByUuids(type, project.id, ids.filter(isUuid))), ...(await this.assets.findByNames(type, project.id, ids))];
      const missing = ids.filter((id) => !found.some((a) => a.uuid === id || a.name === id));
      if (missing.length > 0) {
        throw new NotFoundError(`No ${VENDOR_TYPE[type]} ${missing.slice(0, 5).map((m) => `"${m}"`).join(', ')}${missing.length > 5 ? ' ...' : ''} in project "${project.name}".`);
      }
      selection[type] = [...new Set(found.map((a) => a.uuid))];
      if (type === 'application' && selection.apiProxy !== '*') {
        const subscribed = found.flatMap((app) => requiredReferences('application', app.doc));
        const proxies = [
          ...(await this.assets.findByUuids('apiProxy', project.id, subscribed.flatMap((s) => (s.uuid ? [s.uuid] : [])))),
          ...(await this.assets.findByNames('apiProxy', project.id, subscribed.map((s) => s.name))),
        ];
        selection.apiProxy = [...new Set([...selection.apiProxy, ...proxies.map((p) => p.uuid)])];
      }
    }
    return selection;
  }
}

function checkPassphrase(passphrase: string | undefined): void {
  if (passphrase !== undefined && (passphrase.length < 8 || passphrase.length > 1024)) {
    throw new ValidationError('The X-Apiferry-Passphrase header must hold 8 to 1024 characters.');
  }
}
