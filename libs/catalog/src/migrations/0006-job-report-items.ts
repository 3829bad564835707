import { sql, type Kysely } from 'kysely';

/**
 * An import's per-asset report, one row per asset, instead of one array inside the job's
 * result: a 100,000-asset import writes it in batches inside its own transaction (so it
 * commits or rolls back with the catalog writes) and never holds it whole, and readers page
 * through it. `seq` is the asset's place in the import plan (dependencies first).
 */
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable('job_report_items')
    .addColumn('job_id', 'uuid', (c) => c.notNull().references('jobs.id').onDelete('cascade'))
    .addColumn('seq', 'integer', (c) => c.notNull())
    .addColumn('type', 'text', (c) => c.notNull())
    .addColumn('uuid', 'text', (c) => c.notNull())
    .addColumn('action', 'text', (c) => c.notNull())
    .addColumn('item', 'jsonb', (c) => c.notNull())
    .addColumn('created_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .addPrimaryKeyConstraint('job_report_items_pk', ['job_id', 'seq'])
    .execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropTable('job_report_items').ifExists().execute();
}
