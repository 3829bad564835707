import { randomUUID } from 'node:crypto';
import { Inject, Injectable } from '@nestjs/common';
import { sql } from 'kysely';
import { AssetRepository, CATALOG_DB, type CatalogDb, type ProjectRow } from '#catalog';
import { ApiProxyModel, ConflictError, DomainError, NotFoundError, requiredReferences, validateModel, type AssetReference } from '#core';
import { JobKind, type OpenApiImportPayload } from '#jobs';
import {
  groupNameFromTitle,
  InvalidOpenApiDocumentError,
  looksLikeZip,
  MAX_DOCUMENT_BYTES,
  openApiToProxies,
  planOpenApiImport,
  readDescriptionZip,
  readOpenApiBundle,
  readOpenApiDocument,
  type OpenApiImportPlan,
  type OperationOutcome,
  type ProxyDocument,
} from '#openapi';
import { ObjectStore } from '#storage';
import type { JobContext, JobHandler } from '../job-handler.js';
import { OpenApiCatalogRepository } from './openapi-catalog.repository.js';

/** What the job records: neutral outcomes the APIG face (or /v1) turns into its own shape. */
export interface OpenApiImportResult {
  group: { id: string; name: string; created: boolean };
  operations: OperationOutcome[];
  proxies: { uuid: string; name: string; action: 'create' | 'replace' }[];
  counts: { success: number; failure: number; ignore: number };
  warnings: string[];
  sourceVersion: string;
  /** Only a /v1 dry run: the report of what the import would do; nothing was written. */
  dryRun?: true;
}

/**
 * Imports one OpenAPI document into an API group. The document is read, validated and
 * converted before anything changes; the plan (api_mode / extend_mode) is then applied in
 * one transaction under the project's import lock, the group created inside it when asked,
 * and the job's success commits with it. A refused document leaves the catalog as it was.
 */
@Injectable()
export class OpenApiImportHandler implements JobHandler<JobKind.OpenApiImport> {
  readonly kind = JobKind.OpenApiImport;
  private readonly catalog: OpenApiCatalogRepository;

  constructor(
    @Inject(CATALOG_DB) private readonly db: CatalogDb,
    @Inject(AssetRepository) private readonly assets: AssetRepository,
    @Inject(ObjectStore) private readonly store: ObjectStore,
  ) {
    this.catalog = new OpenApiCatalogRepository(db);
  }

  async run(context: JobContext<JobKind.OpenApiImport>): Promise<Record<string, unknown>> {
    try {
      const result = await this.importDocument(context);
      await this.store.delete(context.payload.objectKey).catch(() => undefined);
      return result as unknown as Record<string, unknown>;
    } catch (err) {
      // A permanent failure will not be retried: the uploaded document has served its purpose.
      if (err instanceof DomainError && err.permanent) await this.store.delete(context.payload.objectKey).catch(() => undefined);
      throw err;
    }
  }

  private async importDocument(context: JobContext<JobKind.OpenApiImport>): Promise<OpenApiImportResult> {
    const { payload } = context;
    await context.progress('reading document', 0, null);
    const upload = await this.uploadedBytes(payload.objectKey);
    // A ZIP is a multi-file description (a folder): its $refs resolve inside the ZIP only.
    const zipped = looksLikeZip(upload) ? await readDescriptionZip(upload) : undefined;
    const read = zipped ? await readOpenApiBundle(zipped.files, zipped.root) : await readOpenApiDocument(upload.toString('utf8'));
    if (zipped) read.warnings.unshift(...zipped.warnings);
    let converted;
    try {
      converted = openApiToProxies(read.document, read.version);
    } catch (err) {
      throw new InvalidOpenApiDocumentError(`The document cannot be read as API operations: ${(err as Error).message}`);
    }
    if (converted.operations.length === 0) {
      throw new InvalidOpenApiDocumentError(
        `The document defines no API operation (${converted.pathCount} path(s)), so there is nothing to import.${converted.warnings.length > 0 ? ` ${converted.warnings.join(' ')}` : ''}`,
      ).with({ warnings: converted.warnings });
    }
    const warnings = [...read.warnings, ...converted.warnings];
    if (payload.mockMode) warnings.push('mock_mode is accepted but apiferry has no mock backends: the imported APIs call the backend the document names.');

    let result: OpenApiImportResult | undefined;
    await this.db.transaction().execute(async (trx) => {
      const group = await this.group(payload, read.document, trx);
      // Two imports into one project never interleave (the archive import takes the same lock).
      await sql`select pg_advisory_xact_lock(hashtext(${`apiferry:import:${group.row.id}`}))`.execute(trx);
      const existing: (ProxyDocument & { uuid: string })[] = [];
      for await (const batch of this.assets.stream('apiProxy', group.row.id, trx, 2000)) {
        for (const record of batch) existing.push(definitionOf(record.doc) as ProxyDocument & { uuid: string });
      }
      const plan = planOpenApiImport(converted, existing, { apiMode: payload.apiMode, extendMode: payload.extendMode }, randomUUID);
      if (payload.failOnConflict) refuseConflicts(plan, group.row.name);
      const proxies: OpenApiImportResult['proxies'] = [];
      let done = 0;
      await context.progress('importing', 0, plan.writes.length);
      for (const write of plan.writes) {
        let problem: string | undefined;
        try {
          await validateModel(ApiProxyModel, write.doc, `API proxy "${write.doc.name}"`);
          problem = await this.missingSharedPolicy(group.row, write.doc, trx);
        } catch (err) {
          problem = (err as Error).message;
        }
        if (problem !== undefined) {
          for (const index of write.operations) {
            const outcome = plan.outcomes[index];
            plan.outcomes[index] = { path: outcome.path, method: outcome.method, outcome: 'failure', error: { code: 'invalid', message: problem } };
          }
          continue;
        }
        if (payload.dryRun) {
          // A dry run validates every write as the real import would and writes none.
        } else if (write.action === 'create') await this.assets.insert('apiProxy', group.row.id, write.doc, trx);
        else await this.assets.replace('apiProxy', group.row.id, write.doc.uuid, write.doc, trx);
        proxies.push({ uuid: write.doc.uuid, name: write.doc.name, action: write.action });
        await context.progress('importing', ++done, plan.writes.length);
      }
      const count = (kind: OperationOutcome['outcome']) => plan.outcomes.filter((o) => o.outcome === kind).length;
      result = {
        group: { id: group.row.id, name: group.row.name, created: group.created },
        operations: plan.outcomes,
        proxies,
        counts: { success: count('success'), failure: count('failure'), ignore: count('ignore') },
        warnings: [...warnings, ...plan.warnings],
        sourceVersion: read.version,
        ...(payload.dryRun ? { dryRun: true as const } : {}),
      };
      await context.succeedWithin(trx, result as unknown as Record<string, unknown>);
    });
    return result as OpenApiImportResult;
  }

