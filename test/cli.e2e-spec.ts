import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { createProject, createProxy, createToken, uniqueName } from './support/factory.js';
import { ApiClient } from './support/http.js';
import { startProcess, type RunningProcess } from './support/service.js';
import { testEnv } from './support/test-env.js';

const NODE = join(process.cwd(), 'node_modules/.bin/node');
const CLI = join(process.cwd(), 'bin/apiferry.mjs');
const PASSPHRASE = 'correct horse battery staple';

interface CliRun {
  code: number;
  stdout: string;
  stderr: string;
}

/**
 * A fake gateway admin API on 127.0.0.1: `/{environment}/proxies/{uuid}`. Environments whose
 * name starts with `bad` answer 500 {"message":"gateway refused"}; the others answer 200.
 */
async function startGateway(): Promise<{ server: Server; adminUrl: (environment: string) => string; calls: string[] }> {
  const calls: string[] = [];
  const server = createServer((req, res) => {
    req.resume();
    req.on('end', () => {
      const environment = (req.url ?? '').split('/')[1] ?? '';
      calls.push(`${req.method} ${req.url}`);
      res.setHeader('content-type', 'application/json');
      res.statusCode = environment.startsWith('bad') ? 500 : 200;
      res.end(JSON.stringify(environment.startsWith('bad') ? { message: 'gateway refused' } : { ok: true }));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as AddressInfo).port;
  return { server, adminUrl: (environment) => `http://127.0.0.1:${port}/${environment}`, calls };
}

describe('the apiferry command-line client against the running service', () => {
  let api: RunningProcess;
  let worker: RunningProcess;
  let admin: ApiClient;
  let workDir: string;
  let gateway: Awaited<ReturnType<typeof startGateway>>;
  const prefix = `${testEnv().queuePrefix}-cli`;

  beforeAll(async () => {
    [api, worker, gateway] = await Promise.all([startProcess('api', { QUEUE_PREFIX: prefix }), startProcess('worker', { QUEUE_PREFIX: prefix }), startGateway()]);
    admin = new ApiClient(api.url, testEnv().adminToken);
    workDir = await mkdtemp(join(tmpdir(), 'apiferry-cli-'));
  });
  afterAll(async () => {
    await Promise.all([api?.stop(), worker?.stop(), gateway && new Promise<void>((resolve) => gateway.server.close(() => resolve()))]);
    if (workDir) await rm(workDir, { recursive: true, force: true });
  });

  /** An `http` environment of the project whose adminUrl is the fake gateway; `bad...` names refuse. */
  async function environment(project: string, name: string): Promise<string> {
    const created = await admin.post(`/v1/projects/${project}/environments`, { name, driver: 'http', settings: { adminUrl: gateway.adminUrl(name) } });
    expect(created.status).toBe(201);
    return name;
  }

  /** Runs the built CLI as a user would; the server and token come from the environment unless `env` says otherwise. */
  function cli(args: string[], env: Record<string, string> = {}): Promise<CliRun> {
    const childEnv = {
      PATH: process.env.PATH ?? '',
      HOME: workDir,
      APIFERRY_CONFIG: join(workDir, 'config.json'),
      APIFERRY_SERVER: api.url,
      APIFERRY_TOKEN: testEnv().adminToken,
      ...env,
    };
    return new Promise((resolve) => {
      execFile(NODE, [CLI, ...args], { env: childEnv, cwd: workDir, timeout: 90_000 }, (error, stdout, stderr) => {
        const code = error ? (typeof error.code === 'number' ? error.code : -1) : 0;
        resolve({ code, stdout, stderr });
      });
    });
  }

  function file(name: string): string {
    return join(workDir, `${uniqueName(name)}.zip`);
  }

  /** A project with two proxies whose backends are http://127.0.0.1:9001 and :9002. */
  async function seededProject(): Promise<string> {
    const project = await createProject(admin);
    await createProxy(admin, project, { name: 'orders' });
    await createProxy(admin, project, { name: 'billing' });
    return project;
  }

  async function exported(project: string, extra: string[] = [], env: Record<string, string> = {}): Promise<string> {
    const archive = file(project);
    const run = await cli(['export', '--project', project, '-o', archive, ...extra], env);
    expect(run).toMatchObject({ code: 0 });
    return archive;
  }

  async function proxiesOf(project: string): Promise<any[]> {
    return (await admin.get(`/v1/projects/${project}/apiProxies?limit=500`)).body.items;
  }

  it('exports a project to a file and imports it into another project with a YAML overrides file for the target environment', async () => {
    const source = await seededProject();
    const archive = file('export');
    const exportRun = await cli(['export', '--project', source, '-o', archive]);
    expect(exportRun.code).toBe(0);
    expect(exportRun.stdout).toContain(`saved ${archive}`);
    const bytes = await readFile(archive);
    expect(bytes.subarray(0, 4).toString('latin1')).toBe('PK\x03\x04');
    // The archive is the export's artifact, byte for byte.
    const jobs = (await admin.get(`/v1/jobs?project=${source}&kind=archive.export`)).body.items;
    expect(createHash('sha256').update(bytes).digest('hex')).toBe(jobs[0].result.artifact.sha256);

    // One overrides file per target environment, in YAML.
    const overrides = join(workDir, `${uniqueName('prod-overrides')}.yaml`);
    await writeFile(overrides, ['# production', 'endpointMap:', "  'http://127.0.0.1:9001': https://prod-backend.internal", 'maintenanceMode: true', ''].join('\n'));
    const target = await createProject(admin);
    const importRun = await cli(['import', '--project', target, archive, '--overrides', overrides]);
    expect(importRun.code).toBe(0);
    expect(importRun.stdout).toContain(`imported ${archive.split('/').pop()} into ${target}`);

    const proxies = await proxiesOf(target);
    expect(proxies.map((p) => p.name)).toEqual(['billing', 'orders']);
    for (const proxy of proxies) {
      expect(proxy.maintenanceMode).toBe(true);
      expect(proxy.routing.addressList.map((a: any) => a.address)).toEqual(['https://prod-backend.internal', 'http://127.0.0.1:9002']);
    }
  });

  it('--output json prints one parseable JSON document on stdout (and overrides may be JSON)', async () => {
    const source = await seededProject();
    const archive = file('json');
    const exportRun = await cli(['export', '--project', source, '-o', archive, '--output', 'json']);
    expect(exportRun.code).toBe(0);
    const saved = JSON.parse(exportRun.stdout);
    expect(saved).toMatchObject({ file: archive, counts: { apiProxy: 2 } });
    expect(saved.sha256).toBe(createHash('sha256').update(await readFile(archive)).digest('hex'));

    // Overrides may be JSON too.
    const overrides = join(workDir, `${uniqueName('overrides')}.json`);
    await writeFile(overrides, JSON.stringify({ routing: { algorithm: 'RANDOM', addressList: [{ address: 'https://json-backend.internal' }] } }));
    const target = await createProject(admin);
    const importRun = await cli(['--output', 'json', 'import', '--project', target, archive, '--overrides', overrides]);
    expect(importRun.code).toBe(0);
    const job = JSON.parse(importRun.stdout);
    expect(job).toMatchObject({ kind: 'archive.import', state: 'succeeded', result: { counts: { apiProxy: { created: 2 } } } });
    for (const proxy of await proxiesOf(target)) expect(proxy.routing).toMatchObject({ algorithm: 'RANDOM', addressList: [{ address: 'https://json-backend.internal' }] });

    const listed = JSON.parse((await cli(['proxies', 'list', '--project', source, '--output', 'json'])).stdout);
    expect(listed.items.map((p: any) => p.name)).toEqual(['billing', 'orders']);
    const projects = JSON.parse((await cli(['projects', 'list', '--output', 'json'])).stdout);
    expect(projects.items.map((p: any) => p.name)).toContain(source);
  });

  it('plan --exit-code exits 2 against an empty project and 0 with --conflicts keep against one that has everything', async () => {
    const archive = await exported(await seededProject());
    const target = await createProject(admin);

    const changes = await cli(['plan', '--project', target, archive, '--exit-code']);
    expect(changes.code).toBe(2);
    expect(changes.stdout).toMatch(/apiProxy\s+orders\s+create/);
    expect(changes.stdout).toContain('2 changes');
    // Without --exit-code a plan with changes is still a success, and the plan changed nothing.
    expect((await cli(['plan', '--project', target, archive])).code).toBe(0);
    expect(await proxiesOf(target)).toEqual([]);

    expect((await cli(['import', '--project', target, archive])).code).toBe(0);
    const same = await cli(['plan', '--project', target, archive, '--conflicts', 'keep', '--exit-code']);
    expect(same.code).toBe(0);
    expect(same.stdout).toMatch(/apiProxy\s+orders\s+skip/);
    expect(same.stdout).toContain('no changes');
    // Overwriting is a change even when the definitions are equal.
    expect((await cli(['plan', '--project', target, archive, '--conflicts', 'apiProxy=overwrite', '--exit-code'])).code).toBe(2);
  });

  it('an import that fails exits 1 and prints why: a wrong passphrase, or clashes under --conflicts fail', async () => {
    const archive = await exported(await seededProject(), ['--passphrase-env', 'EXPORT_PASSPHRASE'], { EXPORT_PASSPHRASE: PASSPHRASE });
    const target = await createProject(admin);

    const wrong = await cli(['import', '--project', target, archive, '--passphrase-env', 'IMPORT_PASSPHRASE'], { IMPORT_PASSPHRASE: 'not the passphrase' });
    expect(wrong.code).toBe(1);
    expect(wrong.stderr).toMatch(/^error: .*passphrase/m);
    expect(await proxiesOf(target)).toEqual([]);

    const right = await cli(['import', '--project', target, archive, '--passphrase-env', 'IMPORT_PASSPHRASE'], { IMPORT_PASSPHRASE: PASSPHRASE });
    expect(right.code).toBe(0);
    const clash = await cli(['import', '--project', target, archive, '--conflicts', 'fail']);
    expect(clash.code).toBe(1);
    expect(clash.stderr).toMatch(/^error: .*clash/m);
    expect(clash.stdout).toMatch(/apiProxy\s+orders\s+conflict/);
    expect(clash.stderr).not.toMatch(/\n\s+at /);
  });

  it('jobs report prints every line of an import\'s report, narrowed by --action', async () => {
    const archive = await exported(await seededProject());
    const target = await createProject(admin);
    await createProxy(admin, target, { name: 'orders', basePath: '/existing-orders' });
    const started = await cli(['import', '--project', target, archive, '--conflicts', 'keep', '--no-wait']);
    const id = started.stdout.trim();
    expect((await cli(['jobs', 'watch', id])).code).toBe(0);
    const report = await cli(['jobs', 'report', id]);
    expect(report.code).toBe(0);
    expect(report.stdout).toMatch(/apiProxy\s+billing\s+create/);
    expect(report.stdout).toMatch(/apiProxy\s+orders\s+skip\s+kept the existing apiProxy/);
    const skipped = JSON.parse((await cli(['jobs', 'report', id, '--action', 'skip', '--output', 'json'])).stdout);
    expect(skipped.items.map((i: any) => [i.name, i.action])).toEqual([['orders', 'skip']]);
    const wrong = await cli(['jobs', 'report', id, '--action', 'explode']);
    expect(wrong.code).not.toBe(0);
    expect(wrong.stderr).toMatch(/action/);
  });

  it('--no-wait prints the job id; jobs watch follows it to the end and jobs get shows it', async () => {
    const source = await seededProject();
    const started = await cli(['export', '--project', source, '--no-wait']);
    expect(started.code).toBe(0);
    const id = started.stdout.trim();
    expect(id).toMatch(/^[0-9a-f-]{36}$/);
    const watched = await cli(['jobs', 'watch', id]);
    expect(watched.code).toBe(0);
    expect(watched.stdout).toMatch(/state\s+succeeded/);
    const archive = file('artifact');
    expect((await cli(['jobs', 'artifact', id, '-o', archive])).code).toBe(0);
    expect((await readFile(archive)).subarray(0, 2).toString('latin1')).toBe('PK');
    const listed = JSON.parse((await cli(['jobs', 'list', '--project', source, '--kind', 'archive.export', '--output', 'json'])).stdout);
    expect(listed.items.map((j: any) => j.id)).toEqual([id]);
  });

  it('exits 4 for a bad token and for a token without access', async () => {
    const bad = await cli(['projects', 'list'], { APIFERRY_TOKEN: 'afy_notavalidtokenatallnotavalidtoken00' });
    expect(bad.code).toBe(4);
    expect(bad.stderr.trim()).toMatch(/^error: Unauthorized: /);
    expect(bad.stderr.trim().split('\n')).toHaveLength(1);

    const project = await createProject(admin);
    const outsider = await createToken(admin, [{ project: await createProject(admin), permission: 'API_MANAGEMENT:EXPORT_IMPORT' }]);
    const forbidden = await cli(['export', '--project', project, '-o', file('forbidden')], { APIFERRY_TOKEN: outsider });
    expect(forbidden.code).toBe(4);
    expect(forbidden.stderr).toMatch(/^error: Forbidden: /);
  });

  it('exits 5 when the server is unreachable', async () => {
    const run = await cli(['projects', 'list'], { APIFERRY_SERVER: 'http://127.0.0.1:1' });
    expect(run.code).toBe(5);
    expect(run.stderr.trim()).toMatch(/^error: cannot reach the apiferry server at http:\/\/127\.0\.0\.1:1/);
  });

  it('exits 3 with a one-line usage error for an unknown flag, a bad value, a missing passphrase variable or a bad overrides file (file:line)', async () => {
    const unknown = await cli(['projects', 'list', '--bogus']);
    expect(unknown.code).toBe(3);
    expect(unknown.stderr.trim().split('\n')).toEqual([expect.stringMatching(/^error: unknown option '--bogus'/)]);
    expect((await cli(['import', '--project', 'p', 'x.zip', '--conflicts', 'sometimes'])).code).toBe(3);
    expect((await cli(['export', '--project', 'p'])).code).toBe(3);
    const noPassphrase = await cli(['export', '--project', 'p', '-o', file('x'), '--passphrase-env', 'UNSET_VARIABLE']);
    expect(noPassphrase.code).toBe(3);
    expect(noPassphrase.stderr).toContain('UNSET_VARIABLE');
    // No terminal to ask on (a pipeline): the prompt is refused, pointing at --passphrase-env.
    const noTerminal = await cli(['export', '--project', 'p', '-o', file('x'), '--passphrase-prompt']);
    expect(noTerminal.code).toBe(3);
    expect(noTerminal.stderr.trim()).toBe('error: --passphrase-prompt needs a terminal to ask on; in a pipeline use --passphrase-env VAR');
    // A bad overrides file is named with its line, before anything is uploaded.
    const badYaml = join(workDir, `${uniqueName('bad')}.yaml`);
    await writeFile(badYaml, 'endpointMap:\n  http://a: https://b\nmaintenanceMode: yes\n');
    const yaml = await cli(['import', '--project', 'p', 'x.zip', '--overrides', badYaml]);
    expect(yaml.code).toBe(3);
    expect(yaml.stderr.trim()).toBe(`error: --overrides ${badYaml}:3: "maintenanceMode" must be true or false, not "yes"`);
    const brokenYaml = join(workDir, `${uniqueName('broken')}.yml`);
    await writeFile(brokenYaml, 'routing:\n  algorithm: RANDOM\n  addressList: [http://a\n');
    const broken = await cli(['plan', '--project', 'p', 'x.zip', '--overrides', brokenYaml]);
    expect(broken.code).toBe(3);
    expect(broken.stderr).toMatch(new RegExp(`^error: --overrides ${brokenYaml.replace(/[.]/g, '\\.')}:\\d+: not valid YAML: `));
  });

  it('saves contexts in the config file and uses the current one when no server is given', async () => {
    const config = join(workDir, `${uniqueName('config')}.json`);
    const env = { APIFERRY_CONFIG: config, APIFERRY_SERVER: '', APIFERRY_TOKEN: '' };
    expect((await cli(['projects', 'list'], env)).code).toBe(3);
    expect((await cli(['context', 'set', 'here', '--server', api.url, '--token', testEnv().adminToken], env)).code).toBe(0);
    expect((await cli(['context', 'set', 'nowhere', '--server', 'http://127.0.0.1:1', '--token', testEnv().adminToken], env)).code).toBe(0);
    const project = await createProject(admin);
    const listed = await cli(['projects', 'list'], env);
    expect(listed.code).toBe(0);
    expect(listed.stdout).toContain(project);
    expect((await cli(['context', 'use', 'nowhere'], env)).code).toBe(0);
    expect((await cli(['projects', 'list'], env)).code).toBe(5);
    expect((await cli(['--context', 'here', 'projects', 'list'], env)).code).toBe(0);
    const contexts = JSON.parse((await cli(['context', 'list', '--output', 'json'], env)).stdout);
    expect(contexts).toMatchObject({ currentContext: 'nowhere', contexts: [{ name: 'here' }, { name: 'nowhere', current: true }] });
    expect(JSON.stringify(contexts)).not.toContain(testEnv().adminToken);
  });

  it('creates, lists and revokes tokens', async () => {
    const project = await createProject(admin);
    const created = await cli(['tokens', 'create', uniqueName('ci'), '--grant', `${project}:EXPORT_IMPORT`, '--output', 'json']);
    expect(created.code).toBe(0);
    const token = JSON.parse(created.stdout);
    expect(token.grants).toEqual([{ project, permission: 'API_MANAGEMENT:EXPORT_IMPORT' }]);
    expect((await cli(['proxies', 'list', '--project', project], { APIFERRY_TOKEN: token.token })).code).toBe(0);
    expect((await cli(['tokens', 'list'])).stdout).toContain(token.prefix);
    expect((await cli(['tokens', 'revoke', token.id])).code).toBe(0);
    expect((await cli(['proxies', 'list', '--project', project], { APIFERRY_TOKEN: token.token })).code).toBe(4);
  });

  it('deploy exits 0 when every environment took the proxy and 1 with the gateway message when one refused; undeploy and deployments list', async () => {
    const project = await createProject(admin);
    const proxy = await createProxy(admin, project, { name: 'orders' });
    const good = await environment(project, uniqueName('good'));
    const bad = await environment(project, uniqueName('bad'));

    const deployed = await cli(['deploy', '--project', project, '--proxy', 'orders', '--env', good]);
    expect(deployed).toMatchObject({ code: 0 });
    expect(deployed.stdout).toMatch(new RegExp(`${good}\\s+yes`));
    expect(gateway.calls).toContain(`PUT /${good}/proxies/${proxy.uuid}`);

    const both = await cli(['deploy', '--project', project, '--proxy', 'orders', '--env', good, '--env', bad]);
    expect(both.code).toBe(1);
    expect(both.stderr).toMatch(new RegExp(`^error: deployment failed on ${bad}: .*gateway refused`, 'm'));
    expect(both.stderr).not.toContain(`failed on ${good}`);
    expect(both.stdout).toMatch(new RegExp(`${bad}\\s+no\\s+.*gateway refused`));
    expect(both.stdout).toMatch(new RegExp(`${good}\\s+yes`));

    const json = await cli(['deploy', '--project', project, '--proxy', proxy.uuid, '--env', good, '--env', bad, '--output', 'json']);
    expect(json.code).toBe(1);
    const job = JSON.parse(json.stdout);
    expect(job).toMatchObject({ kind: 'proxy.deploy', state: 'succeeded', result: { deploymentResult: { success: false } } });
    expect(job.result.deploymentResult.environmentResults.find((r: any) => r.environmentName === bad)).toMatchObject({ success: false, message: expect.stringContaining('gateway refused') });

    const listed = await cli(['deployments', 'list', '--project', project, '--proxy', 'orders']);
    expect(listed.code).toBe(0);
    expect(listed.stdout).toMatch(new RegExp(`${good}\\s+${proxy.revision}\\s+deployed\\s+yes`));
    expect(listed.stdout).toMatch(new RegExp(`${bad}\\s+${proxy.revision}\\s+failed\\s+.*gateway refused`));

    const undeployed = await cli(['undeploy', '--project', project, '--proxy', 'orders', '--env', good]);
    expect(undeployed.code).toBe(0);
    expect(undeployed.stdout).toMatch(new RegExp(`${good}\\s+yes`));
    expect(gateway.calls).toContain(`DELETE /${good}/proxies/${proxy.uuid}`);
    const after = JSON.parse((await cli(['deployments', 'list', '--project', project, '--proxy', 'orders', '--output', 'json'])).stdout);
    expect(after.items.map((d: any) => [d.environment, d.status])).toEqual([[bad, 'failed']]);

    const started = await cli(['deploy', '--project', project, '--proxy', 'orders', '--env', good, '--no-wait']);
    expect(started.code).toBe(0);
    expect(started.stdout.trim()).toMatch(/^[0-9a-f-]{36}$/);
    expect((await cli(['jobs', 'watch', started.stdout.trim()])).stdout).toMatch(new RegExp(`${good}\\s+yes`));

    // An unknown environment is refused up front (400: exit 1); a missing --env is a usage error.
    const unknown = await cli(['deploy', '--project', project, '--proxy', 'orders', '--env', 'nowhere']);
    expect(unknown.code).toBe(1);
    expect(unknown.stderr).toContain('nowhere');
    expect((await cli(['deploy', '--project', project, '--proxy', 'orders'])).code).toBe(3);
  });

  it('import --deploy-to deploys the imported proxies and exits 1 when an environment refused', async () => {
    const archive = await exported(await seededProject());
    const target = await createProject(admin);
    const good = await environment(target, uniqueName('good'));
    const bad = await environment(target, uniqueName('bad'));

    const ok = await cli(['import', '--project', target, archive, '--deploy-to', good]);
    expect(ok.code).toBe(0);
    expect(ok.stdout).toMatch(new RegExp(`${good}\\s+yes`));

    const refused = await cli(['import', '--project', target, archive, '--conflicts', 'overwrite', '--deploy-to', good, '--deploy-to', bad]);
    expect(refused.code).toBe(1);
    expect(refused.stderr).toMatch(new RegExp(`^error: deployment failed on ${bad}: .*gateway refused`, 'm'));
    // The import itself stands.
    expect((await proxiesOf(target)).map((p) => p.name)).toEqual(['billing', 'orders']);
    const state = JSON.parse((await cli(['deployments', 'list', '--project', target, '--proxy', 'orders', '--output', 'json'])).stdout);
    expect(state.items.map((d: any) => [d.environment, d.status]).sort()).toEqual([
      [bad, 'failed'],
      [good, 'deployed'],
    ].sort());
    expect((await cli(['import', '--project', target, archive, '--dry-run', '--deploy-to', good])).code).toBe(3);
  });

  it('jobs logs tells a job\'s story: timeline, per-asset report and per-environment outcome; the error of a failed one; JSON too', async () => {
    const archive = await exported(await seededProject());
    const target = await createProject(admin);
    await createProxy(admin, target, { name: 'orders' });
    const good = await environment(target, uniqueName('good'));
    const bad = await environment(target, uniqueName('bad'));

    // Refused: orders clashes under --conflicts fail.
    const refused = await cli(['import', '--project', target, archive, '--output', 'json']);
    expect(refused.code).toBe(1);
    const refusedJob = JSON.parse(refused.stdout);
    const failedStory = await cli(['jobs', 'logs', refusedJob.id]);
    expect(failedStory.code).toBe(0);
    const failedLines = failedStory.stdout.split('\n');
    expect(failedLines[0]).toBe(`job ${refusedJob.id}  archive.import  project ${target}  ${refusedJob.createdAt.slice(0, 10)} (UTC)`);
    expect(failedStory.stdout).toMatch(/^\d\d:\d\d:\d\d\.\d{3}  created: archive\.import in /m);
    expect(failedStory.stdout).toMatch(/^\d\d:\d\d:\d\d\.\d{3}  started$/m);
    expect(failedStory.stdout).toMatch(/^\d\d:\d\d:\d\d\.\d{3}  failed after \d+\.\d s$/m);
    expect(failedStory.stdout).toContain(`failed: ${refusedJob.error.title}: ${refusedJob.error.detail}`);
    expect(failedStory.stdout).toMatch(/apiProxy\s+orders\s+conflict/);

    // Imported and deployed: one environment took the proxies, the other refused.
    const done = await cli(['import', '--project', target, archive, '--conflicts', 'apiProxy=overwrite', '--deploy-to', good, '--deploy-to', bad, '--output', 'json']);
    expect(done.code).toBe(1);
    const doneJob = JSON.parse(done.stdout);
    const story = await cli(['jobs', 'logs', doneJob.id]);
    expect(story.code).toBe(0);
    expect(story.stdout).toMatch(/^\d\d:\d\d:\d\d\.\d{3}  succeeded after \d+\.\d s$/m);
    expect(story.stdout).toContain('imported: 1 created, 1 overwritten, 0 renamed, 0 skipped, 0 failed');
    expect(story.stdout).toMatch(/^assets:\nTYPE\s+NAME\s+ACTION/m);
    expect(story.stdout).toMatch(/apiProxy\s+orders\s+overwrite/);
    expect(story.stdout).toMatch(/apiProxy\s+billing\s+create/);
    expect(story.stdout).toMatch(new RegExp(`${good}\\s+yes`));
    expect(story.stdout).toMatch(new RegExp(`${bad}\\s+no\\s+.*gateway refused`));

    const json = JSON.parse((await cli(['jobs', 'logs', doneJob.id, '--output', 'json'])).stdout);
    expect(json.job).toMatchObject({ id: doneJob.id, state: 'succeeded' });
    expect(json.timeline.map((e: any) => e.event)).toEqual(expect.arrayContaining(['created', 'started', 'phase', 'succeeded']));
    expect(json.timeline[0]).toEqual({ at: doneJob.createdAt, event: 'created', detail: `archive.import in ${target}` });
    expect(json.timeline.at(-1)).toMatchObject({ at: doneJob.finishedAt, event: 'succeeded' });
    expect(json.error).toBeNull();
    expect(json.assets.map((a: any) => [a.name, a.action]).sort()).toEqual([['billing', 'create'], ['orders', 'overwrite']]);
    expect(json.environments.map((e: any) => [e.environmentName, e.success]).sort()).toEqual([[bad, false], [good, true]].sort());
    const failedJson = JSON.parse((await cli(['jobs', 'logs', refusedJob.id, '--output', 'json'])).stdout);
    expect(failedJson.error).toMatchObject({ title: refusedJob.error.title, detail: refusedJob.error.detail });
    expect(failedJson.assets).toEqual(expect.arrayContaining([expect.objectContaining({ name: 'orders', action: 'conflict' })]));
  });
});
