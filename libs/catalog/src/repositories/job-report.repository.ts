import type { CatalogDb } from '../database.js';
import { toJsonb } from './jsonb.js';
import { decodeCursor, toPage, type Page } from './pagination.js';

/** One asset's line of an import report, as the report shows it. */
export interface ReportItem {
  type: string;
  uuid: string;
  action: string;
  [field: string]: unknown;
}

/** Rows per INSERT: six parameters each, well under PostgreSQL's 65,535. */
const INSERT_ROWS = 500;

/**
 * The per-asset lines of import reports (migration 0006). The import appends them inside its
 * own transaction as it goes, so they commit with the catalog writes; readers page through
 * them in plan order.
 */
export class JobReportRepository {
  constructor(private readonly db: CatalogDb) {}

  async append(jobId: string, lines: readonly { seq: number; item: ReportItem }[], db: CatalogDb = this.db): Promise<void> {
    for (let start = 0; start < lines.length; start += INSERT_ROWS) {
      const rows = lines.slice(start, start + INSERT_ROWS).map(({ seq, item }) => ({
        job_id: jobId,
        seq,
        type: item.type,
        uuid: item.uuid,
        action: item.action,
        item: toJsonb(item),
      }));
      await db.insertInto('job_report_items').values(rows).execute();
    }
  }

  /** Removes a job's lines (an attempt that wrote them is being redone). */
  async clear(jobId: string, db: CatalogDb = this.db): Promise<void> {
    await db.deleteFrom('job_report_items').where('job_id', '=', jobId).execute();
  }

  /** Lines in plan order after the cursor; `actions` narrows them (e.g. only the failures). */
  async page(jobId: string, opts: { limit: number; cursor?: string; actions?: readonly string[] }): Promise<Page<ReportItem>> {
    const after = decodeCursor(opts.cursor, 1);
    let query = this.db.selectFrom('job_report_items').select(['seq', 'item']).where('job_id', '=', jobId);
    if (after) query = query.where('seq', '>', Number(after[0]));
    if (opts.actions?.length) query = query.where('action', 'in', [...opts.actions]);
    const rows = await query.orderBy('seq').limit(opts.limit + 1).execute();
    const page = toPage(rows, opts.limit, (row) => [String(row.seq)]);
    return { items: page.items.map((row) => row.item as ReportItem), nextCursor: page.nextCursor };
  }

  async count(jobId: string): Promise<number> {
    const row = await this.db.selectFrom('job_report_items').select((eb) => eb.fn.countAll<string>().as('n')).where('job_id', '=', jobId).executeTakeFirst();
    return Number(row?.n ?? 0);
  }

  /** The target uuids of the proxies an import created, overwrote or renamed (what a deploy-after-import deploys). */
  async importedProxyUuids(jobId: string): Promise<string[]> {
    const rows = await this.db
      .selectFrom('job_report_items')
      .select('uuid')
      .where('job_id', '=', jobId)
      .where('type', '=', 'apiProxy')
      .where('action', 'in', ['create', 'overwrite', 'rename'])
      .orderBy('seq')
      .execute();
    return rows.map((row) => row.uuid);
  }
}
