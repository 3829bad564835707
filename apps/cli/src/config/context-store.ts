import { chmod, mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import { homedir } from 'node:os';
import { dirname, join } from 'node:path';
import { CliError, ExitCode, UsageError } from '../cli-error.js';

export interface SavedContext {
  server?: string;
  token?: string;
}

export interface CliConfig {
  currentContext?: string;
  contexts: Record<string, SavedContext>;
}

const CONTEXT_NAME = /^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/;

export function checkContextName(name: string): string {
  if (!CONTEXT_NAME.test(name)) throw new UsageError(`context name "${name}" must be 1-64 letters, digits, ".", "_" or "-", starting with a letter or digit`);
  return name;
}

/** `$APIFERRY_CONFIG`, else `$XDG_CONFIG_HOME/apiferry/config.json`, else `~/.config/apiferry/config.json`. */
export function configPath(env: NodeJS.ProcessEnv): string {
  if (env.APIFERRY_CONFIG) return env.APIFERRY_CONFIG;
  return join(env.XDG_CONFIG_HOME || join(homedir(), '.config'), 'apiferry', 'config.json');
}

/** Named contexts ({server, token}) in one JSON file, readable by its owner only (it holds tokens). */
export class ContextStore {
  constructor(readonly path: string) {}

  async load(): Promise<CliConfig> {
    let text: string;
    try {
      text = await readFile(this.path, 'utf8');
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return { contexts: {} };
      throw new UsageError(`cannot read the config file ${this.path}: ${(err as Error).message}`);
    }
    let parsed: unknown;
    try {
      parsed = JSON.parse(text);
    } catch {
      throw new UsageError(`the config file ${this.path} is not valid JSON`);
    }
    return validateConfig(parsed, this.path);
  }

  async save(config: CliConfig): Promise<void> {
    await mkdir(dirname(this.path), { recursive: true, mode: 0o700 });
    const temp = `${this.path}.${process.pid}.tmp`;
    try {
      await writeFile(temp, `${JSON.stringify(config, null, 2)}\n`, { mode: 0o600 });
      await chmod(temp, 0o600);
      await rename(temp, this.path);
    } catch (err) {
      throw new CliError(ExitCode.Failed, `cannot write the config file ${this.path}: ${(err as Error).message}`);
    }
  }
}

function validateConfig(value: unknown, path: string): CliConfig {
  const bad = (what: string) => new UsageError(`the config file ${path} is invalid: ${what}`);
  if (typeof value !== 'object' || value === null || Array.isArray(value)) throw bad('it must hold a JSON object');
  const raw = value as Record<string, unknown>;
  const contexts: Record<string, SavedContext> = {};
  if (raw.contexts !== undefined) {
    if (typeof raw.contexts !== 'object' || raw.contexts === null || Array.isArray(raw.contexts)) throw bad('"contexts" must be an object');
    for (const [name, entry] of Object.entries(raw.contexts as Record<string, unknown>)) {
      if (typeof entry !== 'object' || entry === null) throw bad(`context "${name}" must be an object`);
      const { server, token } = entry as Record<string, unknown>;
      if (server !== undefined && typeof server !== 'string') throw bad(`context "${name}": "server" must be a string`);
      if (token !== undefined && typeof token !== 'string') throw bad(`context "${name}": "token" must be a string`);
      contexts[name] = { ...(server ? { server } : {}), ...(token ? { token } : {}) };
    }
  }
  if (raw.currentContext !== undefined && typeof raw.currentContext !== 'string') throw bad('"currentContext" must be a string');
  return { ...(raw.currentContext ? { currentContext: raw.currentContext as string } : {}), contexts };
}
