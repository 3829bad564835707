import { randomUUID } from 'node:crypto';
import { Inject, Injectable } from '@nestjs/common';
import { ApiProxyRepository, DeploymentRepository, type ApiProxyRow, type ApiProxyWrite } from '#catalog';
import { ConflictError, NotFoundError, Permission, type ApiProxyModel, type Principal, isUuid } from '#core';
import { ProjectAccess } from '../common/project-access.service.js';

export type ApiProxyView = Record<string, unknown> & { uuid: string; name: string; revision: number };

export function toApiProxyView(row: ApiProxyRow): ApiProxyView {
  return {
    ...row.definition,
    uuid: row.uuid,
    name: row.name,
    type: row.type,
    basePath: row.base_path,
    version: row.version,
    revision: row.revision,
    createdAt: row.created_at.toISOString(),
    updatedAt: row.updated_at.toISOString(),
  };
}

/** A validated model as the document the catalog stores, under `uuid`. */
function toWrite(model: ApiProxyModel, uuid: string): ApiProxyWrite {
  return { ...(JSON.parse(JSON.stringify(model)) as Record<string, unknown>), uuid, name: model.name };
}

@Injectable()
export class ApiProxiesService {
  constructor(
    @Inject(ApiProxyRepository) private readonly proxies: ApiProxyRepository,
    @Inject(ProjectAccess) private readonly access: ProjectAccess,
    @Inject(DeploymentRepository) private readonly deployments: DeploymentRepository,
  ) {}

  async create(caller: Principal, projectName: string, model: ApiProxyModel): Promise<ApiProxyView> {
    const project = await this.access.require(caller, projectName, Permission.ProjectAdmin);
    const uuid = model.uuid ?? randomUUID();
    if (await this.proxies.findByName(project.id, model.name)) {
      throw new ConflictError(`An API proxy named "${model.name}" already exists in project "${projectName}".`);
    }
    if (await this.proxies.findByUuid(project.id, uuid)) {
      throw new ConflictError(`An API proxy with uuid ${uuid} already exists in project "${projectName}".`);
    }
    return toApiProxyView(await this.proxies.create(project.id, toWrite(model, uuid)));
  }

  async list(caller: Principal, projectName: string, page: { limit: number; cursor?: string }) {
    const project = await this.access.require(caller, projectName);
    const result = await this.proxies.list(project.id, page);
    return { items: result.items.map(toApiProxyView), nextCursor: result.nextCursor };
  }

  /** One proxy, with where it is deployed (revision, status, time, message per environment). */
  async get(caller: Principal, projectName: string, nameOrUuid: string): Promise<ApiProxyView> {
    const project = await this.access.require(caller, projectName);
    const row = await this.find(project.id, projectName, nameOrUuid);
    const deployments = (await this.deployments.listForProxy(project.id, row.uuid)).map((d) => ({
      environment: d.environment_name,
      revision: d.revision,
      status: d.status,
      message: d.message,
      deployedAt: d.deployed_at.toISOString(),
      current: d.revision === row.revision,
    }));
    return { ...toApiProxyView(row), deployments };
  }

  /** Replaces the whole definition; the uuid stays, the revision goes up. */
  async replace(caller: Principal, projectName: string, nameOrUuid: string, model: ApiProxyModel): Promise<ApiProxyView> {
    const project = await this.access.require(caller, projectName, Permission.ProjectAdmin);
    const existing = await this.find(project.id, projectName, nameOrUuid);
    if (model.uuid && model.uuid !== existing.uuid) {
      throw new ConflictError(`The body's uuid ${model.uuid} differs from the proxy's uuid ${existing.uuid}; uuids never change.`);
    }
    if (model.name !== existing.name) {
      const clash = await this.proxies.findByName(project.id, model.name);
      if (clash) throw new ConflictError(`An API proxy named "${model.name}" already exists in project "${projectName}".`);
    }
    const updated = await this.proxies.replace(project.id, existing.uuid, toWrite(model, existing.uuid));
    if (!updated) throw new NotFoundError(`API proxy "${nameOrUuid}" does not exist in project "${projectName}".`);
    return toApiProxyView(updated);
  }

  async delete(caller: Principal, projectName: string, nameOrUuid: string): Promise<void> {
    const project = await this.access.require(caller, projectName, Permission.ProjectAdmin);
    const existing = await this.find(project.id, projectName, nameOrUuid);
    await this.proxies.delete(project.id, existing.uuid);
  }

  private async find(projectId: string, projectName: string, nameOrUuid: string): Promise<ApiProxyRow> {
    const row =
      (isUuid(nameOrUuid) ? await this.proxies.findByUuid(projectId, nameOrUuid) : undefined) ??
      (await this.proxies.findByName(projectId, nameOrUuid));
    if (!row) throw new NotFoundError(`API proxy "${nameOrUuid}" does not exist in project "${projectName}".`);
    return row;
  }
}
