import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { WebhookTransport } from './webhook-transport.js';

describe('webhook transport', () => {
  let server: Server;
  let port: number;
  const seen: { host?: string; body: string }[] = [];
  let respond: (req: IncomingMessage, res: ServerResponse) => void = (_req, res) => res.writeHead(204).end();

  beforeAll(async () => {
    server = createServer((req, res) => {
      let body = '';
      req.on('data', (chunk) => (body += chunk));
      req.on('end', () => {
        seen.push({ host: req.headers.host, body });
        respond(req, res);
      });
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    port = (server.address() as AddressInfo).port;
  });
  afterAll(async () => {
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
  });

  const post = (timeoutMs = 2000) =>
    new WebhookTransport().post({
      // The name never resolves: the connection must go to the checked address given here.
      target: { url: new URL(`http://hooks.invalid:${port}/in`), address: '127.0.0.1', family: 4 },
      headers: { 'content-type': 'application/json' },
      body: '{"type":"job.succeeded"}',
      timeoutMs,
    });

  it('connects to the checked address, not to whatever the name resolves to, and keeps the Host header', async () => {
    respond = (_req, res) => res.writeHead(204).end();
    const answer = await post();
    expect(answer.statusCode).toBe(204);
    expect(answer.latencyMs).toBeGreaterThanOrEqual(0);
    expect(seen.at(-1)).toEqual({ host: `hooks.invalid:${port}`, body: '{"type":"job.succeeded"}' });
  });

  it('does not follow a redirect and reports where it pointed', async () => {
    respond = (_req, res) => res.writeHead(307, { location: 'http://169.254.169.254/latest' }).end();
    const before = seen.length;
    const answer = await post();
    expect(answer).toMatchObject({ statusCode: 307, location: 'http://169.254.169.254/latest' });
    expect(seen.length).toBe(before + 1);
  });

  it('passes Retry-After on', async () => {
    respond = (_req, res) => res.writeHead(503, { 'retry-after': '120' }).end();
    expect(await post()).toMatchObject({ statusCode: 503, retryAfter: '120' });
  });

  it('gives up when no answer comes in time', async () => {
    respond = () => undefined; // never answers
    const answer = await post(200);
    expect(answer.statusCode).toBeNull();
    expect(answer.error).toBe('no answer within 200 ms');
  });
});
