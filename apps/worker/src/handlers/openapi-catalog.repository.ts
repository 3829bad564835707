import type { Kysely } from 'kysely';
import type { CatalogDb, Database, ProjectRow } from '#catalog';

/**
 * The catalog reads and writes of the OpenAPI jobs that the shared repositories do not
 * offer: which proxies an environment runs, and a project (API group) created inside the
 * import's own transaction so that a failed import leaves no group behind.
 */
export class OpenApiCatalogRepository {
  constructor(private readonly db: CatalogDb) {}

  /** Uuids of the proxies whose last deployment to the environment succeeded. */
  async deployedProxyUuids(projectId: string, environment: string, db: Kysely<Database> = this.db): Promise<string[]> {
    const rows = await db
      .selectFrom('deployments')
      .select('proxy_uuid')
      .where('project_id', '=', projectId)
      .where('environment_name', '=', environment)
      .where('status', '=', 'deployed')
      .execute();
    return rows.map((row) => row.proxy_uuid);
  }

  async findProjectByName(name: string, db: Kysely<Database> = this.db): Promise<ProjectRow | undefined> {
    return db.selectFrom('projects').selectAll().where('name', '=', name).executeTakeFirst();
  }

  async findProjectById(id: string, db: Kysely<Database> = this.db): Promise<ProjectRow | undefined> {
    return db.selectFrom('projects').selectAll().where('id', '=', id).executeTakeFirst();
  }

  async createProject(name: string, description: string, db: Kysely<Database>): Promise<ProjectRow> {
    return db.insertInto('projects').values({ name, description }).returningAll().executeTakeFirstOrThrow();
  }
}
