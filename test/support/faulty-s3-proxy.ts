import { request, createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface ProxiedRequest {
  method: string;
  /** The `partNumber` query parameter of an UploadPart request; undefined for other requests. */
  partNumber?: number;
  /** Bytes of the request body that passed through (or were drained, for a refused part). */
  bytes: number;
  /** What the client got: the store's status, or the injected one. */
  status: number;
  /** Whether this answer was the injected failure. */
  injected: boolean;
}

/**
 * A small HTTP proxy on 127.0.0.1 in front of the test S3 server, for the endpoint put
 * into presigned URLs (S3_PRESIGN_ENDPOINT). It forwards every request as it came, Host
 * header included: a SigV4 presigned URL signs the host the client connects to, and the
 * store checks the signature against the Host it receives. It answers 500 (an S3
 * InternalError) instead to the first PUTs of the chosen part number (once, or `failures`
 * times), after reading the part's bytes the way a store failing at the end of a part would.
 */
export class FaultyS3Proxy {
  readonly requests: ProxiedRequest[] = [];
  private failuresLeft: number;

  private constructor(
    private readonly server: Server,
    private readonly target: URL,
    private readonly failPartNumber: number,
    failures: number,
  ) {
    this.failuresLeft = failures;
  }

  static async start(targetEndpoint: string, options: { failPartNumber: number; failures?: number }): Promise<FaultyS3Proxy> {
    let proxy: FaultyS3Proxy | undefined;
    const server = createServer((req, res) => proxy?.handle(req, res));
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    proxy = new FaultyS3Proxy(server, new URL(targetEndpoint), options.failPartNumber, options.failures ?? 1);
    return proxy;
  }

  get url(): string {
    return `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
  }

  /** The UploadPart requests, in arrival order. */
  partPuts(): ProxiedRequest[] {
    return this.requests.filter((r) => r.method === 'PUT' && r.partNumber !== undefined);
  }

  async stop(): Promise<void> {
    this.server.closeAllConnections();
    await new Promise((resolve) => this.server.close(resolve));
  }

  private handle(req: IncomingMessage, res: ServerResponse): void {
    const query = new URL(req.url ?? '/', 'http://proxy').searchParams;
    const partNumber = query.has('partNumber') && query.has('uploadId') ? Number(query.get('partNumber')) : undefined;
    const record: ProxiedRequest = { method: req.method ?? '', partNumber, bytes: 0, status: 0, injected: false };
    this.requests.push(record);
    req.on('data', (chunk: Buffer) => {
      record.bytes += chunk.length;
    });

    if (req.method === 'PUT' && partNumber === this.failPartNumber && this.failuresLeft > 0) {
      this.failuresLeft -= 1;
      record.injected = true;
      req.resume();
      req.on('end', () => {
        record.status = 500;
        res.writeHead(500, { 'content-type': 'application/xml' });
        res.end('<?xml version="1.0" encoding="UTF-8"?><Error><Code>InternalError</Code><Message>injected by the test proxy</Message></Error>');
      });
      return;
    }

    const upstream = request(
      {
        host: this.target.hostname,
        port: this.target.port,
        method: req.method,
        path: req.url,
        // As the client sent them, Host included (see above).
        headers: req.headers,
      },
      (answer) => {
        record.status = answer.statusCode ?? 0;
        res.writeHead(answer.statusCode ?? 502, answer.headers);
        answer.pipe(res);
      },
    );
    upstream.on('error', (err) => {
      record.status = 502;
      if (!res.headersSent) res.writeHead(502, { 'content-type': 'text/plain' });
      res.end(`proxy: ${err.message}`);
    });
    req.pipe(upstream);
  }
}
