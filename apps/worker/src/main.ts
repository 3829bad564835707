import 'reflect-metadata';
import { NestFactory } from '@nestjs/core';
import { Module, type DynamicModule } from '@nestjs/common';
import { CatalogModule } from '#catalog';
import { ConfigError, ConfigModule, loadConfig, type AppConfig } from '#config';
import { JobsModule } from '#jobs';
import { createLogger, LoggingModule } from '#observability';
import { StorageModule } from '#storage';
import type { Logger } from 'pino';
import { WorkerModule } from './worker.module.js';

@Module({})
class WorkerAppModule {
  static forRoot(config: AppConfig, logger: Logger): DynamicModule {
    return {
      module: WorkerAppModule,
      imports: [ConfigModule.forRoot(config), LoggingModule.forRoot(logger), CatalogModule, StorageModule, JobsModule, WorkerModule],
    };
  }
}

/** A worker process: no HTTP server, only queues. Several may run side by side. */
async function main(): Promise<void> {
  let config: AppConfig;
  try {
    config = loadConfig();
  } catch (err) {
    if (err instanceof ConfigError) {
      console.error(err.message);
      process.exit(2);
    }
    throw err;
  }
  if (!config.databaseUrl) {
    console.error('DATABASE_URL is not set: with the embedded database the worker runs inside the API process (npm start).');
    process.exit(2);
  }
  const logger = createLogger(config.log.level, { process: 'worker', pid: process.pid });
  const app = await NestFactory.createApplicationContext(WorkerAppModule.forRoot(config, logger), { logger: false, abortOnError: false });
  app.enableShutdownHooks();
  logger.info('worker started');
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
