import type { Kysely } from 'kysely';

/**
 * What a presigned upload was opened for: the size the client declared and the part size
 * the service chose. A client that lost its connection (or its process) asks for the
 * upload's state and sends only the parts the store does not hold yet: it needs both to
 * know each missing part's byte range. Null for form uploads and for uploads opened before
 * this migration.
 */
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema.alterTable('uploads').addColumn('declared_size', 'bigint').execute();
  await db.schema.alterTable('uploads').addColumn('part_size', 'bigint').execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.alterTable('uploads').dropColumn('part_size').execute();
  await db.schema.alterTable('uploads').dropColumn('declared_size').execute();
}
