import { sql, type Selectable } from 'kysely';
import type { CatalogDb } from '../database.js';
import type { JobTable } from '../schema.js';
import { toJsonb } from './jsonb.js';
import { decodeCursor, toPage, type Page } from './pagination.js';

export type JobRow = Selectable<JobTable>;

export type JobState = 'queued' | 'running' | 'succeeded' | 'failed' | 'canceled';
export const TERMINAL_STATES: readonly JobState[] = ['succeeded', 'failed', 'canceled'];
const ID_CHUNK = 1000;

export interface NewJob {
  id: string;
  kind: string;
  projectId: string | null;
  payload: Record<string, unknown>;
  requestedBy: string | null;
}

export interface JobFilter {
  projectIds?: string[];
  kind?: string;
  state?: string;
}

/**
 * Job records are the source of truth: every state change is a conditional update, so
 * two workers racing on one job (a stalled lock, a re-enqueue) cannot both finish it.
 */
export class JobRepository {
  constructor(private readonly db: CatalogDb) {}

  async create(job: NewJob, db: CatalogDb = this.db): Promise<JobRow> {
    return db
      .insertInto('jobs')
      .values({
        id: job.id,
        kind: job.kind,
        project_id: job.projectId,
        state: 'queued',
        payload: toJsonb(job.payload),
        requested_by: job.requestedBy,
      })
      .returningAll()
      .executeTakeFirstOrThrow();
  }

  async find(id: string): Promise<JobRow | undefined> {
    return this.db.selectFrom('jobs').selectAll().where('id', '=', id).executeTakeFirst();
  }

  /** The jobs among `ids` that exist, in no particular order. */
  async findByIds(ids: readonly string[]): Promise<JobRow[]> {
    const rows: JobRow[] = [];
    for (let start = 0; start < ids.length; start += ID_CHUNK) {
      const chunk = ids.slice(start, start + ID_CHUNK);
      rows.push(...(await this.db.selectFrom('jobs').selectAll().where('id', 'in', chunk).execute()));
    }
    return rows;
  }

  async list(filter: JobFilter, opts: { limit: number; cursor?: string }): Promise<Page<JobRow>> {
    if (filter.projectIds && filter.projectIds.length === 0) return { items: [], nextCursor: null };
    const after = decodeCursor(opts.cursor, 2);
    let query = this.db
      .selectFrom('jobs')
      .selectAll()
      .orderBy('created_at', 'desc')
      .orderBy('id', 'desc')
      .limit(opts.limit + 1);
    if (filter.projectIds) query = query.where('project_id', 'in', filter.projectIds);
    if (filter.kind) query = query.where('kind', '=', filter.kind);
    if (filter.state) query = query.where('state', '=', filter.state);
    if (after) {
      const [createdAt, id] = after as [string, string];
      query = query.where((eb) =>
        eb.or([eb('created_at', '<', new Date(createdAt)), eb.and([eb('created_at', '=', new Date(createdAt)), eb('id', '<', id)])]),
      );
    }
    return toPage(await query.execute(), opts.limit, (row) => [row.created_at.toISOString(), row.id]);
  }

  /** queued|running → running; counts the attempt. Undefined when the job is terminal or gone. */
  async markRunning(id: string): Promise<JobRow | undefined> {
    return this.db
      .updateTable('jobs')
      .set({
        state: 'running',
        attempts: sql<number>`attempts + 1`,
        started_at: sql<Date>`coalesce(started_at, now())`,
        updated_at: new Date(),
      })
      .where('id', '=', id)
      .where('state', 'in', ['queued', 'running'])
      .returningAll()
      .executeTakeFirst();
  }

  async updateProgress(id: string, progress: Record<string, unknown>): Promise<void> {
    await this.db
      .updateTable('jobs')
      .set({ progress: toJsonb(progress), updated_at: new Date() })
      .where('id', '=', id)
      .where('state', '=', 'running')
      .execute();
  }

  /**
   * Moves a non-terminal job to a terminal state; false when another actor got there first.
   * Takes an optional transaction so an import can commit its catalog writes and its
   * success in one step.
   */
  async finish(
    id: string,
    state: 'succeeded' | 'failed' | 'canceled',
    outcome: { result?: Record<string, unknown>; error?: Record<string, unknown>; progress?: Record<string, unknown>; expiresAt: Date },
    db: CatalogDb = this.db,
  ): Promise<boolean> {
    const result = await db
      .updateTable('jobs')
      .set({
        state,
        result: outcome.result ? toJsonb(outcome.result) : null,
        error: outcome.error ? toJsonb(outcome.error) : null,
        // The last progress report, which a background progress write may not have stored yet.
        ...(outcome.progress ? { progress: toJsonb(outcome.progress) } : {}),
        finished_at: new Date(),
        updated_at: new Date(),
        expires_at: outcome.expiresAt,
      })
      .where('id', '=', id)
      .where('state', 'in', ['queued', 'running'])
      .executeTakeFirst();
    return result.numUpdatedRows > 0n;
  }

  /**
   * Stores a running job's interim result without finishing it: a job whose catalog writes
   * committed and that has more to do (deploying) keeps them on record, so a retry after a
   * crash finds them instead of applying them twice.
   */
  async saveInterimResult(id: string, result: Record<string, unknown>, db: CatalogDb = this.db): Promise<boolean> {
    const updated = await db
      .updateTable('jobs')
      .set({ result: toJsonb(result), updated_at: new Date() })
      .where('id', '=', id)
      .where('state', '=', 'running')
      .executeTakeFirst();
    return updated.numUpdatedRows > 0n;
  }

  async requestCancel(id: string): Promise<JobRow | undefined> {
    return this.db
      .updateTable('jobs')
      .set({ cancel_requested: true, updated_at: new Date() })
      .where('id', '=', id)
      .where('state', 'in', ['queued', 'running'])
      .returningAll()
      .executeTakeFirst();
  }

  async isCancelRequested(id: string): Promise<boolean> {
    const row = await this.db.selectFrom('jobs').select('cancel_requested').where('id', '=', id).executeTakeFirst();
    return row?.cancel_requested ?? false;
  }

  /** Jobs that should be in the queue: not terminal and untouched for a while. */
  async listUnfinished(olderThan: Date, limit: number): Promise<JobRow[]> {
    return this.db
      .selectFrom('jobs')
      .selectAll()
      .where('state', 'in', ['queued', 'running'])
      .where('updated_at', '<', olderThan)
      .orderBy('created_at')
      .limit(limit)
      .execute();
  }

  async countByKindAndState(): Promise<{ kind: string; state: string; count: number }[]> {
    const rows = await this.db
      .selectFrom('jobs')
      .select(['kind', 'state', (eb) => eb.fn.countAll<string>().as('n')])
      .groupBy(['kind', 'state'])
      .execute();
    return rows.map((r) => ({ kind: r.kind, state: r.state, count: Number(r.n) }));
  }

  /** Deletes up to `limit` jobs whose expiry has passed and returns them; takes a transaction. */
  async deleteExpired(now: Date, limit: number, db: CatalogDb = this.db): Promise<JobRow[]> {
    return db
      .deleteFrom('jobs')
      .where('id', 'in', (eb) => eb.selectFrom('jobs').select('id').where('expires_at', '<', now).limit(limit))
      .returningAll()
      .execute();
  }
}
