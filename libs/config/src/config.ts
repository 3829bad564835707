import { isIP } from 'node:net';
import { hostname } from 'node:os';
import { resolve } from 'node:path';

/**
 * The whole runtime configuration, parsed once at start from the environment.
 * Nothing else in the code base reads process.env: take an AppConfig instead.
 */
export interface AppConfig {
  http: { host: string; port: number; publicUrl?: string };
  dataDir: string;
  /** Names this installation in archive manifests (source.instance). */
  instanceName: string;
  /** undefined: embedded PGlite under dataDir (API and worker then share one process). */
  databaseUrl?: string;
  redis: { url: string; queuePrefix: string };
  s3: {
    endpoint?: string;
    /**
     * The endpoint put into presigned URLs handed to clients, when they reach the store at
     * another address than the service does (an internal S3_ENDPOINT, a public one for clients).
     */
    presignEndpoint?: string;
    region: string;
    bucket: string;
    accessKeyId?: string;
    secretAccessKey?: string;
    forcePathStyle: boolean;
    createBucket: boolean;
    presignTtlSeconds: number;
  };
  auth: { bootstrapToken?: string; maxTokenTtlDays: number };
  /** base64 of 32 bytes; seals passphrases waiting in job records. Default: DATA_DIR/secret.key. */
  secretKey?: string;
  archive: {
    /** Largest archive accepted through a form upload (presigned uploads have no cap here). */
    maxFormUploadBytes: number;
    /** Bytes per part of a presigned multipart upload handed to clients. */
    uploadPartBytes: number;
    /** How long a proxy-face request waits for its job before answering 202. */
    syncWaitMs: number;
    /**
     * The archive reader's and writer's limits, where the operator raised or lowered them;
     * unset ones keep the archive library's defaults (docs/OPERATIONS.md, "Limits").
     */
    limits: {
      maxEntries?: number;
      maxJsonEntryBytes?: number;
      maxManifestBytes?: number;
      maxResourceEntryBytes?: number;
      maxTotalBytes?: number;
      maxCompressionRatio?: number;
    };
  };
  jobs: {
    attempts: number;
    backoffMs: number;
    concurrency: number;
    /** Artificial pause between processing steps; lets operators and tests watch a job run. */
    stepDelayMs: number;
    lockDurationMs: number;
    stalledIntervalMs: number;
    maxStalledCount: number;
    reconcileIntervalMs: number;
    /** A queued/running job older than this with no BullMQ entry is re-enqueued. */
    reconcileGraceMs: number;
    retentionDays: number;
    /** How often a worker deletes expired jobs, their artifacts, expired uploads and old idempotency keys. */
    retentionSweepIntervalMs: number;
    /** How often an open GET /v1/jobs/{id}/events stream reads its job record. */
    eventsPollMs: number;
  };
  webhooks: {
    /** A delivery that has no answer within this many milliseconds has failed. */
    timeoutMs: number;
    /** Multiplies the retry schedule (5 s ... 24 h); tests shrink it, 1 in production. */
    retryScale: number;
    /** IPs and CIDRs deliveries may reach although they are private, loopback or link-local. */
    allowedHosts: string[];
    /** Deliveries one worker process makes at once. */
    concurrency: number;
  };
  log: { level: string };
  /** Run the worker inside the API process (forced on with embedded PGlite). */
  workerInProcess: boolean;
}

export class ConfigError extends Error {
  constructor(readonly problems: string[]) {
    super(`invalid configuration:\n  - ${problems.join('\n  - ')}`);
    this.name = 'ConfigError';
  }
}

type Env = Record<string, string | undefined>;

/** Reads variables, collecting every problem so the process can name them all at once. */
class EnvReader {
  readonly problems: string[] = [];
  constructor(private readonly env: Env) {}

  string(name: string, fallback: string): string {
    const value = this.env[name];
    return value === undefined || value === '' ? fallback : value;
  }

  optional(name: string): string | undefined {
    const value = this.env[name];
    return value === undefined || value === '' ? undefined : value;
  }

  int(name: string, fallback: number, min = 0, max = Number.MAX_SAFE_INTEGER): number {
    const raw = this.optional(name);
    if (raw === undefined) return fallback;
    const value = Number(raw);
    if (!Number.isInteger(value) || value < min || value > max) {
      this.problems.push(`${name}=${JSON.stringify(raw)} must be an integer between ${min} and ${max}`);
      return fallback;
    }
    return value;
  }

