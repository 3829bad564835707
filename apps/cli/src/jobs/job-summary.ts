import { describeProblem } from '../cli-error.js';
import { formatBytes, formatFields, formatTable } from '../output/format.js';
import { deploymentTable, type DeploymentResult } from './deployment-summary.js';
import { isFinished, type Job } from './job-watcher.js';

export interface ImportItem {
  type: string;
  name: string;
  action: string;
  newName?: string;
  warnings?: string[];
  error?: string;
}

export interface ImportReport {
  dryRun: boolean;
  applied: boolean;
  blocked?: boolean;
  counts: Record<string, Record<string, number>>;
  items: ImportItem[];
  /** Lines in the whole report; the job shows the first 1,000 (`items`). */
  itemsTotal?: number;
  secrets?: { restored: boolean; warnings: string[] };
  deployment?: { status: string };
  /** With `deploy: true`: the outcome for each target environment. */
  deploymentResult?: DeploymentResult;
}

const COUNT_COLUMNS = ['created', 'overwritten', 'renamed', 'skipped', 'failed'];

/** One row per asset: type, name, action, new name, reason. */
export function planTable(items: ImportItem[]): string {
  return formatTable(
    ['TYPE', 'NAME', 'ACTION', 'NEW NAME', 'REASON'],
    items.map((i) => [i.type, i.name, i.action, i.newName ?? '', i.error ?? (i.warnings ?? []).join('; ')]),
  );
}

export function countsTable(counts: ImportReport['counts']): string {
  return formatTable(
    ['TYPE', ...COUNT_COLUMNS.map((c) => c.toUpperCase())],
    Object.entries(counts).map(([type, byAction]) => [type, ...COUNT_COLUMNS.map((c) => byAction[c] ?? 0)]),
  );
}

/** Items that are not a plain create/overwrite/skip, or that carry warnings. */
export function noteworthy(items: ImportItem[]): ImportItem[] {
  return items.filter((i) => !['create', 'overwrite', 'skip'].includes(i.action) || (i.warnings ?? []).length > 0 || i.error);
}

/** Text lines for a finished import's report (a real import, not a plan). */
export function importReportLines(report: ImportReport): string[] {
  const lines = [countsTable(report.counts)];
  const notes = noteworthy(report.items);
  if (notes.length > 0) lines.push('', planTable(notes));
  lines.push(...omittedLine(report));
  for (const warning of report.secrets?.warnings ?? []) lines.push(`warning: ${warning}`);
  if (report.deploymentResult) lines.push('', deploymentTable(report.deploymentResult));
  return lines;
}

/** Past 1,000 assets the job shows only the start of its report: say so, and where the rest is. */
function omittedLine(report: ImportReport): string[] {
  const total = report.itemsTotal ?? report.items.length;
  return total > report.items.length ? [`(the first ${report.items.length} of ${total} assets; every line: apiferry jobs report <id>)`] : [];
}

function progressText(job: Job): string {
  const p = job.progress;
  if (!p) return '';
  const share = p.total ? ` ${p.percent ?? Math.floor((p.done / p.total) * 100)}% (${p.done}/${p.total})` : '';
  return `${p.phase}${share}`;
}

/** `jobs get` in text: the record as aligned fields, then a short account of the result. */
export function jobLines(job: Job): string[] {
  const fields: [string, string | null | undefined][] = [
    ['id', job.id],
    ['kind', job.kind],
    ['project', job.project],
    ['state', job.cancelRequested && !isFinished(job) ? `${job.state} (cancel requested)` : job.state],
    ['progress', isFinished(job) ? '' : progressText(job)],
    ['attempts', String(job.attempts)],
    ['created', job.createdAt],
    ['started', job.startedAt],
    ['finished', job.finishedAt],
    ['webhook', job.webhook ? `${job.webhook.url} (${job.webhook.id}; ${job.webhook.events.join(', ')})` : undefined],
  ];
  if (job.error) fields.push(['error', describeProblem(job.error, 'failed')]);
  const lines = [formatFields(fields)];
  const result = job.result;
  if (result && (job.kind === 'archive.export' || job.kind === 'openapi.export') && result.artifact) {
    lines.push('', `archive ${result.artifact.fileName}: ${formatBytes(result.artifact.size)}, sha256 ${result.artifact.sha256}`);
    lines.push(`holds ${countsText(result.counts ?? {})}`);
    lines.push(`download it with: apiferry jobs artifact ${job.id} -o ${result.artifact.fileName}`);
  } else if (result && job.kind === 'archive.import') {
    lines.push('', ...(result.dryRun ? [countsTable(result.counts), '', planTable(result.items), ...omittedLine(result as ImportReport)] : importReportLines(result as ImportReport)));
  } else if (result && (job.kind === 'proxy.deploy' || job.kind === 'proxy.undeploy') && result.deploymentResult) {
    lines.push('', deploymentTable(result.deploymentResult as DeploymentResult));
  } else if (result && job.kind === 'project.inventory') {
    lines.push('', formatTable(['TYPE', 'COUNT', 'BYTES'], (result.assets ?? []).map((a: any) => [a.type, a.count, a.definitionBytes])));
  }
  const blocking = failureLines(job);
  if (blocking.length > 0) lines.push('', ...blocking);
  return lines;
}

/** For an import refused as a whole: the assets that clash or are invalid. */
export function failureLines(job: Job): string[] {
  const report = job.error?.report as ImportReport | undefined;
  const blocking = (report?.items ?? []).filter((i) => ['conflict', 'invalid', 'failed'].includes(i.action));
  return blocking.length > 0 ? [planTable(blocking)] : [];
}

const ASSET_NOUNS: Record<string, [string, string]> = {
  apiProxy: ['API proxy', 'API proxies'],
  policy: ['shared policy', 'shared policies'],
  alias: ['alias', 'aliases'],
  application: ['application', 'applications'],
  resource: ['resource', 'resources'],
};

/** `2 API proxies, 1 shared policy`; types with none are left out. */
export function countsText(counts: Record<string, number>): string {
  const parts = Object.entries(counts)
    .filter(([, n]) => n > 0)
    .map(([type, n]) => {
      const [one, many] = ASSET_NOUNS[type] ?? [type, `${type}s`];
      return `${n} ${n === 1 ? one : many}`;
    });
  return parts.length > 0 ? parts.join(', ') : 'nothing';
}
