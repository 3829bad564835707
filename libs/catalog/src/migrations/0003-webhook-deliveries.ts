import { sql, type Kysely } from 'kysely';

/**
 * The delivery log holds one row per attempt. An attempt is written `pending` when it is
 * scheduled (the event, a retry, a manual redelivery) and gets its outcome when it is made,
 * so the log also shows what is still to come.
 */
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .alterTable('webhook_deliveries')
    .addColumn('state', 'text', (c) => c.notNull().defaultTo('pending'))
    .addColumn('trigger', 'text', (c) => c.notNull().defaultTo('event'))
    .addColumn('scheduled_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .addColumn('attempted_at', 'timestamptz')
    .execute();
  // Two writers can never log the same attempt of one message twice.
  await db.schema
    .createIndex('webhook_deliveries_attempt_uq')
    .on('webhook_deliveries')
    .columns(['endpoint_id', 'webhook_id', 'attempt'])
    .unique()
    .execute();
  await db.schema.createIndex('webhook_deliveries_log_idx').on('webhook_deliveries').columns(['endpoint_id', 'created_at', 'id']).execute();
  await db.schema.createIndex('webhook_deliveries_pending_idx').on('webhook_deliveries').columns(['state', 'scheduled_at']).execute();
  await db.schema.createIndex('webhook_endpoints_project_idx').on('webhook_endpoints').columns(['project_id', 'created_at', 'id']).execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropIndex('webhook_endpoints_project_idx').ifExists().execute();
  await db.schema.dropIndex('webhook_deliveries_pending_idx').ifExists().execute();
  await db.schema.dropIndex('webhook_deliveries_log_idx').ifExists().execute();
  await db.schema.dropIndex('webhook_deliveries_attempt_uq').ifExists().execute();
  await db.schema
    .alterTable('webhook_deliveries')
    .dropColumn('attempted_at')
    .dropColumn('scheduled_at')
    .dropColumn('trigger')
    .dropColumn('state')
    .execute();
}
