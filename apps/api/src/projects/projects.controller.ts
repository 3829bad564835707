import { Body, Controller, Delete, Get, HttpCode, Inject, Param, Patch, Post, Query } from '@nestjs/common';
import { ApiBearerAuth, ApiTags } from '@nestjs/swagger';
import type { Principal } from '#core';
import { pageLimit, PageQueryDto } from '../common/pagination.dto.js';
import { CurrentPrincipal } from '../common/principal.decorator.js';
import { CreateProjectDto, UpdateProjectDto } from './project.dto.js';
import { ProjectsService } from './projects.service.js';

@ApiTags('projects')
@ApiBearerAuth()
@Controller('v1/projects')
export class ProjectsController {
  constructor(@Inject(ProjectsService) private readonly service: ProjectsService) {}

  @Post()
  create(@CurrentPrincipal() caller: Principal, @Body() dto: CreateProjectDto) {
    return this.service.create(caller, dto);
  }

  @Get()
  list(@CurrentPrincipal() caller: Principal, @Query() query: PageQueryDto) {
    return this.service.list(caller, { limit: pageLimit(query), cursor: query.cursor });
  }

  @Get(':project')
  get(@CurrentPrincipal() caller: Principal, @Param('project') project: string) {
    return this.service.get(caller, project);
  }

  @Patch(':project')
  update(@CurrentPrincipal() caller: Principal, @Param('project') project: string, @Body() dto: UpdateProjectDto) {
    return this.service.update(caller, project, dto);
  }

  @Delete(':project')
  @HttpCode(204)
  delete(@CurrentPrincipal() caller: Principal, @Param('project') project: string) {
    return this.service.delete(caller, project);
  }
}
