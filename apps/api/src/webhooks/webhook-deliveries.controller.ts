import { Controller, Get, HttpCode, Inject, Param, Post, Query } from '@nestjs/common';
import { ApiBearerAuth, ApiOperation, ApiTags } from '@nestjs/swagger';
import type { Principal } from '#core';
import { pageLimit } from '../common/pagination.dto.js';
import { CurrentPrincipal } from '../common/principal.decorator.js';
import { DeliveryListQueryDto } from './webhook.dto.js';
import { WebhooksService } from './webhooks.service.js';

/** The delivery log of an endpoint: one entry per attempt, newest first. */
@ApiTags('webhooks')
@ApiBearerAuth()
@Controller('v1/projects/:project/webhooks/:webhook/deliveries')
export class WebhookDeliveriesController {
  constructor(@Inject(WebhooksService) private readonly service: WebhooksService) {}

  @Get()
  list(@CurrentPrincipal() caller: Principal, @Param('project') project: string, @Param('webhook') id: string, @Query() query: DeliveryListQueryDto) {
    return this.service.listDeliveries(caller, project, id, query, pageLimit(query));
  }

  @Post(':delivery/redeliver')
  @HttpCode(202)
  @ApiOperation({ summary: 'Sends the message again now, as a new attempt with the same webhook-id.' })
  redeliver(@CurrentPrincipal() caller: Principal, @Param('project') project: string, @Param('webhook') id: string, @Param('delivery') deliveryId: string) {
    return this.service.redeliver(caller, project, id, deliveryId);
  }
}
