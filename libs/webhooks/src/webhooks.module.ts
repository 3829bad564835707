import { Global, Inject, Module, type OnApplicationShutdown } from '@nestjs/common';
import { APP_CONFIG, type AppConfig } from '#config';
import { redisConnectionFromUrl } from '#jobs';
import { AddressPolicy } from './address-policy.js';
import { WebhookDeliveryQueue } from './webhook-delivery-queue.js';
import { WebhookDispatcher } from './webhook-dispatcher.js';
import { WebhookTargetGuard } from './webhook-target.js';
import { WebhookTransport } from './webhook-transport.js';

/**
 * What both processes need for webhooks: the target guard (SSRF policy), the delivery
 * queue and the event dispatcher; the worker adds the delivery processor on top.
 */
@Global()
@Module({
  providers: [
    { provide: AddressPolicy, inject: [APP_CONFIG], useFactory: (config: AppConfig) => new AddressPolicy(config.webhooks.allowedHosts) },
    { provide: WebhookTargetGuard, inject: [AddressPolicy], useFactory: (policy: AddressPolicy) => new WebhookTargetGuard(policy) },
    { provide: WebhookTransport, useFactory: () => new WebhookTransport() },
    {
      provide: WebhookDeliveryQueue,
      inject: [APP_CONFIG],
      useFactory: (config: AppConfig) => new WebhookDeliveryQueue({ redis: redisConnectionFromUrl(config.redis.url), prefix: config.redis.queuePrefix }),
    },
    WebhookDispatcher,
  ],
  exports: [AddressPolicy, WebhookTargetGuard, WebhookTransport, WebhookDeliveryQueue, WebhookDispatcher],
})
export class WebhooksModule implements OnApplicationShutdown {
  constructor(@Inject(WebhookDeliveryQueue) private readonly queue: WebhookDeliveryQueue) {}

  async onApplicationShutdown(): Promise<void> {
    await this.queue.close();
  }
}
