import { request as httpRequest, type IncomingMessage } from 'node:http';
import { request as httpsRequest } from 'node:https';
import type { LookupFunction } from 'node:net';
import type { CheckedTarget } from './webhook-target.js';

export interface WebhookPost {
  target: CheckedTarget;
  headers: Record<string, string>;
  body: string;
  timeoutMs: number;
}

export interface WebhookAnswer {
  /** null when no answer came: refused, reset, timed out. */
  statusCode: number | null;
  /** Milliseconds until the answer's status line (or until the failure). */
  latencyMs: number;
  /** Raw Retry-After header of the answer. */
  retryAfter?: string;
  /** Location of a redirect, which is never followed. */
  location?: string;
  /** Why there was no answer. */
  error?: string;
}

/** Reading more of an answer than this proves nothing; the rest is discarded. */
const MAX_ANSWER_BYTES = 64 * 1024;

/**
 * Outbound HTTP for webhooks. The connection goes to exactly the address the target guard
 * checked (a fixed `lookup`), so a DNS answer that changes between the check and the
 * connect (rebinding) cannot redirect it; redirects are not followed; a fresh connection
 * per delivery, so no pooled socket outlives a check.
 */
export class WebhookTransport {
  post(request: WebhookPost): Promise<WebhookAnswer> {
    const { target } = request;
    const started = performance.now();
    const elapsed = () => Math.round(performance.now() - started);
    return new Promise<WebhookAnswer>((resolve) => {
      let settled = false;
      const settle = (answer: WebhookAnswer) => {
        if (settled) return;
        settled = true;
        resolve(answer);
      };
      const send = target.url.protocol === 'https:' ? httpsRequest : httpRequest;
      const req = send(
        target.url,
        {
          method: 'POST',
          headers: { ...request.headers, 'content-length': String(Buffer.byteLength(request.body)) },
          agent: false,
          lookup: pinnedLookup(target.address, target.family),
        },
        (res: IncomingMessage) => {
          settle({
            statusCode: res.statusCode ?? null,
            latencyMs: elapsed(),
            retryAfter: header(res, 'retry-after'),
            location: header(res, 'location'),
          });
          let read = 0;
          res.on('data', (chunk: Buffer) => {
            read += chunk.length;
            if (read > MAX_ANSWER_BYTES) req.destroy();
          });
          res.on('end', () => clearTimeout(deadline));
          res.on('error', () => clearTimeout(deadline));
        },
      );
      const deadline = setTimeout(() => {
        settle({ statusCode: null, latencyMs: elapsed(), error: `no answer within ${request.timeoutMs} ms` });
        req.destroy();
      }, request.timeoutMs);
      req.on('error', (err: NodeJS.ErrnoException) => {
        clearTimeout(deadline);
        settle({ statusCode: null, latencyMs: elapsed(), error: describeError(err) });
      });
      req.on('close', () => clearTimeout(deadline));
      req.end(request.body);
    });
  }
}

/** A lookup that answers the checked address whatever is asked (Node may ask for all addresses). */
function pinnedLookup(address: string, family: 4 | 6): LookupFunction {
  return (_hostname, options, callback) => {
    if ((options as { all?: boolean }).all) (callback as (err: null, addresses: { address: string; family: number }[]) => void)(null, [{ address, family }]);
    else callback(null, address, family);
  };
}

function header(res: IncomingMessage, name: string): string | undefined {
  const value = res.headers[name];
  return Array.isArray(value) ? value[0] : value;
}

function describeError(err: NodeJS.ErrnoException): string {
  const code = err.code ? `${err.code}: ` : '';
  return `${code}${err.message}`.slice(0, 500);
}
