import { sql, type Selectable } from 'kysely';
import type { CatalogDb } from '../database.js';
import type { DeploymentTable } from '../schema.js';

export type DeploymentRow = Selectable<DeploymentTable>;

export interface DeploymentRecord {
  projectId: string;
  proxyUuid: string;
  environmentName: string;
  revision: number;
  status: string;
  message: string | null;
}

/** Deployment state: one row per (proxy, environment), the last outcome for that pair. */
export class DeploymentRepository {
  constructor(private readonly db: CatalogDb) {}

  /**
   * Runs `work` while holding the per-(project, environment) advisory lock, in a
   * transaction that `work` records its outcome in: deployments to one environment are
   * serialised across every worker process, different environments run side by side.
   */
  async withEnvironmentLock<T>(projectId: string, environmentName: string, work: (db: CatalogDb) => Promise<T>): Promise<T> {
    return this.db.transaction().execute(async (trx) => {
      await sql`select pg_advisory_xact_lock(hashtext(${`apiferry:deploy:${projectId}:${environmentName}`}))`.execute(trx);
      return work(trx);
    });
  }

  async upsert(record: DeploymentRecord, db: CatalogDb = this.db): Promise<void> {
    await db
      .insertInto('deployments')
      .values({
        project_id: record.projectId,
        proxy_uuid: record.proxyUuid,
        environment_name: record.environmentName,
        revision: record.revision,
        status: record.status,
        message: record.message,
        deployed_at: new Date(),
      })
      .onConflict((oc) =>
        oc.columns(['project_id', 'proxy_uuid', 'environment_name']).doUpdateSet({
          revision: record.revision,
          status: record.status,
          message: record.message,
          deployed_at: new Date(),
        }),
      )
      .execute();
  }

  async delete(projectId: string, proxyUuid: string, environmentName: string, db: CatalogDb = this.db): Promise<void> {
    await db
      .deleteFrom('deployments')
      .where('project_id', '=', projectId)
      .where('proxy_uuid', '=', proxyUuid)
      .where('environment_name', '=', environmentName)
      .execute();
  }

  async find(projectId: string, proxyUuid: string, environmentName: string, db: CatalogDb = this.db): Promise<DeploymentRow | undefined> {
    return db
      .selectFrom('deployments')
      .selectAll()
      .where('project_id', '=', projectId)
      .where('proxy_uuid', '=', proxyUuid)
      .where('environment_name', '=', environmentName)
      .executeTakeFirst();
  }

  async listForProxy(projectId: string, proxyUuid: string): Promise<DeploymentRow[]> {
    return this.db
      .selectFrom('deployments')
      .selectAll()
      .where('project_id', '=', projectId)
      .where('proxy_uuid', '=', proxyUuid)
      .orderBy('environment_name')
      .execute();
  }
}
