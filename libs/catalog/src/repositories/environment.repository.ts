import type { Selectable } from 'kysely';
import type { CatalogDb } from '../database.js';
import type { EnvironmentTable } from '../schema.js';
import { decodeCursor, toPage, type Page } from './pagination.js';

export type EnvironmentRow = Selectable<EnvironmentTable>;

export class EnvironmentRepository {
  constructor(private readonly db: CatalogDb) {}

  async create(projectId: string, env: { name: string; driver: string; settings: Record<string, unknown> }): Promise<EnvironmentRow> {
    return this.db
      .insertInto('environments')
      .values({ project_id: projectId, name: env.name, driver: env.driver, settings: JSON.stringify(env.settings) })
      .returningAll()
      .executeTakeFirstOrThrow();
  }

  async find(projectId: string, name: string): Promise<EnvironmentRow | undefined> {
    return this.db
      .selectFrom('environments')
      .selectAll()
      .where('project_id', '=', projectId)
      .where('name', '=', name)
      .executeTakeFirst();
  }

  async list(projectId: string, opts: { limit: number; cursor?: string }): Promise<Page<EnvironmentRow>> {
    const after = decodeCursor(opts.cursor, 1);
    let query = this.db
      .selectFrom('environments')
      .selectAll()
      .where('project_id', '=', projectId)
      .orderBy('name')
      .limit(opts.limit + 1);
    if (after) query = query.where('name', '>', after[0] as string);
    return toPage(await query.execute(), opts.limit, (row) => [row.name]);
  }

  async update(
    projectId: string,
    name: string,
    env: { driver: string; settings: Record<string, unknown> },
  ): Promise<EnvironmentRow | undefined> {
    return this.db
      .updateTable('environments')
      .set({ driver: env.driver, settings: JSON.stringify(env.settings), updated_at: new Date() })
      .where('project_id', '=', projectId)
      .where('name', '=', name)
      .returningAll()
      .executeTakeFirst();
  }

  async delete(projectId: string, name: string): Promise<boolean> {
    const result = await this.db
      .deleteFrom('environments')
      .where('project_id', '=', projectId)
      .where('name', '=', name)
      .executeTakeFirst();
    return result.numDeletedRows > 0n;
  }
}
