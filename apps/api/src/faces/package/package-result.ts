interface ReportItem {
  type: string;
  uuid: string;
  name: string;
  action: string;
  warnings: string[];
  error?: string;
}

export interface PackageAsset {
  type: string;
  id: string;
  name: string;
}

/**
 * An import job's report as the package face answers it: what was created, what updated
 * (an existing asset with the same id or name replaced), what carries warnings (an admin
 * who is not a user here, a rewritten endpoint, a secret not restored) and what failed.
 */
export function packageImportResult(report: Record<string, unknown>) {
  const items = (report.items ?? []) as ReportItem[];
  const asset = (i: ReportItem): PackageAsset => ({ type: i.type, id: i.uuid, name: i.name });
  const secrets = (report.secrets as { warnings?: string[] } | undefined)?.warnings ?? [];
  return {
    created: items.filter((i) => i.action === 'create' || i.action === 'rename').map(asset),
    updated: items.filter((i) => i.action === 'overwrite').map(asset),
    warned: items.filter((i) => i.warnings.length > 0).map((i) => ({ ...asset(i), warnings: i.warnings })),
    failed: items.filter((i) => ['failed', 'conflict', 'invalid'].includes(i.action)).map((i) => ({ ...asset(i), reason: i.error ?? 'not imported' })),
    warnings: secrets,
  };
}
