import type { Selectable } from 'kysely';
import type { CatalogDb } from '../database.js';
import type { IdempotencyKeyTable } from '../schema.js';

export type IdempotencyKeyRow = Selectable<IdempotencyKeyTable>;

export class IdempotencyRepository {
  constructor(private readonly db: CatalogDb) {}

  /**
   * Claims a key for a request. Returns undefined when this caller now holds the key,
   * or the existing row when someone holds it already (finished or still in flight).
   */
  async claim(tokenId: string, key: string, requestHash: string): Promise<IdempotencyKeyRow | undefined> {
    const inserted = await this.db
      .insertInto('idempotency_keys')
      .values({ token_id: tokenId, key, request_hash: requestHash, job_id: null })
      .onConflict((oc) => oc.columns(['token_id', 'key']).doNothing())
      .returningAll()
      .executeTakeFirst();
    if (inserted) return undefined;
    return this.db
      .selectFrom('idempotency_keys')
      .selectAll()
      .where('token_id', '=', tokenId)
      .where('key', '=', key)
      .executeTakeFirstOrThrow();
  }

  async complete(tokenId: string, key: string, jobId: string, db: CatalogDb = this.db): Promise<void> {
    await db.updateTable('idempotency_keys').set({ job_id: jobId }).where('token_id', '=', tokenId).where('key', '=', key).execute();
  }

  async release(tokenId: string, key: string): Promise<void> {
    await this.db.deleteFrom('idempotency_keys').where('token_id', '=', tokenId).where('key', '=', key).where('job_id', 'is', null).execute();
  }

  async deleteOlderThan(cutoff: Date): Promise<void> {
    await this.db.deleteFrom('idempotency_keys').where('created_at', '<', cutoff).execute();
  }
}
