import { Inject, Injectable } from '@nestjs/common';
import { EnvironmentRepository, type EnvironmentRow } from '#catalog';
import { ConflictError, NotFoundError, Permission, ValidationError, type Principal } from '#core';
import { httpAdminUrlProblem, nginxSettingsProblem } from '#deploy';
import { ProjectAccess } from '../common/project-access.service.js';
import type { CreateEnvironmentDto, UpdateEnvironmentDto } from './environment.dto.js';

function toView(row: EnvironmentRow) {
  return {
    name: row.name,
    driver: row.driver,
    settings: row.settings,
    createdAt: row.created_at.toISOString(),
    updatedAt: row.updated_at.toISOString(),
  };
}

/** Driver settings are checked when written, so a deployment never finds them malformed. */
function checkSettings(driver: string, settings: Record<string, unknown> | undefined): void {
  // An environment may be created before its gateway exists; settings that are given must be usable.
  if (!settings || Object.keys(settings).length === 0) return;
  const problem = driver === 'http' ? httpAdminUrlProblem(settings) : driver === 'nginx' ? nginxSettingsProblem(settings) : undefined;
  if (problem) throw new ValidationError(`Invalid settings for the ${driver} driver: ${problem}.`, [{ pointer: '/settings', detail: problem }]);
}

@Injectable()
export class EnvironmentsService {
  constructor(
    @Inject(EnvironmentRepository) private readonly environments: EnvironmentRepository,
    @Inject(ProjectAccess) private readonly access: ProjectAccess,
  ) {}

  async create(caller: Principal, projectName: string, dto: CreateEnvironmentDto) {
    const project = await this.access.require(caller, projectName, Permission.ProjectAdmin);
    checkSettings(dto.driver, dto.settings);
    if (await this.environments.find(project.id, dto.name)) {
      throw new ConflictError(`Environment "${dto.name}" already exists in project "${projectName}".`);
    }
    return toView(await this.environments.create(project.id, { name: dto.name, driver: dto.driver, settings: dto.settings ?? {} }));
  }

  async list(caller: Principal, projectName: string, page: { limit: number; cursor?: string }) {
    const project = await this.access.require(caller, projectName);
    const result = await this.environments.list(project.id, page);
    return { items: result.items.map(toView), nextCursor: result.nextCursor };
  }

  async get(caller: Principal, projectName: string, name: string) {
    const project = await this.access.require(caller, projectName);
    const row = await this.environments.find(project.id, name);
    if (!row) throw new NotFoundError(`Environment "${name}" does not exist in project "${projectName}".`);
    return toView(row);
  }

  async update(caller: Principal, projectName: string, name: string, dto: UpdateEnvironmentDto) {
    const project = await this.access.require(caller, projectName, Permission.ProjectAdmin);
    checkSettings(dto.driver, dto.settings);
    const row = await this.environments.update(project.id, name, { driver: dto.driver, settings: dto.settings ?? {} });
    if (!row) throw new NotFoundError(`Environment "${name}" does not exist in project "${projectName}".`);
    return toView(row);
  }

  async delete(caller: Principal, projectName: string, name: string): Promise<void> {
    const project = await this.access.require(caller, projectName, Permission.ProjectAdmin);
    if (!(await this.environments.delete(project.id, name))) {
      throw new NotFoundError(`Environment "${name}" does not exist in project "${projectName}".`);
    }
  }
}
