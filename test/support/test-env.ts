import { readFileSync } from 'node:fs';
import { join } from 'node:path';

export const RUN_DIR = join(process.cwd(), 'test', '.run');
/**
 * One file per run (global setup names it in the environment, which jest's workers
 * inherit), so two suites running side by side on one machine never read each other's.
 */
export function envFile(): string {
  return process.env.APIFERRY_TEST_ENV_FILE ?? join(RUN_DIR, `env-${process.pid}.json`);
}

export interface TestEnv {
  runId: string;
  adminDatabaseUrl: string;
  database: string;
  databaseUrl: string;
  redisUrl: string;
  queuePrefix: string;
  adminToken: string;
  s3: { endpoint: string; accessKeyId: string; secretAccessKey: string; region: string; bucket: string };
}

let cached: TestEnv | undefined;

/** What global-setup started for this run. */
export function testEnv(): TestEnv {
  cached ??= JSON.parse(readFileSync(envFile(), 'utf8')) as TestEnv;
  return cached;
}

/** The service's environment variables for this run; overrides win. */
export function serviceEnv(overrides: Record<string, string> = {}): Record<string, string> {
  const env = testEnv();
  return {
    DATABASE_URL: env.databaseUrl,
    REDIS_URL: env.redisUrl,
    QUEUE_PREFIX: env.queuePrefix,
    APIFERRY_BOOTSTRAP_TOKEN: env.adminToken,
    S3_ENDPOINT: env.s3.endpoint,
    S3_ACCESS_KEY_ID: env.s3.accessKeyId,
    S3_SECRET_ACCESS_KEY: env.s3.secretAccessKey,
    S3_REGION: env.s3.region,
    S3_BUCKET: env.s3.bucket,
    LOG_LEVEL: 'info',
    ...overrides,
  };
}
