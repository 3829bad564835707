import type { AssetKind } from '#core';
import { VENDOR_TYPE } from './asset-selection.js';

interface ReportItem {
  type: AssetKind;
  uuid: string;
  name: string;
  action: string;
  dependencyFailed?: boolean;
  warnings: string[];
  error?: string;
}

export interface AssetResult {
  type: string;
  name: string;
  id: string;
  status: 'Success' | 'Failure';
  importedOK: boolean;
  overwritten: boolean;
  dependencyFailed: boolean;
  warning: boolean;
  explanation: string;
}

export interface TypeCounts {
  successful: number;
  unsuccessful: number;
  replaced: number;
  warning: number;
}

/**
 * An import job's report in the vendor's words: one result per asset, counts per type.
 * `successful` counts every asset imported (created or replaced), `replaced` those of them
 * that overwrote an existing one, `unsuccessful` the failed ones, `warning` those with a warning.
 */
export function assetArchiveResult(report: Record<string, unknown>): { results: AssetResult[]; counts: Record<string, TypeCounts> } {
  const items = (report.items ?? []) as ReportItem[];
  const counts: Record<string, TypeCounts> = Object.fromEntries(Object.values(VENDOR_TYPE).map((t) => [t, { successful: 0, unsuccessful: 0, replaced: 0, warning: 0 }]));
  const results = items.map((item): AssetResult => {
    const type = VENDOR_TYPE[item.type];
    const importedOK = ['create', 'overwrite', 'rename'].includes(item.action);
    const overwritten = item.action === 'overwrite';
    const warning = item.warnings.length > 0;
    const tally = counts[type];
    if (importedOK) tally.successful++;
    else tally.unsuccessful++;
    if (overwritten) tally.replaced++;
    if (warning) tally.warning++;
    return {
      type,
      name: item.name,
      id: item.uuid,
      status: importedOK ? 'Success' : 'Failure',
      importedOK,
      overwritten,
      dependencyFailed: item.dependencyFailed === true,
      warning,
      explanation: explanationOf(item, importedOK),
    };
  });
  return { results, counts };
}

function explanationOf(item: ReportItem, importedOK: boolean): string {
  const said = [...(item.error ? [item.error] : []), ...item.warnings].join('; ');
  if (said) return said;
  if (!importedOK) return 'Not imported.';
  return item.action === 'overwrite' ? 'Replaced the existing asset.' : 'Created.';
}
