import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { Kysely, PostgresDialect, PGliteDialect, sql } from 'kysely';
import { Migrator, type MigrationProvider } from 'kysely/migration';
import pg from 'pg';
import type { Database } from './schema.js';
import { migrations } from './migrations/index.js';

export type CatalogDb = Kysely<Database>;

export interface DatabaseSettings {
  /** PostgreSQL connection string; without one an embedded PGlite database serves. */
  url?: string;
  dataDir: string;
  poolSize?: number;
  /**
   * A pooled connection that breaks while idle or between the queries of a transaction
   * (the server restarted, a failover) is reported here and dropped. Without a listener Node would treat
   * the report as an unhandled 'error' event and end the process.
   */
  onIdleConnectionError?: (err: Error) => void;
}

export interface OpenedDatabase {
  db: CatalogDb;
  embedded: boolean;
  close(): Promise<void>;
}

export async function openDatabase(settings: DatabaseSettings): Promise<OpenedDatabase> {
  if (settings.url) {
    const pool = new pg.Pool({ connectionString: settings.url, max: settings.poolSize ?? 10 });
    const report = (err: Error) => settings.onIdleConnectionError?.(err);
    pool.on('error', report);
    // A checked-out connection between two queries of a transaction reports on itself; the
    // transaction's next query then fails, and the pool discards the connection on release.
    pool.on('connect', (client) => client.on('error', report));
    const db = new Kysely<Database>({ dialect: new PostgresDialect({ pool }) });
    return { db, embedded: false, close: () => db.destroy() };
  }
  // PGlite is imported lazily: production deployments on PostgreSQL never load its WASM.
  const { PGlite } = await import('@electric-sql/pglite');
  const dir = join(settings.dataDir, 'pglite');
  await mkdir(dir, { recursive: true });
  const pglite = new PGlite(dir);
  const db = new Kysely<Database>({ dialect: new PGliteDialect({ pglite }) });
  return { db, embedded: true, close: () => db.destroy() };
}

/**
 * Takes a PostgreSQL advisory lock named by `name` for the rest of the transaction `trx`;
 * false when another session holds it. Transaction-scoped, so it works on a pool: the
 * lock lives and dies with the one connection the transaction runs on.
 */
export async function tryAdvisoryXactLock(trx: CatalogDb, name: string): Promise<boolean> {
  const { rows } = await sql<{ locked: boolean }>`select pg_try_advisory_xact_lock(hashtext(${name})) as locked`.execute(trx);
  return rows[0]?.locked === true;
}

const provider: MigrationProvider = { getMigrations: async () => migrations };

/** Applies every pending migration; throws with the failing migration's name. */
export async function migrateToLatest(db: CatalogDb): Promise<string[]> {
  const migrator = new Migrator({ db, provider });
  const { error, results } = await migrator.migrateToLatest();
  if (error) {
    const failed = results?.find((r) => r.status === 'Error')?.migrationName ?? 'unknown';
    throw new Error(`migration ${failed} failed: ${(error as Error).message}`);
  }
  return (results ?? []).filter((r) => r.status === 'Success').map((r) => r.migrationName);
}