  /** The target group: the named project, or a new one named from info.title (which must be free). */
  private async group(payload: OpenApiImportPayload, document: Record<string, unknown>, trx: CatalogDb): Promise<{ row: ProjectRow; created: boolean }> {
    if (!payload.createGroup) {
      const row = payload.projectId ? await this.catalog.findProjectById(payload.projectId, trx) : undefined;
      if (!row) throw new NotFoundError(`API group "${payload.projectName}" no longer exists.`).with({ apigCode: 'APIG.3001' });
      return { row, created: false };
    }
    const info = (document.info ?? {}) as { title?: unknown; description?: unknown };
    const name = typeof info.title === 'string' ? groupNameFromTitle(info.title) : undefined;
    if (!name) throw new InvalidOpenApiDocumentError('info.title is needed to name the new API group, and it holds no letter or digit.');
    // Serialise group creation by name, so two imports of one title cannot both create it.
    await sql`select pg_advisory_xact_lock(hashtext(${`apiferry:group:${name.toLowerCase()}`}))`.execute(trx);
    if (await this.catalog.findProjectByName(name, trx)) {
      throw new ConflictError(`An API group named "${name}" (from info.title) already exists; import into it with group_id, or change the title.`).with({ apigCode: 'APIG.3201', groupName: name });
    }
    const description = typeof info.description === 'string' ? info.description.slice(0, 2000) : '';
    return { row: await this.catalog.createProject(name, description, trx), created: true };
  }

  /**
   * A proxy's flows may name shared policies; a document cannot carry them, so they must
   * exist in the group already. A missing one fails the proxy (as a missing dependency fails
   * its dependents in an archive import) instead of leaving a dangling reference.
   */
  private async missingSharedPolicy(group: ProjectRow, doc: Record<string, unknown>, trx: CatalogDb): Promise<string | undefined> {
    const references = requiredReferences('apiProxy', doc).filter((r): r is AssetReference => r.type === 'policy');
    if (references.length === 0) return undefined;
    const found = [
      ...(await this.assets.findByUuids('policy', group.id, references.flatMap((r) => (r.uuid ? [r.uuid] : [])), trx)),
      ...(await this.assets.findByNames('policy', group.id, references.map((r) => r.name), trx)),
    ];
    const missing = references.find((r) => !found.some((p) => (r.uuid !== undefined && p.uuid === r.uuid) || p.name === r.name));
    if (!missing) return undefined;
    return `API proxy "${String(doc.name)}" uses the shared policy "${missing.name}", which API group "${group.name}" does not have; an OpenAPI document does not carry shared policies, so import them (with an archive) first.`;
  }

  private async uploadedBytes(key: string): Promise<Buffer> {
    const chunks: Buffer[] = [];
    let size = 0;
    for await (const chunk of await this.store.getStream(key)) {
      size += (chunk as Buffer).length;
      if (size > MAX_DOCUMENT_BYTES) throw new InvalidOpenApiDocumentError('The document is larger than this service accepts.');
      chunks.push(chunk as Buffer);
    }
    return Buffer.concat(chunks);
  }
}

/**
 * conflicts "fail" on /v1: an operation the project already serves, or a proxy of the
 * document that exists already, fails the whole import before anything is written.
 */
function refuseConflicts(plan: OpenApiImportPlan, projectName: string): void {
  const operations = plan.outcomes.filter((o) => o.outcome === 'ignore').map((o) => `${o.method} ${o.path}`);
  const proxies = plan.writes.filter((w) => w.action === 'replace').map((w) => w.doc.name);
  if (operations.length === 0 && proxies.length === 0) return;
  const named = [...proxies.map((name) => `API proxy "${name}"`), ...operations.map((route) => `operation ${route}`)];
  throw new ConflictError(
    `${named.slice(0, 5).join(', ')}${named.length > 5 ? ` and ${named.length - 5} more` : ''} already exist${named.length === 1 ? 's' : ''} in project "${projectName}"; import with conflicts "keep" (merge) or "overwrite" (override), or into an empty project.`,
  ).with({ conflicts: { apiProxies: proxies.slice(0, 100), operations: operations.slice(0, 100) } });
}

/** A catalog proxy document without the fields a catalog read adds. */
function definitionOf(doc: Record<string, unknown>): Record<string, unknown> {
  const { revision: _r, createdAt: _c, updatedAt: _u, deployments: _d, ...rest } = doc;
  return rest;
}
