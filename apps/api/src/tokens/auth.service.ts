import { Inject, Injectable, type OnApplicationBootstrap } from '@nestjs/common';
import type { Logger } from 'pino';
import { TokenRepository, type TokenWithGrants } from '#catalog';
import { APP_CONFIG, type AppConfig } from '#config';
import { displayPrefix, generateToken, hashToken, isWellFormedToken, UnauthorizedError, type Principal } from '#core';
import { LOGGER } from '#observability';

/** last_used_at is written at most this often per token, not on every request. */
const TOUCH_INTERVAL_MS = 60_000;

@Injectable()
export class AuthService implements OnApplicationBootstrap {
  private readonly lastTouched = new Map<string, number>();

  constructor(
    @Inject(TokenRepository) private readonly tokens: TokenRepository,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    @Inject(LOGGER) private readonly log: Logger,
  ) {}

  /**
   * The first start creates an instance-admin token and prints it once; with
   * APIFERRY_BOOTSTRAP_TOKEN set, that token is registered instead (idempotently).
   */
  async onApplicationBootstrap(): Promise<void> {
    const configured = this.config.auth.bootstrapToken;
    if (configured) {
      if (!(await this.tokens.findByHash(hashToken(configured)))) {
        await this.createBootstrap(configured);
        this.log.info('registered the configured bootstrap admin token');
      }
      return;
    }
    if ((await this.tokens.countAdmins()) > 0) return;
    const token = generateToken();
    await this.createBootstrap(token);
    // Printed on stdout, outside the JSON log stream, so it never lands in log storage.
    process.stdout.write(
      `\n  apiferry bootstrap admin token (shown once, store it now):\n\n    ${token}\n\n`,
    );
  }

  async authenticate(authorization: string | undefined): Promise<Principal> {
    const match = /^Bearer\s+(\S+)$/i.exec(authorization ?? '');
    if (!match) throw new UnauthorizedError('Send a personal access token as "Authorization: Bearer afy_...".');
    const token = match[1];
    const configured = this.config.auth.bootstrapToken;
    if (!isWellFormedToken(token) && token !== configured) throw new UnauthorizedError('The token is not valid.');
    const row = await this.tokens.findByHash(hashToken(token));
    if (!row) throw new UnauthorizedError('The token is not valid.');
    if (row.revoked_at) throw new UnauthorizedError('The token has been revoked.');
    if (row.expires_at.getTime() <= Date.now()) throw new UnauthorizedError('The token has expired.');
    this.touch(row);
    return toPrincipal(row);
  }

  private touch(row: TokenWithGrants): void {
    const now = Date.now();
    if (now - (this.lastTouched.get(row.id) ?? 0) < TOUCH_INTERVAL_MS) return;
    this.lastTouched.set(row.id, now);
    this.tokens.touch(row.id, new Date(now)).catch((err) => this.log.warn({ err }, 'could not record token use'));
  }

  private async createBootstrap(token: string): Promise<void> {
    await this.tokens.create(
      {
        name: 'bootstrap admin',
        displayPrefix: displayPrefix(token),
        hash: hashToken(token),
        instanceAdmin: true,
        createdBy: null,
        expiresAt: new Date(Date.now() + this.config.auth.maxTokenTtlDays * 86_400_000),
      },
      [],
    );
  }
}

export function toPrincipal(row: TokenWithGrants): Principal {
  return { tokenId: row.id, name: row.name, instanceAdmin: row.instance_admin, grants: row.grants };
}
