import { Body, Controller, Delete, Get, HttpCode, Inject, Param, Post, Put, Query } from '@nestjs/common';
import { ApiBearerAuth, ApiTags } from '@nestjs/swagger';
import { ApiProxyModel, type Principal } from '#core';
import { pageLimit, PageQueryDto } from '../common/pagination.dto.js';
import { CurrentPrincipal } from '../common/principal.decorator.js';
import { ApiProxiesService } from './api-proxies.service.js';

@ApiTags('api proxies')
@ApiBearerAuth()
@Controller('v1/projects/:project/apiProxies')
export class ApiProxiesController {
  constructor(@Inject(ApiProxiesService) private readonly service: ApiProxiesService) {}

  @Post()
  create(@CurrentPrincipal() caller: Principal, @Param('project') project: string, @Body() body: ApiProxyModel) {
    return this.service.create(caller, project, body);
  }

  @Get()
  list(@CurrentPrincipal() caller: Principal, @Param('project') project: string, @Query() query: PageQueryDto) {
    return this.service.list(caller, project, { limit: pageLimit(query), cursor: query.cursor });
  }

  @Get(':proxy')
  get(@CurrentPrincipal() caller: Principal, @Param('project') project: string, @Param('proxy') proxy: string) {
    return this.service.get(caller, project, proxy);
  }

  @Put(':proxy')
  replace(
    @CurrentPrincipal() caller: Principal,
    @Param('project') project: string,
    @Param('proxy') proxy: string,
    @Body() body: ApiProxyModel,
  ) {
    return this.service.replace(caller, project, proxy, body);
  }

  @Delete(':proxy')
  @HttpCode(204)
  delete(@CurrentPrincipal() caller: Principal, @Param('project') project: string, @Param('proxy') proxy: string) {
    return this.service.delete(caller, project, proxy);
  }
}