  bool(name: string, fallback: boolean): boolean {
    const raw = this.optional(name);
    if (raw === undefined) return fallback;
    if (['1', 'true', 'yes', 'on'].includes(raw.toLowerCase())) return true;
    if (['0', 'false', 'no', 'off'].includes(raw.toLowerCase())) return false;
    this.problems.push(`${name}=${JSON.stringify(raw)} must be true or false`);
    return fallback;
  }

  url(name: string, fallback?: string): string | undefined {
    const raw = this.optional(name) ?? fallback;
    if (raw === undefined) return undefined;
    try {
      new URL(raw);
    } catch {
      this.problems.push(`${name}=${JSON.stringify(raw)} is not a URL`);
    }
    return raw;
  }

  float(name: string, fallback: number, min: number, max: number): number {
    const raw = this.optional(name);
    if (raw === undefined) return fallback;
    const value = Number(raw);
    if (!Number.isFinite(value) || value < min || value > max) {
      this.problems.push(`${name}=${JSON.stringify(raw)} must be a number between ${min} and ${max}`);
      return fallback;
    }
    return value;
  }

  /** Comma-separated IP addresses and CIDR blocks (10.1.0.0/16, fd00::/8). */
  cidrList(name: string): string[] {
    const entries = (this.optional(name) ?? '').split(',').map((e) => e.trim()).filter((e) => e.length > 0);
    for (const entry of entries) {
      const [address, prefix, extra] = entry.split('/');
      const version = isIP(address ?? '');
      const bits = version === 4 ? 32 : 128;
      const prefixOk = prefix === undefined || (/^\d{1,3}$/.test(prefix) && Number(prefix) <= bits);
      if (version === 0 || !prefixOk || extra !== undefined) this.problems.push(`${name}: ${JSON.stringify(entry)} is not an IP address or CIDR block`);
    }
    return entries;
  }
}

