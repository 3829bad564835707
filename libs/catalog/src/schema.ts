import type { ColumnType, Generated, JSONColumnType } from 'kysely';

/** Timestamps come back from pg and PGlite as Date; we write Date or let the default fill them. */
type Timestamp = ColumnType<Date, Date | string | undefined, Date | string>;
type NullableTimestamp = ColumnType<Date | null, Date | string | null | undefined, Date | string | null>;
type Json<T extends object> = JSONColumnType<T, string, string>;

export interface ProjectTable {
  id: Generated<string>;
  name: string;
  description: string;
  created_at: Generated<Date>;
  updated_at: Generated<Date>;
}

/** Identity and indexed fields are columns; the rest of the definition is one JSON document. */
export interface ApiProxyTable {
  project_id: string;
  uuid: string;
  name: string;
  type: string;
  base_path: string;
  version: string;
  revision: number;
  definition: Json<Record<string, unknown>>;
  created_at: Generated<Date>;
  updated_at: Generated<Date>;
}

export interface PolicyTable {
  project_id: string;
  uuid: string;
  name: string;
  type: string;
  phase: string;
  config: Json<Record<string, unknown>>;
  revision: number;
  created_at: Generated<Date>;
  updated_at: Generated<Date>;
}

export interface AliasTable {
  project_id: string;
  uuid: string;
  name: string;
  kind: string;
  value: Json<Record<string, unknown>>;
  /** Secret fields of the alias (passwords, client secrets); never logged, sealed in archives. */
  secrets: Json<Record<string, string>>;
  created_at: Generated<Date>;
  updated_at: Generated<Date>;
}

export interface ApplicationTable {
  project_id: string;
  uuid: string;
  name: string;
  definition: Json<Record<string, unknown>>;
  /** Credentials (API keys, client secrets). */
  secrets: Json<Record<string, string>>;
  created_at: Generated<Date>;
  updated_at: Generated<Date>;
}

export interface EnvironmentTable {
  project_id: string;
  name: string;
  driver: string;
  settings: Json<Record<string, unknown>>;
  created_at: Generated<Date>;
  updated_at: Generated<Date>;
}

export interface DeploymentTable {
  project_id: string;
  proxy_uuid: string;
  environment_name: string;
  revision: number;
  status: string;
  message: string | null;
  deployed_at: Timestamp;
}

export interface JobTable {
  id: string;
  kind: string;
  project_id: string | null;
  state: string;
  payload: Json<Record<string, unknown>>;
  progress: Json<Record<string, unknown>> | null;
  result: Json<Record<string, unknown>> | null;
  error: Json<Record<string, unknown>> | null;
  requested_by: string | null;
  attempts: Generated<number>;
  cancel_requested: Generated<boolean>;
  created_at: Generated<Date>;
  started_at: NullableTimestamp;
  finished_at: NullableTimestamp;
  updated_at: Generated<Date>;
  expires_at: NullableTimestamp;
}

/** One asset's line of an import report (see migration 0006). */
export interface JobReportItemTable {
  job_id: string;
  seq: number;
  type: string;
  uuid: string;
  action: string;
  item: Json<Record<string, unknown>>;
  created_at: Generated<Date>;
}

export interface IdempotencyKeyTable {
  token_id: string;
  key: string;
  request_hash: string;
  /** null while the first request holding the key is still creating its job. */
  job_id: string | null;
  created_at: Generated<Date>;
}

export interface TokenTable {
  id: Generated<string>;
  name: string;
  /** First characters of the token, shown in listings so a user can tell tokens apart. */
  display_prefix: string;
  /** SHA-256 hex of the whole token: the token itself is never stored. */
  hash: string;
  instance_admin: boolean;
  created_by: string | null;
  created_at: Generated<Date>;
  expires_at: Timestamp;
  last_used_at: NullableTimestamp;
  revoked_at: NullableTimestamp;
}

export interface TokenGrantTable {
  token_id: string;
  /** Grants name the project so that a grant never reveals whether the project exists. */
  project_name: string;
  permission: string;
}

export interface WebhookEndpointTable {
  id: Generated<string>;
  project_id: string;
  url: string;
  events: Json<string[]>;
  secret: string;
  previous_secret: string | null;
  previous_secret_expires_at: NullableTimestamp;
  enabled: boolean;
  disabled_reason: string | null;
  first_failure_at: NullableTimestamp;
  /** Set for an endpoint given with one job: it hears only that job's events. */
  job_id: ColumnType<string | null, string | null | undefined, never>;
  created_at: Generated<Date>;
  updated_at: Generated<Date>;
}

export interface WebhookDeliveryTable {
  id: Generated<string>;
  endpoint_id: string | null;
  url: string;
  job_id: string | null;
  event_type: string;
  webhook_id: string;
  payload: Json<Record<string, unknown>>;
  attempt: number;
  status_code: number | null;
  latency_ms: number | null;
  error: string | null;
  /** pending → succeeded | failed | skipped (the endpoint was disabled or deleted meanwhile). */
  state: Generated<string>;
  /** event (first attempt), retry (scheduled after a failure) or manual (redelivered by hand). */
  trigger: Generated<string>;
  scheduled_at: Generated<Date>;
  attempted_at: NullableTimestamp;
  created_at: Generated<Date>;
}

export interface UploadTable {
  id: string;
  project_id: string;
  object_key: string;
  file_name: string;
  /** The S3 multipart upload id while a presigned upload is open. */
  s3_upload_id: string | null;
  /** open → ready (complete, checked to be a ZIP) | aborted */
  state: string;
  size: ColumnType<number | null, number | null | undefined, number | null>;
  /** A presigned upload's size as the client declared it when opening it. */
  declared_size: ColumnType<number | null, number | null | undefined, number | null>;
  /** A presigned upload's part size: part n covers bytes [(n - 1) × part_size, n × part_size). */
  part_size: ColumnType<number | null, number | null | undefined, number | null>;
  created_by: string | null;
  created_at: Generated<Date>;
  expires_at: Timestamp;
}

export interface Database {
  uploads: UploadTable;
  projects: ProjectTable;
  api_proxies: ApiProxyTable;
  policies: PolicyTable;
  aliases: AliasTable;
  applications: ApplicationTable;
  environments: EnvironmentTable;
  deployments: DeploymentTable;
  jobs: JobTable;
  job_report_items: JobReportItemTable;
  idempotency_keys: IdempotencyKeyTable;
  tokens: TokenTable;
  token_grants: TokenGrantTable;
  webhook_endpoints: WebhookEndpointTable;
  webhook_deliveries: WebhookDeliveryTable;
}
