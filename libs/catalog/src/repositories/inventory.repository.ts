import { sql } from 'kysely';
import type { CatalogDb } from '../database.js';

export interface AssetTypeInventory {
  type: string;
  count: number;
  /** Sum of the definitions' JSON text sizes in bytes: what an archive will roughly carry. */
  definitionBytes: number;
}

/** Read-only aggregates over a project, for sizing a migration. */
export class InventoryRepository {
  constructor(private readonly db: CatalogDb) {}

  async assetCounts(projectId: string): Promise<AssetTypeInventory[]> {
    const sized = (table: 'api_proxies' | 'policies' | 'aliases' | 'applications', column: string, type: string) =>
      this.db
        .selectFrom(table)
        .select([
          sql<string>`${type}`.as('type'),
          (eb) => eb.fn.countAll<string>().as('count'),
          sql<string>`coalesce(sum(octet_length(${sql.ref(column)}::text)), 0)`.as('bytes'),
        ])
        .where('project_id', '=', projectId)
        .executeTakeFirstOrThrow();
    const rows = await Promise.all([
      sized('api_proxies', 'definition', 'apiProxy'),
      sized('policies', 'config', 'policy'),
      sized('aliases', 'value', 'alias'),
      sized('applications', 'definition', 'application'),
    ]);
    return rows.map((r) => ({ type: r.type, count: Number(r.count), definitionBytes: Number(r.bytes) }));
  }

  async deploymentsPerEnvironment(projectId: string): Promise<{ environment: string; driver: string; deployments: number }[]> {
    const rows = await this.db
      .selectFrom('environments as e')
      .leftJoin('deployments as d', (join) =>
        join.onRef('d.project_id', '=', 'e.project_id').onRef('d.environment_name', '=', 'e.name'),
      )
      .select(['e.name', 'e.driver', (eb) => eb.fn.count<string>('d.proxy_uuid').as('n')])
      .where('e.project_id', '=', projectId)
      .groupBy(['e.name', 'e.driver'])
      .orderBy('e.name')
      .execute();
    return rows.map((r) => ({ environment: r.name, driver: r.driver, deployments: Number(r.n) }));
  }
}
