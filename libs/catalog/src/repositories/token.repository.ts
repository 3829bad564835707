import type { Selectable } from 'kysely';
import type { CatalogDb } from '../database.js';
import type { TokenTable } from '../schema.js';

export type TokenRow = Selectable<TokenTable>;
export interface TokenGrant {
  projectName: string;
  permission: string;
}
export interface TokenWithGrants extends TokenRow {
  grants: TokenGrant[];
}

export class TokenRepository {
  constructor(private readonly db: CatalogDb) {}

  async create(
    token: { name: string; displayPrefix: string; hash: string; instanceAdmin: boolean; createdBy: string | null; expiresAt: Date },
    grants: TokenGrant[],
  ): Promise<TokenWithGrants> {
    return this.db.transaction().execute(async (trx) => {
      const row = await trx
        .insertInto('tokens')
        .values({
          name: token.name,
          display_prefix: token.displayPrefix,
          hash: token.hash,
          instance_admin: token.instanceAdmin,
          created_by: token.createdBy,
          expires_at: token.expiresAt,
        })
        .returningAll()
        .executeTakeFirstOrThrow();
      if (grants.length > 0) {
        await trx
          .insertInto('token_grants')
          .values(grants.map((g) => ({ token_id: row.id, project_name: g.projectName, permission: g.permission })))
          .execute();
      }
      return { ...row, grants };
    });
  }

  async findByHash(hash: string): Promise<TokenWithGrants | undefined> {
    const row = await this.db.selectFrom('tokens').selectAll().where('hash', '=', hash).executeTakeFirst();
    return row ? { ...row, grants: await this.grantsOf(row.id) } : undefined;
  }

  async findById(id: string): Promise<TokenWithGrants | undefined> {
    const row = await this.db.selectFrom('tokens').selectAll().where('id', '=', id).executeTakeFirst();
    return row ? { ...row, grants: await this.grantsOf(row.id) } : undefined;
  }

  /** Instance-admin tokens that still work (not revoked, not expired). */
  async countAdmins(): Promise<number> {
    const row = await this.db
      .selectFrom('tokens')
      .select((eb) => eb.fn.countAll<string>().as('n'))
      .where('instance_admin', '=', true)
      .where('revoked_at', 'is', null)
      .where('expires_at', '>', new Date())
      .executeTakeFirstOrThrow();
    return Number(row.n);
  }

  /** All tokens, or those created by one token when `createdBy` is given. */
  async list(createdBy?: string): Promise<TokenWithGrants[]> {
    let query = this.db.selectFrom('tokens').selectAll().orderBy('created_at').orderBy('id');
    if (createdBy) query = query.where((eb) => eb.or([eb('created_by', '=', createdBy), eb('id', '=', createdBy)]));
    const rows = await query.execute();
    if (rows.length === 0) return [];
    const grants = await this.db
      .selectFrom('token_grants')
      .selectAll()
      .where(
        'token_id',
        'in',
        rows.map((r) => r.id),
      )
      .execute();
    return rows.map((row) => ({
      ...row,
      grants: grants.filter((g) => g.token_id === row.id).map((g) => ({ projectName: g.project_name, permission: g.permission })),
    }));
  }

  /**
   * Which of these names belong to a user of the instance: the holder of a token that still
   * works (a personal access token's name identifies its holder).
   */
  async liveNames(names: string[]): Promise<Set<string>> {
    const unique = [...new Set(names)];
    const live = new Set<string>();
    for (let i = 0; i < unique.length; i += 1000) {
      const rows = await this.db
        .selectFrom('tokens')
        .select('name')
        .where('name', 'in', unique.slice(i, i + 1000))
        .where('revoked_at', 'is', null)
        .where('expires_at', '>', new Date())
        .execute();
      for (const row of rows) live.add(row.name);
    }
    return live;
  }

  async revoke(id: string): Promise<boolean> {
    const result = await this.db
      .updateTable('tokens')
      .set({ revoked_at: new Date() })
      .where('id', '=', id)
      .where('revoked_at', 'is', null)
      .executeTakeFirst();
    return result.numUpdatedRows > 0n;
  }

  /** Grants name projects; when a project goes, its grants go too, so a new project of the same name starts with none. */
  async deleteGrantsForProject(projectName: string): Promise<void> {
    await this.db.deleteFrom('token_grants').where('project_name', '=', projectName).execute();
  }

  async touch(id: string, at: Date): Promise<void> {
    await this.db.updateTable('tokens').set({ last_used_at: at }).where('id', '=', id).execute();
  }

  private async grantsOf(tokenId: string): Promise<TokenGrant[]> {
    const rows = await this.db.selectFrom('token_grants').selectAll().where('token_id', '=', tokenId).execute();
    return rows.map((g) => ({ projectName: g.project_name, permission: g.permission }));
  }
}
