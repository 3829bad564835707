/**
 * The one typed list of jobs. Each kind has its own BullMQ queue, so a flood of one kind
 * (a bulk import) never waits behind another, and each has exactly one handler (checked
 * when the worker starts).
 *
 * Dedup rule, for every kind: the BullMQ job id is the job record's id. Adding a job
 * whose id is already in the queue is a no-op, so the reconciler and a retried request
 * can never run one job twice side by side.
 */
export enum JobKind {
  ProjectInventory = 'project.inventory',
  ArchiveExport = 'archive.export',
  ArchiveImport = 'archive.import',
  ProxyDeploy = 'proxy.deploy',
  ProxyUndeploy = 'proxy.undeploy',
  OpenApiExport = 'openapi.export',
  OpenApiImport = 'openapi.import',
}

export interface ExportInclude {
  applications: boolean;
  resources: boolean;
  scopes: boolean;
  deploymentState: boolean;
  /** Seal secret fields with the passphrase; without it they are left out. */
  secrets: boolean;
}

export interface ExportPayload {
  projectId: string;
  projectName: string;
  /** Proxy names or uuids; empty means the whole project. */
  proxies: string[];
  include: ExportInclude;
  /** The passphrase sealed with the service key (SecretBox), never in plaintext. */
  sealedPassphrase?: string;
  /** The name the archive is downloaded as. */
  fileName: string;
  /** Write the bare `<apiProxyName>.json` copy vendor tools read (single-proxy exports). */
  vendorCopy: boolean;
  /**
   * An explicit selection per asset type (names or uuids, or '*' for every one), set by
   * the asset-archive face. With it, `proxies` empty means no proxies (not the whole
   * project), and only the named shared assets travel besides the required dependencies.
   */
  selection?: AssetSelection;
  /** The package face's options: what of each API's surroundings travels with it. */
  packageOptions?: PackageExportOptions;
}

export interface PackageExportOptions {
  /** Shared policies whose class is operational (the default class). */
  operationalPolicies: boolean;
  /** Shared policies of class qos. */
  qosPolicies: boolean;
  /** The PKI alias each API names (certificate, and the private key sealed). */
  pki: boolean;
  /** The admin relationships of each API. */
  admins: boolean;
  /** The implementation services: each API's routing to its backends. */
  services: boolean;
}

export interface AssetSelection {
  apiProxy: string[] | '*';
  policy: string[] | '*';
  alias: string[] | '*';
  application: string[] | '*';
}

export interface ImportPayload {
  projectId: string;
  projectName: string;
  uploadId: string;
  objectKey: string;
  conflicts: Record<string, string>;
  dryRun: boolean;
  routing?: Record<string, unknown>;
  maintenanceMode?: boolean;
  /** Source backend address (prefix) → target address. */
  endpointMap?: Record<string, string>;
  sealedPassphrase?: string;
  deploy: boolean;
  deployTargetEnvironmentNameList: string[];
  /** A clash under `fail` fails that asset alone instead of the whole import (asset-archive face). */
  clashFailsAsset?: boolean;
  /** Deploy each imported proxy to the environments its archive deployment state names. */
  preserveAssetState?: boolean;
}

/** Deploy or undeploy one proxy on the named environments (checked to exist when requested). */
export interface ProxyDeploymentPayload {
  projectId: string;
  projectName: string;
  proxyUuid: string;
  proxyName: string;
  environments: string[];
}

/** An API group (project) written as one OpenAPI document (libs/openapi). */
export interface OpenApiExportPayload {
  projectId: string;
  projectName: string;
  /** Only the proxies deployed there; absent: the whole group (or `apis`). */
  environment?: string;
  /** Proxy uuids or names; empty: every proxy (of the environment). */
  apis: string[];
  define: 'spec' | 'proxy' | 'all';
  format: 'json' | 'yaml';
  oasVersion: '2.0' | '3.0';
  /** info.version; absent: the export time. */
  version?: string;
  fileName: string;
}

/** An OpenAPI document (uploaded to `objectKey`) into a group, or into a new group named from info.title. */
export interface OpenApiImportPayload {
  /** Null when the import creates its group. */
  projectId: string | null;
  projectName: string;
  createGroup: boolean;
  objectKey: string;
  apiMode: 'merge' | 'override';
  extendMode: 'merge' | 'override';
  mockMode: boolean;
  /** /v1 conflicts "fail": an existing proxy or operation fails the whole import (absent: false). */
  failOnConflict?: boolean;
  /** /v1 dryRun: plan and report, change nothing (absent: false). */
  dryRun?: boolean;
}

export interface JobPayloads {
  [JobKind.ProjectInventory]: { projectId: string; projectName: string };
  [JobKind.ArchiveExport]: ExportPayload;
  [JobKind.ArchiveImport]: ImportPayload;
  [JobKind.ProxyDeploy]: ProxyDeploymentPayload;
  [JobKind.ProxyUndeploy]: ProxyDeploymentPayload;
  [JobKind.OpenApiExport]: OpenApiExportPayload;
  [JobKind.OpenApiImport]: OpenApiImportPayload;
}

export type JobPayload<K extends JobKind> = JobPayloads[K];

export const ALL_JOB_KINDS: readonly JobKind[] = Object.values(JobKind);

export function isJobKind(value: string): value is JobKind {
  return (ALL_JOB_KINDS as readonly string[]).includes(value);
}

/** BullMQ queue names may not hold ':'; keep them readable in redis-cli. */
export function queueNameOf(kind: JobKind): string {
  return `jobs-${kind.replace(/\./g, '-')}`;
}
