import { Readable } from 'node:stream';
import { Inject, Injectable } from '@nestjs/common';
import { AssetRepository, CATALOG_DB, type AssetRecord, type CatalogDb } from '#catalog';
import { isUuid } from '#core';
import { JobKind } from '#jobs';
import { CONTENT_TYPES, proxiesToOpenApi, serializeDocument, validateExportedDocument, type ProxyDocument } from '#openapi';
import { ObjectStore } from '#storage';
import type { JobContext, JobHandler } from '../job-handler.js';
import { artifactKey } from './archive-export.handler.js';
import { OpenApiCatalogRepository } from './openapi-catalog.repository.js';

/**
 * Writes an API group as one OpenAPI document: the proxies deployed in an environment, the
 * selected ones, or all of the project, read in one repeatable-read snapshot. The document
 * is validated with the same parser the import uses before it is stored as the artifact.
 */
@Injectable()
export class OpenApiExportHandler implements JobHandler<JobKind.OpenApiExport> {
  readonly kind = JobKind.OpenApiExport;
  private readonly catalog: OpenApiCatalogRepository;

  constructor(
    @Inject(CATALOG_DB) private readonly db: CatalogDb,
    @Inject(AssetRepository) private readonly assets: AssetRepository,
    @Inject(ObjectStore) private readonly store: ObjectStore,
  ) {
    this.catalog = new OpenApiCatalogRepository(db);
  }

  async run(context: JobContext<JobKind.OpenApiExport>): Promise<Record<string, unknown>> {
    const { payload, job, signal } = context;
    await context.progress('reading proxies', 0, null);
    const proxies = await this.db
      .transaction()
      .setIsolationLevel('repeatable read')
      .setAccessMode('read only')
      .execute(async (trx) => {
        let records: AssetRecord[] = [];
        if (payload.apis.length > 0) {
          records = [
            ...(await this.assets.findByUuids('apiProxy', payload.projectId, payload.apis.filter(isUuid), trx)),
            ...(await this.assets.findByNames('apiProxy', payload.projectId, payload.apis, trx)),
          ];
        } else if (payload.environment === undefined) {
          for await (const batch of this.assets.stream('apiProxy', payload.projectId, trx)) records.push(...batch);
        }
        if (payload.environment !== undefined) {
          const deployed = await this.catalog.deployedProxyUuids(payload.projectId, payload.environment, trx);
          if (payload.apis.length > 0) records = records.filter((r) => deployed.includes(r.uuid));
          else records = await this.assets.findByUuids('apiProxy', payload.projectId, deployed, trx);
        }
        const unique = new Map(records.map((r) => [r.uuid, r]));
        return [...unique.values()].map((r) => serverFieldsStripped(r.doc));
      });
    await context.progress('writing document', 0, proxies.length);
    const exported = proxiesToOpenApi(proxies, {
      oasVersion: payload.oasVersion,
      define: payload.define,
      title: payload.projectName,
      version: payload.version ?? new Date(job.created_at).toISOString(),
    });
    // A document the parser refuses would be our defect; fail loudly rather than hand it out.
    await validateExportedDocument(exported.document);
    const text = serializeDocument(exported.document, payload.format);
    const key = artifactKey(payload.projectId, job.id, payload.fileName);
    const stored = await this.store.putStream(key, Readable.from([Buffer.from(text, 'utf8')]), { contentType: CONTENT_TYPES[payload.format], signal });
    await context.progress('writing document', proxies.length, proxies.length);
    return {
      artifact: { key, fileName: payload.fileName, size: stored.size, contentType: CONTENT_TYPES[payload.format] },
      counts: { apis: proxies.length, operations: exported.operations },
      warnings: exported.warnings,
      define: payload.define,
      oasVersion: payload.oasVersion,
      format: payload.format,
      ...(payload.environment !== undefined ? { environment: payload.environment } : {}),
    };
  }
}

/** Fields a catalog read adds that are not part of a proxy's definition. */
function serverFieldsStripped(doc: Record<string, unknown>): ProxyDocument {
  const { revision: _r, createdAt: _c, updatedAt: _u, deployments: _d, ...rest } = doc;
  return rest as ProxyDocument;
}
