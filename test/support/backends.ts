import { createServer, request, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

/** A small HTTP backend on 127.0.0.1 that answers every request with its own id. */
export interface Backend {
  id: string;
  port: number;
  /** `http://127.0.0.1:{port}` */
  url: string;
  /** Requests received so far. */
  hits: number;
  /** Requests currently being answered. */
  active: number;
  /** Milliseconds to wait before answering (0: at once). */
  delayMs: number;
  close(): Promise<void>;
}

export async function startBackend(id: string): Promise<Backend> {
  let server: Server;
  const backend: Backend = {
    id,
    port: 0,
    url: '',
    hits: 0,
    active: 0,
    delayMs: 0,
    close: async () => {
      server.closeAllConnections();
      await new Promise((resolve) => server.close(resolve));
    },
  };
  server = createServer((req, res) => {
    backend.hits += 1;
    backend.active += 1;
    const answer = (): void => {
      backend.active -= 1;
      res.setHeader('content-type', 'text/plain');
      res.end(id);
    };
    req.resume();
    if (backend.delayMs > 0) setTimeout(answer, backend.delayMs);
    else answer();
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  backend.port = (server.address() as AddressInfo).port;
  backend.url = `http://127.0.0.1:${backend.port}`;
  return backend;
}

export interface Answer {
  status: number;
  body: string;
}

/** One GET without keep-alive (a fresh connection each time); rejects on a connection error. */
export function getOnce(url: string, timeoutMs = 10_000): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const req = request(url, { agent: false, headers: { connection: 'close' }, timeout: timeoutMs }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (chunk: Buffer) => chunks.push(chunk));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks).toString('utf8') }));
      res.on('error', reject);
    });
    req.on('timeout', () => req.destroy(new Error(`no answer from ${url} within ${timeoutMs} ms`)));
    req.on('error', reject);
    req.end();
  });
}

/** Sends `count` requests, `concurrency` at a time, and counts the answers by body (the backend id). */
export async function tally(urlFor: (i: number) => string, count: number, concurrency = 10): Promise<Record<string, number>> {
  const counts: Record<string, number> = {};
  let next = 0;
  const lane = async (): Promise<void> => {
    while (next < count) {
      const i = next++;
      const answer = await getOnce(urlFor(i));
      if (answer.status !== 200) throw new Error(`request ${i} answered ${answer.status}: ${answer.body}`);
      counts[answer.body] = (counts[answer.body] ?? 0) + 1;
    }
  };
  await Promise.all(Array.from({ length: Math.min(concurrency, count) }, lane));
  return counts;
}

/**
 * Keeps `concurrency` requests in flight (each on a fresh connection) until stopped;
 * `stop()` resolves with how many succeeded (2xx) and the failures (status or error).
 */
export function steadyLoad(url: string, concurrency: number): { stop(): Promise<{ ok: number; failures: string[] }> } {
  let running = true;
  let ok = 0;
  const failures: string[] = [];
  const lane = async (): Promise<void> => {
    while (running) {
      try {
        const answer = await getOnce(url);
        if (answer.status >= 200 && answer.status < 300) ok += 1;
        else failures.push(`${answer.status} ${answer.body.slice(0, 200)}`);
      } catch (err) {
        failures.push((err as Error).message);
      }
    }
  };
  const lanes = Promise.all(Array.from({ length: concurrency }, lane));
  return {
    stop: async () => {
      running = false;
      await lanes;
      return { ok, failures };
    },
  };
}

/** A gateway admin API (the http deploy driver's target) that accepts every deployment. */
export interface AcceptingGateway {
  url: string;
  /** Paths of the PUTs (deployments) it took, in order. */
  puts: string[];
  stop(): Promise<void>;
}

export async function startAcceptingGateway(): Promise<AcceptingGateway> {
  const puts: string[] = [];
  const server: Server = createServer((req, res) => {
    if (req.method === 'PUT') puts.push(req.url ?? '');
    req.resume();
    req.on('end', () => {
      res.statusCode = req.method === 'DELETE' ? 200 : 201;
      res.setHeader('content-type', 'application/json');
      res.end('{"ok":true}');
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return { url, puts, stop: () => new Promise<void>((resolve) => server.close(() => resolve())) };
}
