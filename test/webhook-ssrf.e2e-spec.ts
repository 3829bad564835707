import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { ApiClient } from './support/http.js';
import { createProject, uniqueName } from './support/factory.js';
import { finishedJob } from './support/jobs.js';
import { eventually, startProcess, type RunningProcess } from './support/service.js';
import { testEnv } from './support/test-env.js';
import { WebhookReceiver } from './support/webhook-receiver.js';

interface JailRecord {
  kind: 'lookup' | 'connect';
  hostname?: string;
  address?: string;
  port?: number;
  blocked?: boolean;
  pid: number;
}

/**
 * SSRF protection, proven from outside: the API and the worker run inside a network jail
 * (test/support/network-jail.mjs) that answers name look-ups from a table this test
 * controls and records every TCP connect, refusing any to an address off the loopback
 * range before a socket opens. Only 127.0.0.2 is allow-listed, so 127.0.0.1 and ::1 are
 * forbidden targets here too. The record shows what the service tried to reach.
 */
describe('webhook SSRF protection in a network jail', () => {
  const prefix = `${testEnv().queuePrefix}-${uniqueName('ssrf')}`;
  const dir = mkdtempSync(join(tmpdir(), 'apiferry-jail-'));
  const hostsFile = join(dir, 'hosts.json');
  const logFile = join(dir, 'connects.log');
  let api: RunningProcess;
  let worker: RunningProcess;
  let admin: ApiClient;
  let allowed: WebhookReceiver;
  let forbidden: WebhookReceiver;

  const setHosts = (table: Record<string, string>) =>
    writeFileSync(hostsFile, JSON.stringify(Object.fromEntries(Object.entries(table).map(([name, address]) => [name, [{ address, family: address.includes(':') ? 6 : 4 }]]))));
  const jailRecords = (): JailRecord[] =>
    readFileSync(logFile, 'utf8')
      .split('\n')
      .filter((line) => line.length > 0)
      .map((line) => JSON.parse(line) as JailRecord);

  beforeAll(async () => {
    writeFileSync(logFile, '');
    allowed = await WebhookReceiver.start('127.0.0.2');
    forbidden = await WebhookReceiver.start('127.0.0.1');
    setHosts({ 'hooks.partner.test': '127.0.0.2', 'loopback.partner.test': '127.0.0.1' });
    const env = {
      QUEUE_PREFIX: prefix,
      WEBHOOK_ALLOWED_HOSTS: '127.0.0.2',
      WEBHOOK_RETRY_SCALE: '0.001',
      NODE_OPTIONS: `--import=${join(process.cwd(), 'test/support/network-jail.mjs')}`,
      NETWORK_JAIL_HOSTS: hostsFile,
      NETWORK_JAIL_LOG: logFile,
    };
    [api, worker] = await Promise.all([startProcess('api', env), startProcess('worker', env)]);
    admin = new ApiClient(api.url, testEnv().adminToken);
  });
  afterAll(async () => {
    await Promise.all([api?.stop(), worker?.stop(), allowed?.stop(), forbidden?.stop()]);
    rmSync(dir, { recursive: true, force: true });
  });

  it('refuses to register 10.0.0.1, 169.254.169.254, [::1], 127.0.0.1 and a name resolving to 127.0.0.1, connecting to none of them', async () => {
    const project = await createProject(admin);
    const refusedUrls = [
      'http://10.0.0.1/hook',
      'http://169.254.169.254/latest/meta-data/',
      `http://[::1]:${forbidden.port}/hook`,
      forbidden.url(),
      `http://loopback.partner.test:${forbidden.port}/hook`,
    ];
    for (const url of refusedUrls) {
      const refused = await admin.post(`/v1/projects/${project}/webhooks`, { url, events: ['job.succeeded'] });
      expect(refused.status).toBe(400);
      expect(refused.contentType).toContain('application/problem+json');
      expect(refused.body.errors).toEqual([{ pointer: '/url', detail: expect.stringMatching(/not a public address/) }]);
    }
    const byName = await admin.post(`/v1/projects/${project}/webhooks`, { url: refusedUrls[4], events: ['job.succeeded'] });
    expect(byName.body.errors[0].detail).toContain('resolves to 127.0.0.1');
    // The name was looked up in the jail's table, not in the DNS.
    expect(jailRecords().some((r) => r.kind === 'lookup' && r.hostname === 'loopback.partner.test' && r.pid === api.child.pid)).toBe(true);
    expect(forbidden.received).toHaveLength(0);
  });

  it('re-checks the resolved address at every delivery: a name rebound to a forbidden address is never connected to', async () => {
    const project = await createProject(admin);
    const created = await admin.post(`/v1/projects/${project}/webhooks`, { url: `http://hooks.partner.test:${allowed.port}/hook`, events: ['job.succeeded'] });
    expect(created.status).toBe(201);
    allowed.secrets.push(created.body.secret);
    const endpointId = created.body.id as string;
    const inventory = async () => finishedJob(admin, await admin.post(`/v1/projects/${project}/inventory`));

    // While the name resolves to the allow-listed address, deliveries arrive, signed.
    await inventory();
    const [first] = await allowed.waitForCount(1, 'the delivery to the allow-listed address');
    expect(first!.verifiedBy).toEqual([0]);
    const connectsToAllowed = jailRecords().filter((r) => r.kind === 'connect' && r.address === '127.0.0.2' && r.port === allowed.port && r.pid === worker.child.pid);
    expect(connectsToAllowed.length).toBeGreaterThan(0); // the jail does see the worker's connections

    const rebound = ['127.0.0.1', '10.0.0.1', '169.254.169.254', '::1'];
    for (const address of rebound) {
      setHosts({ 'hooks.partner.test': address });
      const job = await inventory();
      const log = await eventually(
        async () => {
          const items = (await admin.get(`/v1/projects/${project}/webhooks/${endpointId}/deliveries?limit=100`)).body.items as any[];
          return items.some((i) => i.error?.includes(`resolves to ${address},`)) ? items : undefined;
        },
        `a refused attempt for ${address} (job ${job.id})`,
      );
      const refusedAttempt = log.find((i) => i.error?.includes(`resolves to ${address},`));
      expect(refusedAttempt).toMatchObject({ state: expect.stringMatching(/failed|pending|retrying/), statusCode: null });
      expect(refusedAttempt.error).toMatch(/^not sent: The host hooks\.partner\.test resolves to .* which is not a public address/);
    }
    expect(allowed.received).toHaveLength(1);
    expect(forbidden.received).toHaveLength(0);

    // The record: nothing off the loopback range was ever attempted, by either process, and
    // nothing reached the forbidden loopback targets.
    const connects = jailRecords().filter((r) => r.kind === 'connect');
    expect(connects.filter((r) => r.blocked)).toEqual([]);
    expect(connects.filter((r) => ['10.0.0.1', '169.254.169.254', '::1'].includes(r.address ?? ''))).toEqual([]);
    expect(connects.filter((r) => r.port === forbidden.port)).toEqual([]);
  });
});
