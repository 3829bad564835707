import { randomBytes } from 'node:crypto';
import { mkdir, writeFile } from 'node:fs/promises';
import pg from 'pg';
import { generateToken } from '#core';
// jest loads global setup through Node's own loader, not its transformer: this file is
// plain JavaScript importing TypeScript by Node 24's type stripping, and #core from dist/.
import { startCephRgw } from './ceph-rgw.ts';
import { envFile, RUN_DIR } from './test-env.ts';

const ADMIN_DATABASE_URL = process.env.TEST_ADMIN_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test';

/**
 * One run of the e2e suite: a real S3 server (Ceph RGW), a fresh PostgreSQL database and a
 * unique queue prefix, described in test/.run/env.json for the test files to read.
 */
export default async function globalSetup() {
  const runId = `${Date.now().toString(36)}${randomBytes(3).toString('hex')}`;
  const rgw = await startCephRgw();
  globalThis.__apiferryRgw = rgw;

  const database = `apiferry_e2e_${runId}`;
  const admin = new pg.Client({ connectionString: ADMIN_DATABASE_URL });
  await admin.connect();
  await admin.query(`create database ${database}`);
  await admin.end();
  const databaseUrl = new URL(ADMIN_DATABASE_URL);
  databaseUrl.pathname = `/${database}`;

  const env = {
    runId,
    adminDatabaseUrl: ADMIN_DATABASE_URL,
    database,
    databaseUrl: databaseUrl.toString(),
    redisUrl: process.env.TEST_REDIS_URL ?? 'redis://127.0.0.1:6379',
    queuePrefix: `apiferry-e2e-${runId}`,
    adminToken: generateToken(),
    s3: { endpoint: rgw.endpoint, accessKeyId: rgw.accessKeyId, secretAccessKey: rgw.secretAccessKey, region: rgw.region, bucket: `apiferry-${runId}` },
  };
  await mkdir(RUN_DIR, { recursive: true });
  const file = envFile();
  process.env.APIFERRY_TEST_ENV_FILE = file;
  await writeFile(file, JSON.stringify(env, null, 2));
}
