import { Body, Controller, Delete, Get, HttpCode, Inject, Param, Post } from '@nestjs/common';
import { ApiBearerAuth, ApiBody, ApiTags } from '@nestjs/swagger';
import { randomUUID } from 'node:crypto';
import type { ClassConstructor } from 'class-transformer';
import { AssetRepository, type AssetRecord, type AssetType } from '#catalog';
import { AliasModel, ApplicationModel, ConflictError, NotFoundError, Permission, SharedPolicyModel, validateModel, type Principal } from '#core';
import { ProjectAccess } from '../common/project-access.service.js';
import { CurrentPrincipal } from '../common/principal.decorator.js';

/** URL segment → asset type and the model its body is validated with. */
const KINDS: Record<string, { type: AssetType; model: ClassConstructor<object> }> = {
  policies: { type: 'policy', model: SharedPolicyModel },
  aliases: { type: 'alias', model: AliasModel },
  applications: { type: 'application', model: ApplicationModel },
};

/** Secrets never leave the catalog through the API: only their field names do. */
function toView(record: AssetRecord): Record<string, unknown> {
  const { secrets, ...rest } = record.doc as { secrets?: Record<string, unknown> };
  return secrets === undefined ? rest : { ...rest, secretFields: Object.keys(secrets) };
}

/** Shared policies, aliases and applications: create, list, read, delete. */
@ApiTags('shared assets')
@ApiBearerAuth()
@Controller('v1/projects/:project/:kind')
export class SharedAssetsController {
  constructor(
    @Inject(AssetRepository) private readonly assets: AssetRepository,
    @Inject(ProjectAccess) private readonly access: ProjectAccess,
  ) {}

  @Post()
  @ApiBody({ description: 'a shared policy, alias or application (uuid optional)' })
  async create(@CurrentPrincipal() caller: Principal, @Param('project') projectName: string, @Param('kind') kind: string, @Body() body: unknown) {
    const { type, model } = this.kind(kind);
    const project = await this.access.require(caller, projectName, Permission.ProjectAdmin);
    const withUuid = { uuid: randomUUID(), ...(body as object) };
    const doc = JSON.parse(JSON.stringify(await validateModel(model, withUuid, `${type} definition`))) as Record<string, unknown> & { uuid: string; name: string };
    if ((await this.assets.findByNames(type, project.id, [doc.name])).length > 0 || (await this.assets.findByUuids(type, project.id, [doc.uuid])).length > 0) {
      throw new ConflictError(`A ${type} named "${doc.name}" (or with uuid ${doc.uuid}) already exists in project "${projectName}".`);
    }
    await this.assets.insert(type, project.id, doc);
    return toView((await this.assets.findByUuids(type, project.id, [doc.uuid]))[0]);
  }

  @Get()
  async list(@CurrentPrincipal() caller: Principal, @Param('project') projectName: string, @Param('kind') kind: string) {
    const { type } = this.kind(kind);
    const project = await this.access.require(caller, projectName);
    const items: Record<string, unknown>[] = [];
    for await (const batch of this.assets.stream(type, project.id)) items.push(...batch.map(toView));
    return { items };
  }

  @Get(':name')
  async get(@CurrentPrincipal() caller: Principal, @Param('project') projectName: string, @Param('kind') kind: string, @Param('name') name: string) {
    const { type } = this.kind(kind);
    const project = await this.access.require(caller, projectName);
    const [found] = await this.assets.findByNames(type, project.id, [name]);
    if (!found) throw new NotFoundError(`No ${type} "${name}" in project "${projectName}".`);
    return toView(found);
  }

  @Delete(':name')
  @HttpCode(204)
  async delete(@CurrentPrincipal() caller: Principal, @Param('project') projectName: string, @Param('kind') kind: string, @Param('name') name: string) {
    const { type } = this.kind(kind);
    const project = await this.access.require(caller, projectName, Permission.ProjectAdmin);
    const [found] = await this.assets.findByNames(type, project.id, [name]);
    if (!found) throw new NotFoundError(`No ${type} "${name}" in project "${projectName}".`);
    await this.assets.delete(type, project.id, found.uuid);
  }

  private kind(segment: string) {
    const kind = KINDS[segment];
    if (!kind) throw new NotFoundError(`No collection "${segment}"; use policies, aliases or applications.`);
    return kind;
  }
}
