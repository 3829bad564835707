import 'reflect-metadata';
import { NestFactory } from '@nestjs/core';
import { FastifyAdapter, type NestFastifyApplication } from '@nestjs/platform-fastify';
import multipart from '@fastify/multipart';
import { ApiProperty, ApiPropertyOptional, DocumentBuilder, SwaggerModule } from '@nestjs/swagger';
import type { Logger } from 'pino';
import type { AppConfig } from '#config';
import { applyModelDocs } from '#core';
import { AppModule } from './app.module.js';
import { createValidationPipe } from './common/validation.pipe.js';
import { registerConsole } from './console/console-assets.js';
import { Metrics } from './health/metrics.js';

/** Builds and starts the HTTP API; returns the app and the address it listens on. */
export async function startApi(config: AppConfig, logger: Logger): Promise<{ app: NestFastifyApplication; url: string }> {
  const adapter = new FastifyAdapter({
    // Request ids travel into every log line of the request and back in x-request-id.
    requestIdHeader: 'x-request-id',
    genReqId: () => crypto.randomUUID(),
    bodyLimit: 10 * 1024 * 1024,
    trustProxy: false,
    // The vendor faces' documented paths end in '/'; clients send them both ways.
    routerOptions: { ignoreTrailingSlash: true },
  });
  const app = await NestFactory.create<NestFastifyApplication>(AppModule.forRoot(config, logger), adapter, {
    logger: false,
    bufferLogs: false,
    // Throw start-up errors to main() (which prints them) instead of exiting silently.
    abortOnError: false,
  });
  app.useGlobalPipes(createValidationPipe());
  // Form uploads stream file parts; the size cap is enforced while streaming (UploadGuard).
  await app.register(multipart as never, { limits: { files: 1, fields: 20, fieldSize: 1024 * 1024, fileSize: config.archive.maxFormUploadBytes + 1 } });
  await registerConsole(app, logger);
  app.enableShutdownHooks();

  const fastify = app.getHttpAdapter().getInstance();
  const metrics = app.get(Metrics);
  fastify.addHook('onRequest', async (request, reply) => {
    void reply.header('x-request-id', request.id);
  });
  fastify.addHook('onResponse', async (request, reply) => {
    const route = request.routeOptions.url ?? 'unmatched';
    const seconds = reply.elapsedTime / 1000;
    metrics.httpDuration.observe({ method: request.method, route, status: String(reply.statusCode) }, seconds);
    logger.info(
      { reqId: request.id, method: request.method, route, url: request.url.split('?')[0], status: reply.statusCode, ms: Math.round(reply.elapsedTime) },
      'request',
    );
  });

  // The shared model's annotations wait in libs/core, which the worker loads without swagger.
  applyModelDocs({ ApiProperty, ApiPropertyOptional });
  const document = SwaggerModule.createDocument(
    app,
    new DocumentBuilder()
      .setTitle('apiferry')
      .setDescription('Import, export and deployment jobs for API proxies')
      .setVersion('1')
      .addBearerAuth({ type: 'http', scheme: 'bearer', description: 'personal access token (afy_...)' })
      .build(),
  );
  SwaggerModule.setup('docs', app, document, { jsonDocumentUrl: 'docs/openapi.json' });

  await app.listen({ port: config.http.port, host: config.http.host });
  const address = fastify.server.address();
  const port = typeof address === 'object' && address ? address.port : config.http.port;
  const url = `http://${config.http.host.includes(':') ? `[${config.http.host}]` : config.http.host}:${port}`;
  logger.info({ url, workerInProcess: config.workerInProcess, embeddedDatabase: !config.databaseUrl }, 'api listening');
  return { app, url };
}
