import { Global, Inject, Module, type OnApplicationShutdown } from '@nestjs/common';
import { APP_CONFIG, type AppConfig } from '#config';
import { SecretBox } from '#core';
import { JobQueue } from './job-queue.js';
import { redisConnectionFromUrl } from './redis.js';

/** Provides the JobQueue (enqueueing side); the worker adds its own runner on top. */
@Global()
@Module({
  providers: [
    {
      provide: JobQueue,
      inject: [APP_CONFIG],
      useFactory: (config: AppConfig) =>
        new JobQueue({
          redis: redisConnectionFromUrl(config.redis.url),
          prefix: config.redis.queuePrefix,
          attempts: config.jobs.attempts,
          backoffMs: config.jobs.backoffMs,
        }),
    },
    {
      provide: SecretBox,
      inject: [APP_CONFIG],
      useFactory: (config: AppConfig) => SecretBox.load(config.secretKey, config.dataDir),
    },
  ],
  exports: [JobQueue, SecretBox],
})
export class JobsModule implements OnApplicationShutdown {
  constructor(@Inject(JobQueue) private readonly queue: JobQueue) {}

  async onApplicationShutdown(): Promise<void> {
    await this.queue.close();
  }
}
