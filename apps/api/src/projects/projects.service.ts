import { Inject, Injectable } from '@nestjs/common';
import { ProjectRepository, TokenRepository, type ProjectRow } from '#catalog';
import { ConflictError, ForbiddenError, Permission, type Principal } from '#core';
import { ProjectAccess } from '../common/project-access.service.js';
import type { CreateProjectDto, UpdateProjectDto } from './project.dto.js';

export interface ProjectView {
  id: string;
  name: string;
  description: string;
  createdAt: string;
  updatedAt: string;
}

export function toProjectView(row: ProjectRow): ProjectView {
  return {
    id: row.id,
    name: row.name,
    description: row.description,
    createdAt: row.created_at.toISOString(),
    updatedAt: row.updated_at.toISOString(),
  };
}

@Injectable()
export class ProjectsService {
  constructor(
    @Inject(ProjectRepository) private readonly projects: ProjectRepository,
    @Inject(ProjectAccess) private readonly access: ProjectAccess,
    @Inject(TokenRepository) private readonly tokens: TokenRepository,
  ) {}

  async create(caller: Principal, dto: CreateProjectDto): Promise<ProjectView> {
    if (!caller.instanceAdmin) throw new ForbiddenError('Only an instance admin can create projects.');
    if (await this.projects.findByName(dto.name)) throw new ConflictError(`Project "${dto.name}" already exists.`);
    return toProjectView(await this.projects.create(dto.name, dto.description ?? ''));
  }

  async list(caller: Principal, page: { limit: number; cursor?: string }) {
    const names = caller.instanceAdmin ? undefined : [...new Set(caller.grants.map((g) => g.projectName))];
    const result = await this.projects.list({ ...page, names });
    return { items: result.items.map(toProjectView), nextCursor: result.nextCursor };
  }

  async get(caller: Principal, name: string): Promise<ProjectView> {
    return toProjectView(await this.access.require(caller, name));
  }

  async update(caller: Principal, name: string, dto: UpdateProjectDto): Promise<ProjectView> {
    const project = await this.access.require(caller, name, Permission.ProjectAdmin);
    return toProjectView((await this.projects.update(project.id, dto.description)) ?? project);
  }

  async delete(caller: Principal, name: string): Promise<void> {
    if (!caller.instanceAdmin) throw new ForbiddenError('Only an instance admin can delete projects.');
    const project = await this.access.require(caller, name);
    await this.projects.delete(project.id);
    await this.tokens.deleteGrantsForProject(project.name);
  }
}
