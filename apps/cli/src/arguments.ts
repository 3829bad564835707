import { InvalidArgumentError } from 'commander';
import { UsageError } from './cli-error.js';

/*
 * Parsers for option values. Those run by commander throw InvalidArgumentError (a usage
 * error, exit 3, naming the option); those that need files or the environment run in the
 * action and throw UsageError.
 */

const ASSET_TYPES = ['apiProxy', 'policy', 'alias', 'application'] as const;
const CONFLICT_POLICIES = ['fail', 'overwrite', 'rename', 'keep'] as const;
export const INCLUDE_FLAGS = ['applications', 'resources', 'scopes', 'deploymentState', 'secrets'] as const;
export const PERMISSIONS = ['PROJECT_ADMIN', 'API_MANAGEMENT:EXPORT_IMPORT', 'API_MANAGEMENT:DEPLOY_UNDEPLOY'] as const;
export const JOB_KINDS = ['project.inventory', 'archive.export', 'archive.import', 'openapi.export', 'openapi.import', 'proxy.deploy', 'proxy.undeploy'] as const;
export const JOB_STATES = ['queued', 'running', 'succeeded', 'failed', 'canceled'] as const;
export const WEBHOOK_EVENTS = ['job.succeeded', 'job.failed', 'job.canceled', 'deployment.completed', 'job.progress'] as const;
export const DELIVERY_STATES = ['pending', 'succeeded', 'failed', 'skipped'] as const;

const NAME = /^[A-Za-z0-9][A-Za-z0-9._-]{0,127}$/;
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export type Conflicts = string | Record<string, string>;

/** `keep`, or per asset type: `apiProxy=overwrite,policy=keep`. */
export function parseConflicts(value: string): Conflicts {
  if ((CONFLICT_POLICIES as readonly string[]).includes(value)) return value;
  if (!value.includes('=')) throw new InvalidArgumentError(`use one of ${CONFLICT_POLICIES.join(', ')}, or TYPE=POLICY pairs such as apiProxy=overwrite,policy=keep.`);
  const perType: Record<string, string> = {};
  for (const pair of value.split(',')) {
    const [type, policy, ...rest] = pair.split('=').map((s) => s.trim());
    if (rest.length > 0 || !type || !policy) throw new InvalidArgumentError(`"${pair}" is not TYPE=POLICY.`);
    if (!(ASSET_TYPES as readonly string[]).includes(type)) throw new InvalidArgumentError(`unknown asset type "${type}"; use ${ASSET_TYPES.join(', ')}.`);
    if (!(CONFLICT_POLICIES as readonly string[]).includes(policy)) throw new InvalidArgumentError(`unknown policy "${policy}" for ${type}; use ${CONFLICT_POLICIES.join(', ')}.`);
    if (perType[type]) throw new InvalidArgumentError(`${type} is named twice.`);
    perType[type] = policy;
  }
  return perType;
}

/** `applications,resources`; `no-scopes` turns a default off. */
export function parseInclude(value: string, previous: Record<string, boolean> = {}): Record<string, boolean> {
  const include = { ...previous };
  for (const raw of value.split(',').map((s) => s.trim()).filter(Boolean)) {
    const off = raw.startsWith('no-');
    const flag = off ? raw.slice(3) : raw;
    if (!(INCLUDE_FLAGS as readonly string[]).includes(flag)) throw new InvalidArgumentError(`unknown "${flag}"; use ${INCLUDE_FLAGS.join(', ')} (or no-NAME to leave one out).`);
    include[flag] = !off;
  }
  return include;
}

/** `payments:API_MANAGEMENT:EXPORT_IMPORT`; `EXPORT_IMPORT` and `DEPLOY_UNDEPLOY` may drop their `API_MANAGEMENT:`. */
export function parseGrant(value: string, previous: { project: string; permission: string }[] = []): { project: string; permission: string }[] {
  const colon = value.indexOf(':');
  if (colon <= 0) throw new InvalidArgumentError(`"${value}" is not PROJECT:PERMISSION (for example payments:API_MANAGEMENT:EXPORT_IMPORT).`);
  const project = value.slice(0, colon);
  let permission = value.slice(colon + 1);
  if (!NAME.test(project)) throw new InvalidArgumentError(`"${project}" is not a project name.`);
  if (permission === 'EXPORT_IMPORT' || permission === 'DEPLOY_UNDEPLOY') permission = `API_MANAGEMENT:${permission}`;
  if (!(PERMISSIONS as readonly string[]).includes(permission)) throw new InvalidArgumentError(`unknown permission "${permission}"; use ${PERMISSIONS.join(', ')}.`);
  return [...previous, { project, permission }];
}

export function parseProjectName(value: string): string {
  if (!NAME.test(value)) throw new InvalidArgumentError(`"${value}" is not a project name (1-128 letters, digits, ".", "_" or "-", starting with a letter or digit).`);
  return value;
}

export function parseEnvironmentName(value: string): string {
  if (!NAME.test(value)) throw new InvalidArgumentError(`"${value}" is not an environment name (1-128 letters, digits, ".", "_" or "-", starting with a letter or digit).`);
  return value;
}

/** An API proxy's name or UUID; the server looks it up. */
export function parseProxyRef(value: string): string {
  if (value.trim().length === 0) throw new InvalidArgumentError('give an API proxy name or UUID.');
  return value;
}

/** `job.succeeded,job.failed`: distinct known event names. */
export function parseEvents(value: string): string[] {
  const events = value.split(',').map((s) => s.trim()).filter(Boolean);
  if (events.length === 0) throw new InvalidArgumentError(`name at least one event: ${WEBHOOK_EVENTS.join(', ')}.`);
  for (const event of events) {
    if (!(WEBHOOK_EVENTS as readonly string[]).includes(event)) throw new InvalidArgumentError(`unknown event "${event}"; use ${WEBHOOK_EVENTS.join(', ')}.`);
  }
  return [...new Set(events)];
}

/** An absolute http(s) URL; the server decides whether it may be targeted. */
export function parseWebhookUrl(value: string): string {
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    throw new InvalidArgumentError(`"${value}" is not a URL (for example https://ci.example.com/hooks/apiferry).`);
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') throw new InvalidArgumentError(`"${value}" must be an http(s) URL.`);
  return value;
}

export function parseUuid(value: string): string {
  if (!UUID.test(value)) throw new InvalidArgumentError(`"${value}" is not an id (a UUID).`);
  return value.toLowerCase();
}

export function parsePositiveInt(max: number) {
  return (value: string): number => {
    const n = Number(value);
    if (!Number.isInteger(n) || n < 1 || n > max) throw new InvalidArgumentError(`must be a whole number from 1 to ${max}.`);
    return n;
  };
}

export function collect<T>(parse: (value: string) => T) {
  return (value: string, previous: T[] = []): T[] => [...previous, parse(value)];
}

/** Passphrases never come from argv: the option names an environment variable holding one. */
export function passphraseFrom(variable: string | undefined, env: NodeJS.ProcessEnv): string | undefined {
  if (variable === undefined) return undefined;
  if (!/^[A-Za-z_][A-Za-z0-9_]*$/.test(variable)) throw new UsageError(`--passphrase-env takes the name of an environment variable, not "${variable}"`);
  const value = env[variable];
  if (!value) throw new UsageError(`--passphrase-env ${variable}: the environment variable ${variable} is not set or empty`);
  return value;
}
