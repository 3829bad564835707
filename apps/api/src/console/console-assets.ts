import { createReadStream, existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import fastifyStatic from '@fastify/static';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import type { FastifyReply } from 'fastify';
import type { Logger } from 'pino';

/** Where the console is served; its own calls go to /v1 with the operator's bearer token. */
export const CONSOLE_PREFIX = '/console/';

/**
 * Only this origin: no CDN, no web fonts, no inline script. `connect-src 'self'` keeps the
 * token from travelling anywhere but this API; downloads are navigations to presigned links.
 */
const CONTENT_SECURITY_POLICY = [
  "default-src 'none'",
  "script-src 'self'",
  "style-src 'self'",
  "img-src 'self' data:",
  "connect-src 'self'",
  "form-action 'none'",
  "frame-ancestors 'none'",
  "base-uri 'none'",
].join('; ');

/**
 * The static files live in apps/api/console/ of the repository, outside the TypeScript
 * build. From the source tree that is ../../console next to this module; from the built
 * layout (dist/apps/api/src/console/) it is found by walking up to the directory that holds
 * apps/api/console (the repository root, or /app in the image when the Dockerfile copies it).
 */
export function findConsoleRoot(start = dirname(fileURLToPath(import.meta.url))): string | undefined {
  for (let dir = start; ; dir = dirname(dir)) {
    for (const candidate of [join(dir, 'console'), join(dir, 'apps', 'api', 'console')]) {
      if (existsSync(join(candidate, 'index.html')) && existsSync(join(candidate, 'app.js'))) return candidate;
    }
    if (dirname(dir) === dir) return undefined;
  }
}

/**
 * Serves the operator console at /console/. These are plain files registered on Fastify,
 * outside Nest's routing, so the token guard never sees them: they hold nothing secret, and
 * every /v1 call the console makes still needs the token.
 */
export async function registerConsole(app: NestFastifyApplication, logger: Logger): Promise<void> {
  const root = findConsoleRoot();
  if (!root) {
    logger.warn('console assets (apps/api/console) not found: /console is not served');
    return;
  }
  await app.register(fastifyStatic as never, {
    root,
    prefix: CONSOLE_PREFIX,
    decorateReply: false,
    index: false,
    // Revalidated on every load (ETag), so an upgraded API never runs yesterday's scripts.
    cacheControl: true,
    maxAge: 0,
    setHeaders: (reply: FastifyReply) => void withSecurityHeaders(reply),
  });
  // The router ignores trailing slashes, so /console and /console/ are one route: the page.
  // index.html names its files by absolute path, so either address loads them.
  app
    .getHttpAdapter()
    .getInstance()
    .get(CONSOLE_PREFIX, (_request, reply) =>
      withSecurityHeaders(reply).type('text/html; charset=utf-8').header('cache-control', 'no-cache').send(createReadStream(join(root, 'index.html'))),
    );
}

function withSecurityHeaders(reply: FastifyReply): FastifyReply {
  return reply.header('content-security-policy', CONTENT_SECURITY_POLICY).header('x-content-type-options', 'nosniff').header('referrer-policy', 'no-referrer');
}
