import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Webhook } from 'standardwebhooks';
import { eventually } from './service.js';

export interface ReceivedDelivery {
  path: string;
  headers: Record<string, string>;
  body: string;
  /** The parsed body, when some known secret verified the signature. */
  event?: any;
  /** Which of the known secrets verified the request (by index into `secrets`). */
  verifiedBy: number[];
  /** What the receiver answered (0: it never answered). */
  status: number;
}

/**
 * A webhook receiver for tests: an HTTP server on 127.0.0.1 (the only place tests send
 * webhooks to) that verifies each request's signature with the standardwebhooks library
 * against every secret it was told, records it, and answers as scripted.
 */
export class WebhookReceiver {
  readonly received: ReceivedDelivery[] = [];
  /** Secrets to verify with; set them from the answers that create or rotate an endpoint. */
  secrets: string[] = [];
  private failuresLeft = 0;
  private hangsLeft = 0;
  private failureStatus = 500;
  private fixedAnswer?: { status: number; headers?: Record<string, string> };

  private constructor(
    private readonly server: Server,
    readonly port: number,
    readonly host: string,
  ) {}

  /** Listens on `host` (any 127.0.0.0/8 address works on Linux's loopback) and a free port. */
  static async start(host = '127.0.0.1', port = 0): Promise<WebhookReceiver> {
    let receiver: WebhookReceiver | undefined;
    const server = createServer((req, res) => receiver?.handle(req, res));
    await new Promise<void>((resolve) => server.listen(port, host, resolve));
    receiver = new WebhookReceiver(server, (server.address() as AddressInfo).port, host);
    return receiver;
  }

  url(path = '/hook', host = this.host): string {
    return `http://${host}:${this.port}${path}`;
  }

  /** Answers `status` (500 unless told) to the next `count` requests, then 204 again. */
  failFirst(count: number, status = 500): this {
    this.failuresLeft = count;
    this.failureStatus = status;
    return this;
  }

  /** Never answers the next `count` requests (the caller's connection stays open): a receiver mid-delivery. */
  hangFirst(count: number): this {
    this.hangsLeft = count;
    return this;
  }

  /** Answers every request with this status (410, a redirect...) until told otherwise. */
  alwaysAnswer(status: number, headers?: Record<string, string>): this {
    this.fixedAnswer = { status, headers };
    return this;
  }

  /** Waits until `count` requests have arrived (optionally on one path) and returns them. */
  async waitForCount(count: number, what: string, path?: string, timeoutMs = 30_000): Promise<ReceivedDelivery[]> {
    return eventually(
      async () => {
        const matching = this.received.filter((d) => path === undefined || d.path === path);
        return matching.length >= count ? matching : undefined;
      },
      what,
      timeoutMs,
      50,
    );
  }

  async stop(): Promise<void> {
    this.server.closeAllConnections();
    await new Promise((resolve) => this.server.close(resolve));
  }

  private handle(req: IncomingMessage, res: ServerResponse): void {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      const body = Buffer.concat(chunks).toString('utf8');
      const headers = Object.fromEntries(Object.entries(req.headers).map(([k, v]) => [k, Array.isArray(v) ? v.join(', ') : (v ?? '')]));
      const verifiedBy: number[] = [];
      let event: unknown;
      this.secrets.forEach((secret, index) => {
        try {
          event = new Webhook(secret).verify(body, headers);
          verifiedBy.push(index);
        } catch {
          // not signed with this secret
        }
      });
      let status = 204;
      let extra: Record<string, string> = {};
      if (this.hangsLeft > 0) {
        this.hangsLeft--;
        this.received.push({ path: req.url ?? '', headers, body, event, verifiedBy, status: 0 });
        return;
      }
      if (this.fixedAnswer) {
        status = this.fixedAnswer.status;
        extra = this.fixedAnswer.headers ?? {};
      } else if (this.failuresLeft > 0) {
        this.failuresLeft--;
        status = this.failureStatus;
      } else if (verifiedBy.length === 0) {
        status = 401; // a real receiver rejects what it cannot verify
      }
      this.received.push({ path: req.url ?? '', headers, body, event, verifiedBy, status });
      res.writeHead(status, extra).end();
    });
  }
}
