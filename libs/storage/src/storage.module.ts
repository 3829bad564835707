import { Global, Inject, Module, type OnApplicationShutdown, type OnModuleInit } from '@nestjs/common';
import { APP_CONFIG, type AppConfig } from '#config';
import { ObjectStore } from './object-store.js';

@Global()
@Module({
  providers: [
    {
      provide: ObjectStore,
      inject: [APP_CONFIG],
      useFactory: (config: AppConfig) =>
        new ObjectStore({
          endpoint: config.s3.endpoint,
          presignEndpoint: config.s3.presignEndpoint,
          region: config.s3.region,
          bucket: config.s3.bucket,
          accessKeyId: config.s3.accessKeyId,
          secretAccessKey: config.s3.secretAccessKey,
          forcePathStyle: config.s3.forcePathStyle,
          createBucket: config.s3.createBucket,
        }),
    },
  ],
  exports: [ObjectStore],
})
export class StorageModule implements OnModuleInit, OnApplicationShutdown {
  constructor(@Inject(ObjectStore) private readonly store: ObjectStore) {}

  async onModuleInit(): Promise<void> {
    await this.store.ensureBucket();
  }

  onApplicationShutdown(): void {
    this.store.close();
  }
}
