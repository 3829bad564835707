import { sql, type Kysely, type Selectable } from 'kysely';
import type { CatalogDb } from '../database.js';
import type { ApiProxyTable } from '../schema.js';
import { apiProxyColumns } from './asset.repository.js';
import { decodeCursor, toPage, type Page } from './pagination.js';

export type ApiProxyRow = Selectable<ApiProxyTable>;

/** A proxy document as the proxy API writes it: its definition with its uuid and name. */
export type ApiProxyWrite = Record<string, unknown> & { uuid: string; name: string };

/**
 * The proxy API's reads and writes of api_proxies, answering whole rows (revision and
 * timestamps included). Documents map to columns through apiProxyColumns, the mapping the
 * import's AssetRepository uses, so a proxy written by either reads back the same.
 */
export class ApiProxyRepository {
  constructor(private readonly db: CatalogDb) {}

  async create(projectId: string, proxy: ApiProxyWrite): Promise<ApiProxyRow> {
    return (this.db as Kysely<any>)
      .insertInto('api_proxies')
      .values({ project_id: projectId, uuid: proxy.uuid, name: proxy.name, revision: 1, ...apiProxyColumns(proxy) })
      .returningAll()
      .executeTakeFirstOrThrow() as Promise<ApiProxyRow>;
  }

  /** Replaces the whole definition and bumps the revision. */
  async replace(projectId: string, uuid: string, proxy: ApiProxyWrite): Promise<ApiProxyRow | undefined> {
    return (this.db as Kysely<any>)
      .updateTable('api_proxies')
      .set({ name: proxy.name, ...apiProxyColumns(proxy), revision: sql<number>`revision + 1`, updated_at: new Date() })
      .where('project_id', '=', projectId)
      .where('uuid', '=', uuid)
      .returningAll()
      .executeTakeFirst() as Promise<ApiProxyRow | undefined>;
  }

  async findByName(projectId: string, name: string): Promise<ApiProxyRow | undefined> {
    return this.db
      .selectFrom('api_proxies')
      .selectAll()
      .where('project_id', '=', projectId)
      .where('name', '=', name)
      .executeTakeFirst();
  }

  async findByUuid(projectId: string, uuid: string): Promise<ApiProxyRow | undefined> {
    return this.db
      .selectFrom('api_proxies')
      .selectAll()
      .where('project_id', '=', projectId)
      .where('uuid', '=', uuid)
      .executeTakeFirst();
  }

  /** The projects holding a proxy with this uuid (a uuid is kept across projects). */
  async projectIdsHolding(uuid: string): Promise<string[]> {
    const rows = await this.db.selectFrom('api_proxies').select('project_id').where('uuid', '=', uuid).execute();
    return rows.map((r) => r.project_id);
  }

  /** The versions of an API: its first version (`rootUuid`) and every proxy whose versionOf names it. */
  async versionsOf(projectId: string, rootUuid: string): Promise<{ uuid: string; version: string }[]> {
    return this.db
      .selectFrom('api_proxies')
      .select(['uuid', 'version'])
      .where('project_id', '=', projectId)
      .where((eb) => eb.or([eb('uuid', '=', rootUuid), eb(sql<string>`definition->'versionOf'->>'uuid'`, '=', rootUuid)]))
      .orderBy('name')
      .execute();
  }

  async list(projectId: string, opts: { limit: number; cursor?: string }): Promise<Page<ApiProxyRow>> {
    const after = decodeCursor(opts.cursor, 1);
    let query = this.db
      .selectFrom('api_proxies')
      .selectAll()
      .where('project_id', '=', projectId)
      .orderBy('name')
      .limit(opts.limit + 1);
    if (after) query = query.where('name', '>', after[0] as string);
    return toPage(await query.execute(), opts.limit, (row) => [row.name]);
  }

  async delete(projectId: string, uuid: string): Promise<boolean> {
    const result = await this.db
      .deleteFrom('api_proxies')
      .where('project_id', '=', projectId)
      .where('uuid', '=', uuid)
      .executeTakeFirst();
    return result.numDeletedRows > 0n;
  }
}
