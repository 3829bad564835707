import 'reflect-metadata';
import { spawn } from 'node:child_process';
import { mkdir } from 'node:fs/promises';
import { createServer, Socket } from 'node:net';
import { join } from 'node:path';
import { ConfigError, loadConfig, type AppConfig } from '#config';
import { createLogger } from '#observability';
import { startApi } from './bootstrap.js';

/**
 * `npm start`: the whole service on one machine with nothing configured. Redis is used
 * where it answers (or started from the local redis-server binary), the catalog lives in
 * embedded PGlite and objects in a local S3-compatible server, both under DATA_DIR; the
 * worker runs inside the API process. Anything configured explicitly is used as it is.
 */
async function main(): Promise<void> {
  const env = { ...process.env };
  let config: AppConfig;
  try {
    config = loadConfig(env);
  } catch (err) {
    if (err instanceof ConfigError) {
      console.error(err.message);
      process.exit(2);
    }
    throw err;
  }
  await mkdir(config.dataDir, { recursive: true });
  const logger = createLogger(config.log.level, { process: 'standalone', pid: process.pid });

  if (!process.env.REDIS_URL) await ensureLocalRedis(config.dataDir);
  if (!config.s3.endpoint) {
    const endpoint = await startLocalObjectStore(config.dataDir);
    config = loadConfig({ ...env, S3_ENDPOINT: endpoint, S3_ACCESS_KEY_ID: 'S3RVER', S3_SECRET_ACCESS_KEY: 'S3RVER' });
    logger.info({ endpoint, directory: join(config.dataDir, 's3') }, 'local object store started');
  }
  const { url } = await startApi(config, logger);
  process.stdout.write(`\n  apiferry is running at ${url}  (OpenAPI: ${url}/docs)\n  data directory: ${config.dataDir}\n\n`);
}

function portAnswers(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = new Socket();
    socket.setTimeout(500);
    socket.once('connect', () => (socket.destroy(), resolve(true)));
    socket.once('timeout', () => (socket.destroy(), resolve(false)));
    socket.once('error', () => resolve(false));
    socket.connect(port, '127.0.0.1');
  });
}

async function ensureLocalRedis(dataDir: string): Promise<void> {
  if (await portAnswers(6379)) return;
  const dir = join(dataDir, 'redis');
  await mkdir(dir, { recursive: true });
  const child = spawn('redis-server', ['--bind', '127.0.0.1', '--port', '6379', '--save', '', '--appendonly', 'no', '--dir', dir], {
    stdio: 'ignore',
    detached: false,
  });
  const spawned = await new Promise<boolean>((resolve) => {
    child.once('error', () => resolve(false));
    child.once('spawn', () => resolve(true));
  });
  if (!spawned) {
    console.error('Redis is not running on 127.0.0.1:6379 and no redis-server binary was found: install Redis (apt-get install redis-server) or set REDIS_URL.');
    process.exit(2);
  }
  process.once('exit', () => child.kill());
  for (let i = 0; i < 50 && !(await portAnswers(6379)); i++) await new Promise((r) => setTimeout(r, 100));
}

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => resolve(typeof address === 'object' && address ? address.port : 0));
    });
  });
}

/** s3rver keeps objects as files under DATA_DIR/s3: fine for one machine, not for production. */
async function startLocalObjectStore(dataDir: string): Promise<string> {
  const directory = join(dataDir, 's3');
  await mkdir(directory, { recursive: true });
  const { default: S3rver } = await import('s3rver');
  const port = await freePort();
  await new S3rver({ address: '127.0.0.1', port, directory, silent: true }).run();
  return `http://127.0.0.1:${port}`;
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
