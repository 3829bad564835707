import { Inject, Injectable } from '@nestjs/common';
import { TokenRepository, type TokenWithGrants } from '#catalog';
import { APP_CONFIG, type AppConfig } from '#config';
import { displayPrefix, ForbiddenError, generateToken, hashToken, NotFoundError, Permission, ValidationError, type Principal } from '#core';
import type { CreateTokenDto } from './token.dto.js';

export interface TokenView {
  id: string;
  name: string;
  prefix: string;
  instanceAdmin: boolean;
  grants: { project: string; permission: string }[];
  createdAt: string;
  expiresAt: string;
  lastUsedAt: string | null;
  revokedAt: string | null;
}

@Injectable()
export class TokensService {
  constructor(
    @Inject(TokenRepository) private readonly tokens: TokenRepository,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  /**
   * Instance admins create any token; project admins create tokens holding permissions
   * on the projects they administer. The token is in the answer once and never again.
   */
  async create(caller: Principal, dto: CreateTokenDto): Promise<TokenView & { token: string }> {
    const grants = (dto.grants ?? []).map((g) => ({ projectName: g.project, permission: g.permission }));
    if (!caller.instanceAdmin) {
      if (dto.instanceAdmin) throw new ForbiddenError('Only an instance admin can create instance-admin tokens.');
      const administered = new Set(caller.grants.filter((g) => g.permission === Permission.ProjectAdmin).map((g) => g.projectName));
      const beyond = grants.filter((g) => !administered.has(g.projectName));
      if (grants.length === 0 || beyond.length > 0) {
        throw new ForbiddenError('A token can only be given permissions on projects its creator administers.');
      }
    }
    const days = dto.expiresInDays ?? Math.min(90, this.config.auth.maxTokenTtlDays);
    if (days > this.config.auth.maxTokenTtlDays) {
      throw new ValidationError(`expiresInDays may be at most ${this.config.auth.maxTokenTtlDays}`, [
        { pointer: '/expiresInDays', detail: `must not be greater than ${this.config.auth.maxTokenTtlDays}` },
      ]);
    }
    const token = generateToken();
    const row = await this.tokens.create(
      {
        name: dto.name,
        displayPrefix: displayPrefix(token),
        hash: hashToken(token),
        instanceAdmin: dto.instanceAdmin ?? false,
        createdBy: caller.tokenId,
        expiresAt: new Date(Date.now() + days * 86_400_000),
      },
      grants,
    );
    return { ...toView(row), token };
  }

  /** Instance admins see every token; others see their own and those they created. */
  async list(caller: Principal): Promise<TokenView[]> {
    const rows = await this.tokens.list(caller.instanceAdmin ? undefined : caller.tokenId);
    return rows.map(toView);
  }

  async revoke(caller: Principal, id: string): Promise<void> {
    const row = /^[0-9a-f-]{36}$/i.test(id) ? await this.tokens.findById(id) : undefined;
    const mayRevoke = row && (caller.instanceAdmin || row.id === caller.tokenId || row.created_by === caller.tokenId);
    if (!row || !mayRevoke) throw new NotFoundError(`No token ${id} that this caller may revoke.`);
    await this.tokens.revoke(id);
  }
}

function toView(row: TokenWithGrants): TokenView {
  return {
    id: row.id,
    name: row.name,
    prefix: row.display_prefix,
    instanceAdmin: row.instance_admin,
    grants: row.grants.map((g) => ({ project: g.projectName, permission: g.permission })),
    createdAt: row.created_at.toISOString(),
    expiresAt: row.expires_at.toISOString(),
    lastUsedAt: row.last_used_at?.toISOString() ?? null,
    revokedAt: row.revoked_at?.toISOString() ?? null,
  };
}
