import type { JobReportRepository } from '#catalog';
import type { JobView } from './job-view.js';

/** Lines of an import's report shown with the job itself; the rest are paged. */
export const REPORT_ITEMS_WITH_JOB = 1000;

/** Lines read per query when a vendor face needs them all. */
const READ_PAGE = 5000;

/**
 * Puts an import's report lines back into the job's result as `items`: the worker writes
 * them as rows (never one array in the job's record), so a 100,000-asset report costs
 * neither the worker nor a reader of the job its whole size. `limit` lines at most; when
 * more remain, `itemsNextCursor` and `links.reportItems` say where to page on.
 */
export async function withReportItems(view: JobView, lines: JobReportRepository, limit: number = REPORT_ITEMS_WITH_JOB): Promise<JobView> {
  const result = view.result;
  if (!result || typeof result.itemsTotal !== 'number' || Array.isArray(result.items)) return view;
  const items: unknown[] = [];
  let cursor: string | undefined;
  do {
    const page = await lines.page(view.id, { limit: Math.min(READ_PAGE, limit - items.length), cursor });
    items.push(...page.items);
    cursor = page.nextCursor ?? undefined;
  } while (cursor && items.length < limit);
  return {
    ...view,
    result: { ...result, items, ...(cursor ? { itemsNextCursor: cursor } : {}) },
    links: { ...view.links, reportItems: `/v1/jobs/${view.id}/report-items` },
  };
}
