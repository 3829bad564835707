import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { HttpDeployDriver, httpAdminUrlProblem } from './http-driver.js';

describe('http deploy driver', () => {
  let server: Server;
  let base: string;
  const calls: { method?: string; url?: string; body: string }[] = [];

  beforeAll(async () => {
    server = createServer((req, res) => {
      let body = '';
      req.on('data', (c) => (body += c));
      req.on('end', () => {
        calls.push({ method: req.method, url: req.url, body });
        if (req.url?.startsWith('/refuse/')) return void res.writeHead(422, { 'content-type': 'application/json' }).end('{"error":"bad policy"}');
        if (req.url?.startsWith('/slow/')) return void setTimeout(() => res.end(), 500);
        res.writeHead(204).end();
      });
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterAll(async () => {
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
  });

  const proxy = { uuid: 'u-1', name: 'orders', basePath: '/orders', revision: 2, maintenanceMode: false };
  const env = (adminUrl?: string) => ({ name: 'test', driver: 'http', settings: adminUrl ? { adminUrl } : {} });

  it('PUTs the definition and DELETEs it by uuid; 2xx is success', async () => {
    expect(await new HttpDeployDriver().deploy(env(`${base}/ok/`), proxy)).toEqual({ success: true, message: 'deployed revision 2' });
    expect(calls.at(-1)).toMatchObject({ method: 'PUT', url: '/ok/proxies/u-1' });
    expect(JSON.parse(calls.at(-1)!.body)).toMatchObject({ uuid: 'u-1', name: 'orders', revision: 2 });
    expect((await new HttpDeployDriver().undeploy(env(`${base}/ok`), proxy)).success).toBe(true);
    expect(calls.at(-1)).toMatchObject({ method: 'DELETE', url: '/ok/proxies/u-1' });
  });

  it('takes the failure message from the body, and reports timeouts and missing settings', async () => {
    expect(await new HttpDeployDriver().deploy(env(`${base}/refuse`), proxy)).toEqual({ success: false, message: 'The gateway answered 422: bad policy' });
    expect((await new HttpDeployDriver(100).deploy(env(`${base}/slow`), proxy)).message).toMatch(/did not answer within/);
    expect((await new HttpDeployDriver().deploy(env(), proxy)).message).toMatch(/adminUrl is required/);
    expect(httpAdminUrlProblem({ adminUrl: 'ftp://x' })).toMatch(/http\(s\)/);
  });
});
