import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { copyFile, mkdir, open, readFile, readdir, readlink, rename, rm, stat, symlink, unlink, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { promisify } from 'node:util';
import type { DeployDriver, DeployEnvironment, DeployableProxy, DriverOutcome } from './deploy-driver.js';
import { cacheDirOf, enabledCache, listenAddressOf, nginxSettingsProblem, renderMainConfig, renderProxy, type NginxSettings } from './nginx-config.js';

const run = promisify(execFile);
const VERIFY_TIMEOUT_MS = 5_000;

/**
 * Runs a private nginx from `configDir`: `nginx.conf` includes the proxies under `live`, a
 * symlink to one generation directory. A change is written as a new generation beside the
 * live one, checked with `nginx -t`, switched in by renaming the symlink (atomic), and
 * reloaded gracefully; if the gateway does not then answer as expected, the previous
 * generation is switched back and reloaded.
 */
export class NginxDeployDriver implements DeployDriver {
  constructor(private readonly binary = '/usr/sbin/nginx') {}

  deploy(env: DeployEnvironment, proxy: DeployableProxy): Promise<DriverOutcome> {
    return this.change(env, proxy, 'deploy');
  }

  undeploy(env: DeployEnvironment, proxy: DeployableProxy): Promise<DriverOutcome> {
    return this.change(env, proxy, 'undeploy');
  }

  private async change(env: DeployEnvironment, proxy: DeployableProxy, action: 'deploy' | 'undeploy'): Promise<DriverOutcome> {
    const problem = nginxSettingsProblem(env.settings);
    if (problem) return { success: false, message: `Environment "${env.name}" is not configured: ${problem}.` };
    const settings = env.settings as unknown as NginxSettings;
    let files: { upstream: string; locations: string } | undefined;
    try {
      if (action === 'deploy') files = renderProxy(proxy, settings.configDir);
    } catch (err) {
      return { success: false, message: `The proxy cannot be deployed to nginx: ${(err as Error).message}.` };
    }
    const dir = settings.configDir;
    const live = join(dir, 'live');
    try {
      await ensureLayout(dir);
      // The main configuration names the listen port: it changes with the environment's
      // settings, so it is switched and rolled back together with the proxies.
      const main = join(dir, 'nginx.conf');
      const previousMain = await readFile(main, 'utf8').catch(() => undefined);
      const current = join(dir, await readlink(live));
      const nextName = `generations/${Date.now()}-${randomBytes(3).toString('hex')}`;
      const next = join(dir, nextName);
      await mkdir(next); // not recursive: Node reports a read-only file system as ENOENT then
      for (const file of await readdir(current)) await copyFile(join(current, file), join(next, file));
      if (files) {
        // nginx creates the proxy's own cache directory itself (owned by its worker user); it
        // needs the parent. The workers must be able to reach it: configDir must be searchable.
        if (enabledCache(proxy)) await mkdir(join(dir, 'cache'), { recursive: true });
        await writeFile(join(next, `${proxy.uuid}.conf`), files.upstream);
        await writeFile(join(next, `${proxy.uuid}.locations`), files.locations);
      } else {
        await rm(join(next, `${proxy.uuid}.conf`), { force: true });
        await rm(join(next, `${proxy.uuid}.locations`), { force: true });
      }
      const candidate = join(dir, 'nginx.candidate.conf');
      await writeFile(candidate, renderMainConfig(settings, next));
      const tested = await this.nginx(['-t', '-c', candidate]);
      if (!tested.ok) {
        await rm(next, { recursive: true, force: true });
        return { success: false, message: `nginx rejected the configuration: ${tested.output}` };
      }
      await switchTo(dir, nextName);
      await replaceFile(main, renderMainConfig(settings, live));
      const errorLog = join(dir, 'error.log');
      const logStart = await sizeOf(errorLog);
      const reloaded = await this.nginx(['-s', 'reload', '-c', join(dir, 'nginx.conf')]);
      let verified = reloaded.ok ? await verify(settings, proxy, action) : `reload failed: ${reloaded.output}`;
      if (verified !== undefined) {
        // `nginx -s reload` only signals the master: when the new configuration cannot be
        // applied (a port that cannot be bound, ...) nginx says why in its error log only.
        const emerg = await emergenciesSince(errorLog, logStart);
        if (emerg) verified += `; nginx: ${emerg}`;
        await switchTo(dir, await relativeGeneration(dir, current));
        if (previousMain !== undefined) await replaceFile(main, previousMain);
        await this.nginx(['-s', 'reload', '-c', join(dir, 'nginx.conf')]);
        await rm(next, { recursive: true, force: true });
        return { success: false, message: `The change was rolled back: ${verified}` };
      }
      await rm(current, { recursive: true, force: true });
      // Cached answers of a proxy whose cache is now off (or that is gone) would only fill the
      // disk; a redeploy with the cache on needs no purge: its cache key carries the revision.
      if (!files || !enabledCache(proxy)) await rm(cacheDirOf(dir, proxy), { recursive: true, force: true });
      return { success: true, message: action === 'deploy' ? `deployed revision ${proxy.revision}` : 'undeployed' };
    } catch (err) {
      return { success: false, message: `The nginx configuration could not be changed: ${(err as Error).message}` };
    }
  }

  private async nginx(args: string[]): Promise<{ ok: boolean; output: string }> {
    try {
      await run(this.binary, args, { timeout: 10_000 });
      return { ok: true, output: '' };
    } catch (err) {
      const e = err as { stderr?: string; message: string };
      return { ok: false, output: (e.stderr || e.message).trim().split('\n').slice(-3).join(' ') };
    }
  }
}

/** Creates the main configuration and an empty first generation if they are missing. */
export async function initNginxConfigDir(settings: NginxSettings): Promise<string> {
  const main = join(settings.configDir, 'nginx.conf');
  await ensureLayout(settings.configDir);
  await replaceFile(main, renderMainConfig(settings, join(settings.configDir, 'live')));
  return main;
}

/** The directories and the `live` symlink (to an empty first generation) a config dir needs. */
async function ensureLayout(dir: string): Promise<void> {
  for (const sub of ['tmp', 'generations']) await mkdir(join(dir, sub), { recursive: true });
  if (!(await exists(join(dir, 'live')))) {
    await mkdir(join(dir, 'generations', 'initial'), { recursive: true });
    await symlink('generations/initial', join(dir, 'live'));
  }
}

/** Writes beside and renames over, so nginx never reads a half-written file. */
async function replaceFile(path: string, content: string): Promise<void> {
  const temp = `${path}.${randomBytes(3).toString('hex')}.tmp`;
  await writeFile(temp, content);
  await rename(temp, path);
}

async function switchTo(dir: string, generation: string): Promise<void> {
  const temp = join(dir, `live.${randomBytes(3).toString('hex')}`);
  await symlink(generation, temp);
  await rename(temp, join(dir, 'live')).catch(async (err) => {
    await unlink(temp).catch(() => undefined);
    throw err;
  });
}

async function relativeGeneration(dir: string, absolute: string): Promise<string> {
  return absolute.slice(dir.replace(/\/+$/, '').length + 1);
}

async function sizeOf(path: string): Promise<number> {
  return stat(path).then(
    (s) => s.size,
    () => 0,
  );
}

/** The last few `[emerg]`/`[alert]` lines nginx wrote to its error log after `offset`, without their timestamps. */
async function emergenciesSince(path: string, offset: number): Promise<string> {
  try {
    const handle = await open(path, 'r');
    try {
      const length = Math.min(Math.max((await handle.stat()).size - offset, 0), 64 * 1024);
      const buffer = Buffer.alloc(length);
      await handle.read(buffer, 0, length, offset);
      return buffer
        .toString('utf8')
        .split('\n')
        .filter((line) => /\[(emerg|alert)\]/.test(line))
        .map((line) => line.replace(/^\S+ \S+ \[(emerg|alert)\] \d+#\d+: /, ''))
        .slice(-3)
        .join(' ');
    } finally {
      await handle.close();
    }
  } catch {
    return '';
  }
}

async function exists(path: string): Promise<boolean> {
  return stat(path).then(
    () => true,
    () => false,
  );
}

/** Undefined when the gateway answers as the change says it should within the bound; otherwise why not. */
async function verify(settings: NginxSettings, proxy: DeployableProxy, action: 'deploy' | 'undeploy'): Promise<string | undefined> {
  const expected = `${proxy.uuid};rev=${proxy.revision}`;
  const listen = listenAddressOf(settings);
  const host = listen === '0.0.0.0' ? '127.0.0.1' : listen === '[::]' ? '[::1]' : listen;
  const url = `http://${host}:${settings.listenPort}${proxy.basePath.replace(/\/+$/, '')}/`;
  const deadline = Date.now() + VERIFY_TIMEOUT_MS;
  let last = 'no answer';
  while (Date.now() < deadline) {
    try {
      const response = await fetch(url, { signal: AbortSignal.timeout(2_000) });
      await response.arrayBuffer();
      const header = response.headers.get('x-apiferry-proxy');
      if (action === 'deploy' ? header === expected : header === null) return undefined;
      last = `answered ${response.status} with proxy ${header ?? 'none'}`;
    } catch (err) {
      last = (err as Error).message;
    }
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  return `the gateway did not serve the change at ${url} (${last})`;
}
