import type { Command } from 'commander';
import { parseGrant, parsePositiveInt, parseUuid } from '../arguments.js';
import { action, type CliRuntime } from '../command-context.js';
import { formatFields, formatTable } from '../output/format.js';

interface Token {
  id: string;
  name: string;
  prefix: string;
  instanceAdmin: boolean;
  grants: { project: string; permission: string }[];
  createdAt: string;
  expiresAt: string;
  lastUsedAt: string | null;
  revokedAt: string | null;
  token?: string;
}

function grantsText(token: Token): string {
  return token.grants.map((g) => `${g.project}:${g.permission}`).join(', ');
}

export function registerTokenCommands(program: Command, runtime: CliRuntime): void {
  const tokens = program.command('tokens').description('personal access tokens');

  tokens
    .command('list')
    .description('list the tokens this token can see (itself and those it created; all for an instance admin)')
    .action(
      action(runtime, async (ctx) => {
        const { items } = await (await ctx.client()).get<{ items: Token[] }>('/v1/tokens');
        ctx.output.result({ items }, () =>
          formatTable(
            ['ID', 'NAME', 'PREFIX', 'ADMIN', 'GRANTS', 'EXPIRES', 'LAST USED', 'REVOKED'],
            items.map((t) => [t.id, t.name, t.prefix, t.instanceAdmin ? 'yes' : '', grantsText(t), t.expiresAt, t.lastUsedAt, t.revokedAt]),
          ),
        );
      }),
    );

  tokens
    .command('create')
    .description('create a token; its secret is printed once')
    .argument('<name>', 'a name to tell it apart')
    .option('--grant <project:permission>', 'a grant such as payments:API_MANAGEMENT:EXPORT_IMPORT (repeatable)', parseGrant)
    .option('--expires-in-days <days>', 'lifetime in days (default: the server\'s, 90)', parsePositiveInt(3660))
    .option('--instance-admin', 'an instance administrator (needs an instance admin token)')
    .addHelpText('after', '\nPermissions: PROJECT_ADMIN, API_MANAGEMENT:EXPORT_IMPORT (or EXPORT_IMPORT), API_MANAGEMENT:DEPLOY_UNDEPLOY (or DEPLOY_UNDEPLOY).')
    .action(
      action(runtime, async (ctx, name: string, options: { grant?: Token['grants']; expiresInDays?: number; instanceAdmin?: boolean }) => {
        const token = await (await ctx.client()).post<Token>('/v1/tokens', {
          name,
          ...(options.grant ? { grants: options.grant } : {}),
          ...(options.expiresInDays ? { expiresInDays: options.expiresInDays } : {}),
          ...(options.instanceAdmin ? { instanceAdmin: true } : {}),
        });
        ctx.output.result(token, () => [
          formatFields([
            ['id', token.id],
            ['name', token.name],
            ['admin', token.instanceAdmin ? 'yes' : ''],
            ['grants', grantsText(token)],
            ['expires', token.expiresAt],
          ]),
          '',
          'the token (shown only now; store it safely):',
          token.token ?? '',
        ]);
      }),
    );

  tokens
    .command('revoke')
    .description('revoke a token; requests with it get 401 from then on')
    .argument('<id>', 'token id', parseUuid)
    .action(
      action(runtime, async (ctx, id: string) => {
        await (await ctx.client()).delete(`/v1/tokens/${id}`);
        ctx.output.result({ revoked: id }, () => `token ${id} revoked`);
      }),
    );
}
