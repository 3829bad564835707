import type { Kysely } from 'kysely';

/**
 * A webhook given with one job (the `webhook` option of a job-creating request) is an
 * endpoint bound to that job: it hears only that job's events and goes with the job's
 * record when retention deletes it.
 */
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .alterTable('webhook_endpoints')
    .addColumn('job_id', 'uuid', (c) => c.references('jobs.id').onDelete('cascade'))
    .execute();
  await db.schema.createIndex('webhook_endpoints_job_idx').on('webhook_endpoints').column('job_id').execute();
  // The retention sweep looks for expired jobs on every run.
  await db.schema.createIndex('jobs_expires_at_idx').on('jobs').column('expires_at').execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropIndex('jobs_expires_at_idx').ifExists().execute();
  await db.schema.dropIndex('webhook_endpoints_job_idx').ifExists().execute();
  await db.schema.alterTable('webhook_endpoints').dropColumn('job_id').execute();
}
