import { Body, Controller, Delete, Get, HttpCode, Inject, Param, Patch, Post, Query } from '@nestjs/common';
import { ApiBearerAuth, ApiOperation, ApiTags } from '@nestjs/swagger';
import type { Principal } from '#core';
import { pageLimit, PageQueryDto } from '../common/pagination.dto.js';
import { CurrentPrincipal } from '../common/principal.decorator.js';
import { CreateWebhookDto, UpdateWebhookDto } from './webhook.dto.js';
import { WebhooksService } from './webhooks.service.js';

@ApiTags('webhooks')
@ApiBearerAuth()
@Controller('v1/projects/:project/webhooks')
export class WebhooksController {
  constructor(@Inject(WebhooksService) private readonly service: WebhooksService) {}

  @Post()
  @ApiOperation({ summary: 'Registers an endpoint; the answer carries its signing secret, shown this once.' })
  create(@CurrentPrincipal() caller: Principal, @Param('project') project: string, @Body() dto: CreateWebhookDto) {
    return this.service.create(caller, project, dto);
  }

  @Get()
  list(@CurrentPrincipal() caller: Principal, @Param('project') project: string, @Query() query: PageQueryDto) {
    return this.service.list(caller, project, { limit: pageLimit(query), cursor: query.cursor });
  }

  @Get(':webhook')
  get(@CurrentPrincipal() caller: Principal, @Param('project') project: string, @Param('webhook') id: string) {
    return this.service.get(caller, project, id);
  }

  @Patch(':webhook')
  update(@CurrentPrincipal() caller: Principal, @Param('project') project: string, @Param('webhook') id: string, @Body() dto: UpdateWebhookDto) {
    return this.service.update(caller, project, id, dto);
  }

  @Delete(':webhook')
  @HttpCode(204)
  delete(@CurrentPrincipal() caller: Principal, @Param('project') project: string, @Param('webhook') id: string) {
    return this.service.delete(caller, project, id);
  }

  @Post(':webhook/rotate-secret')
  @HttpCode(200)
  @ApiOperation({ summary: 'Replaces the signing secret (shown this once); the old one keeps signing beside it for 24 hours.' })
  rotateSecret(@CurrentPrincipal() caller: Principal, @Param('project') project: string, @Param('webhook') id: string) {
    return this.service.rotateSecret(caller, project, id);
  }
}
