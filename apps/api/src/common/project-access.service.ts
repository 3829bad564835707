import { Inject, Injectable } from '@nestjs/common';
import { ProjectRepository, type ProjectRow } from '#catalog';
import { canSeeProject, ForbiddenError, hasPermission, NotFoundError, type Permission, type Principal } from '#core';

/**
 * Resolves a project for a caller. The permission is checked before the lookup, and a
 * caller without it gets the same 403 whether or not the project exists.
 */
@Injectable()
export class ProjectAccess {
  constructor(@Inject(ProjectRepository) private readonly projects: ProjectRepository) {}

  async require(caller: Principal, projectName: string, permission?: Permission): Promise<ProjectRow> {
    const allowed = permission ? hasPermission(caller, projectName, permission) : canSeeProject(caller, projectName);
    if (!allowed) {
      throw new ForbiddenError(
        permission
          ? `This token lacks ${permission} on project "${projectName}".`
          : `This token has no access to project "${projectName}".`,
      );
    }
    const project = await this.projects.findByName(projectName);
    if (!project) throw new NotFoundError(`Project "${projectName}" does not exist.`);
    return project;
  }
}
