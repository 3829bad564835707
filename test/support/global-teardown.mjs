import { readFile, rm } from 'node:fs/promises';
import pg from 'pg';
import { envFile } from './test-env.ts';

export default async function globalTeardown() {
  const rgw = globalThis.__apiferryRgw;
  await rgw?.stop();
  const env = JSON.parse(await readFile(envFile(), 'utf8'));
  const admin = new pg.Client({ connectionString: env.adminDatabaseUrl });
  await admin.connect();
  await admin.query(`drop database if exists ${env.database} with (force)`);
  await admin.end();
  await rm(envFile(), { force: true });
}
