import 'reflect-metadata';
import { ConfigError, loadConfig } from '#config';
import { createLogger } from '#observability';
import { startApi } from './bootstrap.js';

/** The API process (and, with WORKER_IN_PROCESS or the embedded database, the worker too). */
async function main(): Promise<void> {
  let config;
  try {
    config = loadConfig();
  } catch (err) {
    if (err instanceof ConfigError) {
      console.error(err.message);
      process.exit(2);
    }
    throw err;
  }
  const logger = createLogger(config.log.level, { process: 'api', pid: process.pid });
  await startApi(config, logger);
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
