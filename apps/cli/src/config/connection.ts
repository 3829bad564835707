import { CliError, ExitCode, UsageError } from '../cli-error.js';
import type { CliConfig } from './context-store.js';

export interface Connection {
  /** Base URL without a trailing slash. */
  server: string;
  token: string | undefined;
  /** Where the server came from, for messages. */
  source: string;
}

export interface ConnectionFlags {
  server?: string;
  token?: string;
  context?: string;
}

/**
 * Each of server and token comes from the first place that has it: the `--server`/`--token`
 * flags; the context named by `--context`; `APIFERRY_SERVER`/`APIFERRY_TOKEN`; the current
 * context of the config file.
 */
export function resolveConnection(flags: ConnectionFlags, env: NodeJS.ProcessEnv, config: CliConfig): Connection {
  let named: { name: string; server?: string; token?: string } | undefined;
  if (flags.context !== undefined) {
    const saved = config.contexts[flags.context];
    if (!saved) throw new UsageError(`no context "${flags.context}" (apiferry context list shows the saved ones)`);
    named = { name: flags.context, ...saved };
  }
  const current = config.currentContext ? config.contexts[config.currentContext] : undefined;
  const candidates: { server?: string; token?: string; source: string }[] = [
    { server: flags.server, token: flags.token, source: '--server' },
    ...(named ? [{ server: named.server, token: named.token, source: `context "${named.name}"` }] : []),
    { server: env.APIFERRY_SERVER || undefined, token: env.APIFERRY_TOKEN || undefined, source: 'APIFERRY_SERVER' },
    ...(current ? [{ server: current.server, token: current.token, source: `context "${config.currentContext}"` }] : []),
  ];
  const serverFrom = candidates.find((c) => c.server);
  if (!serverFrom?.server) {
    throw new UsageError('no server: pass --server URL, set APIFERRY_SERVER, or save a context with "apiferry context set NAME --server URL --token TOKEN"');
  }
  return {
    server: normalizeServer(serverFrom.server, serverFrom.source),
    token: candidates.find((c) => c.token)?.token,
    source: serverFrom.source,
  };
}

export function normalizeServer(value: string, source = '--server'): string {
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    throw new UsageError(`${source}: "${value}" is not a URL (for example http://127.0.0.1:8080)`);
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') throw new UsageError(`${source}: "${value}" must be an http(s) URL`);
  if (url.search || url.hash) throw new UsageError(`${source}: "${value}" must not have a query or fragment`);
  return url.toString().replace(/\/+$/, '');
}

export function requireToken(connection: Connection): string {
  if (!connection.token) {
    throw new CliError(ExitCode.Auth, 'no token: pass --token, set APIFERRY_TOKEN, or save one with "apiferry context set NAME --token TOKEN"');
  }
  return connection.token;
}
