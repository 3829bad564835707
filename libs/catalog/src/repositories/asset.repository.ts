import { sql, type Kysely } from 'kysely';
import type { CatalogDb } from '../database.js';
import type { Database } from '../schema.js';

/**
 * The four asset types an archive carries, through one interface. An asset is a plain
 * JSON document (`doc`) with a uuid and a name; each type maps the document to its table.
 * Secrets are plaintext in a catalog document: sealing them is the archive's job.
 */
export type AssetType = 'apiProxy' | 'policy' | 'alias' | 'application';
export const ASSET_TYPES: readonly AssetType[] = ['alias', 'policy', 'apiProxy', 'application'];

export interface AssetRecord {
  type: AssetType;
  uuid: string;
  name: string;
  doc: Record<string, unknown>;
  revision?: number;
}

type Db = Kysely<Database>;
type Row = Record<string, unknown> & { uuid: string; name: string };
type TableName = 'api_proxies' | 'policies' | 'aliases' | 'applications';

interface AssetMapper {
  table: TableName;
  /** The JSON column holding the bulk of the document (what makes a row big). */
  documentColumn: string;
  toColumns(doc: Record<string, unknown>): Record<string, unknown>;
  toDoc(row: Row): Record<string, unknown>;
}

const json = (value: unknown): string => JSON.stringify(value ?? {});

const MAPPERS: Record<AssetType, AssetMapper> = {
  apiProxy: {
    table: 'api_proxies',
    documentColumn: 'definition',
    toColumns: ({ uuid: _uuid, name: _name, type, basePath, version, revision: _revision, createdAt: _c, updatedAt: _u, deployments: _d, ...rest }) => ({
      type: (type as string) ?? 'REST',
      base_path: basePath as string,
      version: (version as string) ?? '',
      definition: json(rest),
    }),
    toDoc: (row) => ({
      uuid: row.uuid,
      name: row.name,
      type: row.type,
      basePath: row.base_path,
      version: row.version,
      ...(row.definition as Record<string, unknown>),
    }),
  },
  policy: {
    table: 'policies',
    documentColumn: 'config',
    // The policy class lives beside config in the JSON column; absent (operational) is not written.
    toColumns: (doc) => ({ type: doc.type, phase: doc.phase, config: json({ config: doc.config, aliases: doc.aliases ?? [], ...(doc.policyClass ? { policyClass: doc.policyClass } : {}) }) }),
    toDoc: (row) => {
      const stored = row.config as { config: Record<string, unknown>; aliases: unknown[]; policyClass?: string };
      return { uuid: row.uuid, name: row.name, type: row.type, phase: row.phase, config: stored.config, aliases: stored.aliases, ...(stored.policyClass ? { policyClass: stored.policyClass } : {}) };
    },
  },
  alias: {
    table: 'aliases',
    documentColumn: 'value',
    toColumns: (doc) => ({ kind: doc.kind, value: json(doc.value), secrets: json(doc.secrets) }),
    toDoc: (row) => ({ uuid: row.uuid, name: row.name, kind: row.kind, value: row.value, secrets: row.secrets }),
  },
  application: {
    table: 'applications',
    documentColumn: 'definition',
    toColumns: ({ uuid: _uuid, name: _name, secrets, ...rest }) => ({ definition: json(rest), secrets: json(secrets) }),
    toDoc: (row) => ({ uuid: row.uuid, name: row.name, ...(row.definition as Record<string, unknown>), secrets: row.secrets }),
  },
};

/**
 * The api_proxies columns of a proxy document (its uuid and name aside): the one mapping
 * for every writer of that table, the proxy API's and the import's.
 */
export function apiProxyColumns(doc: Record<string, unknown>): Record<string, unknown> {
  return MAPPERS.apiProxy.toColumns(doc);
}

const CHUNK = 1000;

/** Stored document bytes a streamed page aims at (stored jsonb is often compressed: parsed, a page is several times this). */
const STREAM_PAGE_BYTES = 4 * 1024 * 1024;
/** Rows of the first streamed page, before the documents' size is known. */
const FIRST_PAGE_ROWS = 50;

function toRecord(type: AssetType, row: Row): AssetRecord {
  return { type, uuid: row.uuid, name: row.name, doc: MAPPERS[type].toDoc(row), revision: row.revision as number | undefined };
}

export class AssetRepository {
  constructor(private readonly db: CatalogDb) {}

  async findByUuids(type: AssetType, projectId: string, uuids: string[], db: Db = this.db): Promise<AssetRecord[]> {
    return this.findBy(type, projectId, 'uuid', uuids, db);
  }

  async findByNames(type: AssetType, projectId: string, names: string[], db: Db = this.db): Promise<AssetRecord[]> {
    return this.findBy(type, projectId, 'name', names, db);
  }

