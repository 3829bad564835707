import { Inject, Injectable } from '@nestjs/common';
import { ApiProxyRepository, DeploymentRepository, EnvironmentRepository, type ApiProxyRow, type ProjectRow } from '#catalog';
import { NotFoundError, Permission, ValidationError, type Principal, isUuid } from '#core';
import { JobKind } from '#jobs';
import { ProjectAccess } from '../common/project-access.service.js';
import { JobsService, type CreatedJob } from '../jobs/jobs.service.js';
import type { DeploymentRequestDto } from './deployment-request.dto.js';


/** Deploy and undeploy one proxy as jobs, after checking the proxy and every environment exist; and its deployment state. */
@Injectable()
export class DeploymentsService {
  constructor(
    @Inject(ProjectAccess) private readonly access: ProjectAccess,
    @Inject(ApiProxyRepository) private readonly proxies: ApiProxyRepository,
    @Inject(EnvironmentRepository) private readonly environments: EnvironmentRepository,
    @Inject(DeploymentRepository) private readonly deployments: DeploymentRepository,
    @Inject(JobsService) private readonly jobs: JobsService,
  ) {}

  async start(
    caller: Principal,
    projectName: string,
    nameOrUuid: string,
    kind: JobKind.ProxyDeploy | JobKind.ProxyUndeploy,
    dto: DeploymentRequestDto,
    request: { idempotencyKey?: string },
  ): Promise<CreatedJob> {
    const project = await this.access.require(caller, projectName, Permission.DeployUndeploy);
    const proxy = await this.findProxy(project, nameOrUuid);
    const environments = [...new Set(dto.environments)];
    const unknown: string[] = [];
    for (const name of environments) if (!(await this.environments.find(project.id, name))) unknown.push(name);
    if (unknown.length > 0) {
      throw new ValidationError(`Environment ${unknown.map((n) => `"${n}"`).join(', ')} does not exist in project "${projectName}".`, [
        { pointer: '/environments', detail: `unknown environment(s): ${unknown.join(', ')}` },
      ]);
    }
    return this.jobs.create(caller, {
      kind,
      projectId: project.id,
      payload: { projectId: project.id, projectName: project.name, proxyUuid: proxy.uuid, proxyName: proxy.name, environments },
      idempotencyKey: request.idempotencyKey,
      fingerprint: [kind, project.id, proxy.uuid, environments, dto.webhook ?? null],
      webhook: dto.webhook,
    });
  }

  async list(caller: Principal, projectName: string, nameOrUuid: string) {
    const project = await this.access.require(caller, projectName);
    const proxy = await this.findProxy(project, nameOrUuid);
    const rows = await this.deployments.listForProxy(project.id, proxy.uuid);
    return {
      proxy: { uuid: proxy.uuid, name: proxy.name, revision: proxy.revision },
      items: rows.map((row) => ({
        environment: row.environment_name,
        revision: row.revision,
        status: row.status,
        message: row.message,
        deployedAt: row.deployed_at.toISOString(),
        current: row.revision === proxy.revision,
      })),
    };
  }

  private async findProxy(project: ProjectRow, nameOrUuid: string): Promise<ApiProxyRow> {
    const row =
      (isUuid(nameOrUuid) ? await this.proxies.findByUuid(project.id, nameOrUuid) : undefined) ??
      (await this.proxies.findByName(project.id, nameOrUuid));
    if (!row) throw new NotFoundError(`API proxy "${nameOrUuid}" does not exist in project "${project.name}".`);
    return row;
  }
}