export function loadConfig(env: Env = process.env): AppConfig {
  const read = new EnvReader(env);
  const optionalInt = (name: string, min: number, max: number) => (read.optional(name) === undefined ? undefined : read.int(name, min, min, max));
  const databaseUrl = read.url('DATABASE_URL');
  const config: AppConfig = {
    http: {
      host: read.string('HOST', '127.0.0.1'),
      port: read.int('PORT', 8080, 0, 65535),
      publicUrl: read.url('PUBLIC_URL'),
    },
    dataDir: resolve(read.string('DATA_DIR', '.data')),
    instanceName: read.string('INSTANCE_NAME', hostname()),
    databaseUrl,
    redis: {
      url: read.url('REDIS_URL', 'redis://127.0.0.1:6379') as string,
      queuePrefix: read.string('QUEUE_PREFIX', 'apiferry'),
    },
    s3: {
      endpoint: read.url('S3_ENDPOINT'),
      presignEndpoint: read.url('S3_PRESIGN_ENDPOINT'),
      region: read.string('S3_REGION', 'us-east-1'),
      bucket: read.string('S3_BUCKET', 'apiferry'),
      accessKeyId: read.optional('S3_ACCESS_KEY_ID'),
      secretAccessKey: read.optional('S3_SECRET_ACCESS_KEY'),
      forcePathStyle: read.bool('S3_FORCE_PATH_STYLE', true),
      createBucket: read.bool('S3_CREATE_BUCKET', true),
      presignTtlSeconds: read.int('S3_PRESIGN_TTL_SECONDS', 3600, 60, 7 * 24 * 3600),
    },
    auth: {
      bootstrapToken: read.optional('APIFERRY_BOOTSTRAP_TOKEN'),
      maxTokenTtlDays: read.int('TOKEN_MAX_TTL_DAYS', 366, 1, 3660),
    },
    secretKey: read.optional('APIFERRY_SECRET_KEY'),
    archive: {
      maxFormUploadBytes: read.int('MAX_FORM_UPLOAD_BYTES', 512 * 1024 * 1024, 1024),
      uploadPartBytes: read.int('UPLOAD_PART_BYTES', 64 * 1024 * 1024, 5 * 1024 * 1024, 5 * 1024 * 1024 * 1024),
      syncWaitMs: read.int('SYNC_WAIT_MS', 30_000, 0, 600_000),
      limits: {
        maxEntries: optionalInt('ARCHIVE_MAX_ENTRIES', 1, 10_000_000),
        maxJsonEntryBytes: optionalInt('ARCHIVE_MAX_JSON_ENTRY_BYTES', 1024, 2 ** 31 - 1),
        maxManifestBytes: optionalInt('ARCHIVE_MAX_MANIFEST_BYTES', 1024, 2 ** 31 - 1),
        maxResourceEntryBytes: optionalInt('ARCHIVE_MAX_RESOURCE_ENTRY_BYTES', 1024, Number.MAX_SAFE_INTEGER),
        maxTotalBytes: optionalInt('ARCHIVE_MAX_TOTAL_BYTES', 1024 * 1024, Number.MAX_SAFE_INTEGER),
        maxCompressionRatio: optionalInt('ARCHIVE_MAX_COMPRESSION_RATIO', 2, 100_000),
      },
    },
    jobs: {
      attempts: read.int('JOB_ATTEMPTS', 5, 1, 100),
      backoffMs: read.int('JOB_BACKOFF_MS', 2000, 0),
      concurrency: read.int('WORKER_CONCURRENCY', 2, 1, 256),
      stepDelayMs: read.int('JOB_STEP_DELAY_MS', 0, 0, 600_000),
      lockDurationMs: read.int('JOB_LOCK_DURATION_MS', 30_000, 1000),
      stalledIntervalMs: read.int('JOB_STALLED_INTERVAL_MS', 30_000, 500),
      maxStalledCount: read.int('JOB_MAX_STALLED_COUNT', 3, 0, 100),
      reconcileIntervalMs: read.int('RECONCILE_INTERVAL_MS', 30_000, 200),
      reconcileGraceMs: read.int('RECONCILE_GRACE_MS', 10_000, 0),
      retentionDays: read.int('RETENTION_DAYS', 30, 1, 3650),
      retentionSweepIntervalMs: read.int('RETENTION_SWEEP_INTERVAL_MS', 3_600_000, 100, 86_400_000),
      eventsPollMs: read.int('JOB_EVENTS_POLL_MS', 300, 50, 10_000),
    },
    webhooks: {
      timeoutMs: read.int('WEBHOOK_TIMEOUT_MS', 15_000, 100, 60_000),
      retryScale: read.float('WEBHOOK_RETRY_SCALE', 1, 0.000001, 100),
      allowedHosts: read.cidrList('WEBHOOK_ALLOWED_HOSTS'),
      concurrency: read.int('WEBHOOK_CONCURRENCY', 10, 1, 256),
    },
    log: { level: read.string('LOG_LEVEL', 'info') },
    workerInProcess: databaseUrl === undefined ? true : read.bool('WORKER_IN_PROCESS', false),
  };
  const token = config.auth.bootstrapToken;
  if (token !== undefined && !/^afy_[A-Za-z0-9]{32,}$/.test(token)) {
    read.problems.push('APIFERRY_BOOTSTRAP_TOKEN must look like afy_ followed by at least 32 letters or digits');
  }
  if (config.secretKey !== undefined && Buffer.from(config.secretKey, 'base64').length !== 32) {
    read.problems.push('APIFERRY_SECRET_KEY must be the base64 encoding of 32 random bytes (openssl rand -base64 32)');
  }
  const presign = config.s3.presignEndpoint;
  if (presign !== undefined && URL.canParse(presign)) {
    // The store sees the request's own path: a path here would be signed but not sent to it.
    const url = new URL(presign);
    if (!['http:', 'https:'].includes(url.protocol) || url.pathname !== '/' || url.search || url.hash || url.username || url.password) {
      read.problems.push(`S3_PRESIGN_ENDPOINT=${JSON.stringify(presign)} must be an http(s) origin with no path, such as https://s3.example.com`);
    }
  }
  if (!['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'].includes(config.log.level)) {
    read.problems.push(`LOG_LEVEL=${config.log.level} must be one of fatal, error, warn, info, debug, trace, silent`);
  }
  if (read.problems.length > 0) throw new ConfigError(read.problems);
  return config;
}
