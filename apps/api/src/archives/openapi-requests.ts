import { ValidationError, type ConflictPolicies } from '#core';
import type { ImportMode } from '#openapi';
import type { ExportRequestDto } from './export-request.dto.js';
import type { ImportOptionsDto } from './import-request.dto.js';

/** Fields that only an archive export reads, and those only an OpenAPI export reads. */
const ARCHIVE_ONLY_EXPORT_FIELDS = ['include', 'passphrase'] as const;
const OPENAPI_ONLY_EXPORT_FIELDS = ['oasVersion', 'type', 'define', 'version', 'environment'] as const;

/**
 * Refuses options that the chosen export format would silently ignore, and a file name
 * whose extension does not say what the download holds.
 */
export function checkExportFormatOptions(dto: ExportRequestDto): void {
  const openApi = dto.format === 'openapi';
  const misplaced = (openApi ? ARCHIVE_ONLY_EXPORT_FIELDS : OPENAPI_ONLY_EXPORT_FIELDS).filter((field) => dto[field] !== undefined);
  if (misplaced.length > 0) {
    throw new ValidationError(
      openApi
        ? `${misplaced.join(' and ')} apply to archive exports; an OpenAPI document holds no secrets, applications or resources.`
        : `${misplaced.join(', ')} apply to OpenAPI exports only; add "format": "openapi".`,
      misplaced.map((field) => ({ pointer: `/${field}`, detail: openApi ? 'is not allowed with format openapi' : 'is allowed with format openapi only' })),
    );
  }
  if (dto.fileName === undefined) return;
  const wanted = openApi ? ((dto.type ?? 'json') === 'json' ? /\.json$/i : /\.ya?ml$/i) : /\.zip$/i;
  if (!wanted.test(dto.fileName)) {
    const ending = openApi ? ((dto.type ?? 'json') === 'json' ? '.json' : '.yaml or .yml') : '.zip';
    throw new ValidationError(`fileName must end in ${ending} for this export.`, [{ pointer: '/fileName', detail: `must end in ${ending}` }]);
  }
}

/** How the native import options read for an OpenAPI document. */
export interface OpenApiImportModes {
  apiMode: ImportMode;
  extendMode: ImportMode;
  /** conflicts "fail": a proxy or operation that exists already fails the import, nothing changes. */
  failOnConflict: boolean;
  dryRun: boolean;
}

/**
 * Maps `conflicts.apiProxy` onto the modes the APIG face names: "keep" → api_mode and
 * extend_mode merge (what exists stays, only what is new is added), "overwrite" → both
 * override, "fail" (the default) → merge, but any existing proxy or operation fails the
 * import. "rename" has no meaning for operations matched on (method, path), and the options
 * an archive import applies to what it restores (routing, endpointMap, maintenanceMode,
 * passphrase, deploy) are refused rather than ignored.
 */
export function openApiImportModes(options: ImportOptionsDto, conflicts: ConflictPolicies): OpenApiImportModes {
  const refused = (['routing', 'endpointMap', 'maintenanceMode', 'passphrase', 'deploy', 'deployTargetEnvironmentNameList'] as const).filter(
    (field) => options[field] !== undefined && !(field === 'deploy' && options.deploy === false),
  );
  if (refused.length > 0) {
    throw new ValidationError(
      `${refused.join(', ')} ${refused.length === 1 ? 'applies' : 'apply'} to archive imports only; an OpenAPI import creates or updates proxies from the document (deploy them afterwards with POST .../apiProxies/{name}/deployments).`,
      refused.map((field) => ({ pointer: `/${field}`, detail: 'is not supported for an OpenAPI document' })),
    );
  }
  const policy = conflicts.apiProxy;
  if (policy === 'rename') {
    throw new ValidationError('conflicts "rename" is not supported for an OpenAPI document: use "fail", "keep" (merge) or "overwrite" (override).', [
      { pointer: typeof options.conflicts === 'string' ? '/conflicts' : '/conflicts/apiProxy', detail: 'must be fail, keep or overwrite for an OpenAPI document' },
    ]);
  }
  const mode: ImportMode = policy === 'overwrite' ? 'override' : 'merge';
  return { apiMode: mode, extendMode: mode, failOnConflict: policy === 'fail', dryRun: options.dryRun ?? false };
}