  /**
   * Pages through a type in name order: exports never hold a whole project in memory. A
   * page holds at most `batchSize` rows and about STREAM_PAGE_BYTES of stored documents, so
   * proxies carrying big inline resources come a few at a time (the first page is small
   * until their size is known).
   */
  async *stream(type: AssetType, projectId: string, db: Db = this.db, batchSize = 500): AsyncGenerator<AssetRecord[]> {
    const { table, documentColumn } = MAPPERS[type];
    let after: string | undefined;
    let limit = Math.min(batchSize, FIRST_PAGE_ROWS);
    for (;;) {
      let query = (db as Kysely<any>)
        .selectFrom(table)
        .selectAll()
        .select(sql<number>`pg_column_size(${sql.ref(documentColumn)})`.as('stored_bytes'))
        .where('project_id', '=', projectId)
        .orderBy('name')
        .limit(limit);
      if (after !== undefined) query = query.where('name', '>', after);
      const rows = (await query.execute()) as (Row & { stored_bytes: number })[];
      if (rows.length === 0) return;
      const storedBytes = rows.reduce((sum, row) => sum + Number(row.stored_bytes), 0);
      yield rows.map((row) => toRecord(type, row));
      after = rows[rows.length - 1].name;
      if (rows.length < limit) return;
      limit = Math.max(1, Math.min(batchSize, Math.floor((STREAM_PAGE_BYTES * rows.length) / Math.max(storedBytes, 1))));
    }
  }

  /**
   * Uuids of the assets whose names match SQL ILIKE patterns (any of them, or all of them),
   * without reading their documents.
   */
  async uuidsNamedLike(type: AssetType, projectId: string, patterns: string[], mode: 'any' | 'all', db: Db = this.db): Promise<string[]> {
    if (patterns.length === 0) return [];
    const rows = (await (db as Kysely<any>)
      .selectFrom(MAPPERS[type].table)
      .select('uuid')
      .where('project_id', '=', projectId)
      .where((eb: any) => (mode === 'all' ? eb.and : eb.or)(patterns.map((p) => eb('name', 'ilike', p))))
      .orderBy('name')
      .execute()) as { uuid: string }[];
    return rows.map((r) => r.uuid);
  }

  async count(type: AssetType, projectId: string, db: Db = this.db): Promise<number> {
    const row = await (db as Kysely<any>)
      .selectFrom(MAPPERS[type].table)
      .select((eb: any) => eb.fn.countAll().as('n'))
      .where('project_id', '=', projectId)
      .executeTakeFirstOrThrow();
    return Number((row as { n: string }).n);
  }

  async insert(type: AssetType, projectId: string, doc: Record<string, unknown> & { uuid: string; name: string }, db: Db = this.db): Promise<void> {
    await (db as Kysely<any>)
      .insertInto(MAPPERS[type].table)
      .values({ project_id: projectId, uuid: doc.uuid, name: doc.name, ...MAPPERS[type].toColumns(doc) })
      .execute();
  }

  /** Inserts many assets of one type in one statement (imports write in batches). */
  async insertMany(type: AssetType, projectId: string, docs: (Record<string, unknown> & { uuid: string; name: string })[], db: Db = this.db): Promise<void> {
    if (docs.length === 0) return;
    await (db as Kysely<any>)
      .insertInto(MAPPERS[type].table)
      .values(docs.map((doc) => ({ project_id: projectId, uuid: doc.uuid, name: doc.name, ...MAPPERS[type].toColumns(doc) })))
      .execute();
  }

  /** Replaces an asset completely, keeping the existing row's uuid; proxies bump their revision. */
  async replace(type: AssetType, projectId: string, existingUuid: string, doc: Record<string, unknown> & { name: string }, db: Db = this.db): Promise<void> {
    const revision = type === 'apiProxy' || type === 'policy' ? { revision: sql`revision + 1` } : {};
    await (db as Kysely<any>)
      .updateTable(MAPPERS[type].table)
      .set({ name: doc.name, ...MAPPERS[type].toColumns(doc), ...revision, updated_at: new Date() })
      .where('project_id', '=', projectId)
      .where('uuid', '=', existingUuid)
      .execute();
  }

  async delete(type: AssetType, projectId: string, uuid: string, db: Db = this.db): Promise<boolean> {
    const result = await (db as Kysely<any>).deleteFrom(MAPPERS[type].table).where('project_id', '=', projectId).where('uuid', '=', uuid).executeTakeFirst();
    return BigInt(result.numDeletedRows) > 0n;
  }

  /** Deployment state of proxies, keyed by proxy uuid. */
  async deploymentsOf(projectId: string, proxyUuids: string[], db: Db = this.db): Promise<Map<string, Record<string, unknown>[]>> {
    const byProxy = new Map<string, Record<string, unknown>[]>();
    for (let i = 0; i < proxyUuids.length; i += CHUNK) {
      const rows = await db
        .selectFrom('deployments')
        .selectAll()
        .where('project_id', '=', projectId)
        .where('proxy_uuid', 'in', proxyUuids.slice(i, i + CHUNK))
        .orderBy('environment_name')
        .execute();
      for (const row of rows) {
        const list = byProxy.get(row.proxy_uuid) ?? [];
        list.push({ environment: row.environment_name, revision: row.revision, status: row.status, deployedAt: row.deployed_at.toISOString() });
        byProxy.set(row.proxy_uuid, list);
      }
    }
    return byProxy;
  }

  private async findBy(type: AssetType, projectId: string, column: 'uuid' | 'name', values: string[], db: Db): Promise<AssetRecord[]> {
    const unique = [...new Set(values)];
    const out: AssetRecord[] = [];
    for (let i = 0; i < unique.length; i += CHUNK) {
      const rows = (await (db as Kysely<any>)
        .selectFrom(MAPPERS[type].table)
        .selectAll()
        .where('project_id', '=', projectId)
        .where(column, 'in', unique.slice(i, i + CHUNK))
        .execute()) as Row[];
      out.push(...rows.map((row) => toRecord(type, row)));
    }
    return out;
  }
}
