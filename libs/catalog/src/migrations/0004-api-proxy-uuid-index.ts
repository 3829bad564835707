import type { Kysely } from 'kysely';

/**
 * The package face names an API by its uuid alone (no project in the path), and a uuid is
 * kept across projects: finding the projects that hold it must not scan every proxy.
 */
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema.createIndex('api_proxies_uuid_idx').on('api_proxies').column('uuid').execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropIndex('api_proxies_uuid_idx').ifExists().execute();
}
