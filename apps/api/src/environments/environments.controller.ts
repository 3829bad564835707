import { Body, Controller, Delete, Get, HttpCode, Inject, Param, Post, Put, Query } from '@nestjs/common';
import { ApiBearerAuth, ApiTags } from '@nestjs/swagger';
import type { Principal } from '#core';
import { pageLimit, PageQueryDto } from '../common/pagination.dto.js';
import { CurrentPrincipal } from '../common/principal.decorator.js';
import { CreateEnvironmentDto, UpdateEnvironmentDto } from './environment.dto.js';
import { EnvironmentsService } from './environments.service.js';

@ApiTags('environments')
@ApiBearerAuth()
@Controller('v1/projects/:project/environments')
export class EnvironmentsController {
  constructor(@Inject(EnvironmentsService) private readonly service: EnvironmentsService) {}

  @Post()
  create(@CurrentPrincipal() caller: Principal, @Param('project') project: string, @Body() dto: CreateEnvironmentDto) {
    return this.service.create(caller, project, dto);
  }

  @Get()
  list(@CurrentPrincipal() caller: Principal, @Param('project') project: string, @Query() query: PageQueryDto) {
    return this.service.list(caller, project, { limit: pageLimit(query), cursor: query.cursor });
  }

  @Get(':environment')
  get(@CurrentPrincipal() caller: Principal, @Param('project') project: string, @Param('environment') name: string) {
    return this.service.get(caller, project, name);
  }

  @Put(':environment')
  update(
    @CurrentPrincipal() caller: Principal,
    @Param('project') project: string,
    @Param('environment') name: string,
    @Body() dto: UpdateEnvironmentDto,
  ) {
    return this.service.update(caller, project, name, dto);
  }

  @Delete(':environment')
  @HttpCode(204)
  delete(@CurrentPrincipal() caller: Principal, @Param('project') project: string, @Param('environment') name: string) {
    return this.service.delete(caller, project, name);
  }
}
