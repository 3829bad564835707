import type { CatalogDb, JobReportRepository, ReportItem } from '#catalog';
import type { PlanItem } from '#core';

/** Report lines held before they are written: one INSERT's worth. */
const LINES_PER_WRITE = 500;

/** How the report shows one asset of the plan. */
export function reportLine(item: PlanItem): ReportItem {
  return {
    type: item.type,
    uuid: item.uuid,
    name: item.name,
    action: item.action,
    ...(item.newName ? { newName: item.newName } : {}),
    ...(item.newBasePath ? { newBasePath: item.newBasePath } : {}),
    ...(item.sourceUuid ? { sourceUuid: item.sourceUuid } : {}),
    ...(item.dependencyFailed ? { dependencyFailed: true } : {}),
    warnings: item.warnings,
    ...(item.error ? { error: item.error } : {}),
  };
}

/**
 * Writes an import's per-asset report as the import goes, in the import's transaction, so a
 * 100,000-asset report is never held whole: each asset's line is written once its outcome
 * is final (after its catalog write), and its plan item can go.
 */
export class ReportLineWriter {
  private pending: { seq: number; item: ReportItem }[] = [];
  private written = 0;

  constructor(
    private readonly repository: JobReportRepository,
    private readonly jobId: string,
    private readonly db: CatalogDb,
  ) {}

  /** Lines written or waiting so far. */
  get count(): number {
    return this.written + this.pending.length;
  }

  async add(seq: number, item: PlanItem): Promise<void> {
    this.pending.push({ seq, item: reportLine(item) });
    if (this.pending.length >= LINES_PER_WRITE) await this.flush();
  }

  async flush(): Promise<void> {
    if (this.pending.length === 0) return;
    const lines = this.pending;
    this.pending = [];
    await this.repository.append(this.jobId, lines, this.db);
    this.written += lines.length;
  }
}
