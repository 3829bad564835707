import type { Selectable } from 'kysely';
import type { CatalogDb } from '../database.js';
import type { ProjectTable } from '../schema.js';
import { decodeCursor, toPage, type Page } from './pagination.js';

export type ProjectRow = Selectable<ProjectTable>;

export class ProjectRepository {
  constructor(private readonly db: CatalogDb) {}

  async create(name: string, description: string): Promise<ProjectRow> {
    return this.db.insertInto('projects').values({ name, description }).returningAll().executeTakeFirstOrThrow();
  }

  async findByName(name: string): Promise<ProjectRow | undefined> {
    return this.db.selectFrom('projects').selectAll().where('name', '=', name).executeTakeFirst();
  }

  async findById(id: string): Promise<ProjectRow | undefined> {
    return this.db.selectFrom('projects').selectAll().where('id', '=', id).executeTakeFirst();
  }

  /** Lists by name; `names` restricts the list to the projects a caller may see. */
  async list(opts: { limit: number; cursor?: string; names?: string[] }): Promise<Page<ProjectRow>> {
    const after = decodeCursor(opts.cursor, 1);
    if (opts.names && opts.names.length === 0) return { items: [], nextCursor: null };
    let query = this.db.selectFrom('projects').selectAll().orderBy('name').limit(opts.limit + 1);
    if (after) query = query.where('name', '>', after[0] as string);
    if (opts.names) query = query.where('name', 'in', opts.names);
    return toPage(await query.execute(), opts.limit, (row) => [row.name]);
  }

  async update(id: string, description: string): Promise<ProjectRow | undefined> {
    return this.db
      .updateTable('projects')
      .set({ description, updated_at: new Date() })
      .where('id', '=', id)
      .returningAll()
      .executeTakeFirst();
  }

  async delete(id: string): Promise<boolean> {
    const result = await this.db.deleteFrom('projects').where('id', '=', id).executeTakeFirst();
    return result.numDeletedRows > 0n;
  }
}
