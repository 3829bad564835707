import { Controller, Get, Inject, Res } from '@nestjs/common';
import { ApiExcludeController } from '@nestjs/swagger';
import type { FastifyReply } from 'fastify';
import { sql } from 'kysely';
import { CATALOG_DB, type CatalogDb } from '#catalog';
import { JobQueue } from '#jobs';
import { withTimeout } from '#core';
import { ObjectStore } from '#storage';
import { Public } from '../common/public.decorator.js';

const CHECK_TIMEOUT_MS = 2000;


@ApiExcludeController()
@Public()
@Controller('health')
export class HealthController {
  constructor(
    @Inject(CATALOG_DB) private readonly db: CatalogDb,
    @Inject(JobQueue) private readonly queue: JobQueue,
    @Inject(ObjectStore) private readonly store: ObjectStore,
  ) {}

  /** The process is up and serving HTTP; says nothing about its dependencies. */
  @Get('live')
  live() {
    return { status: 'ok' };
  }

  /** Ready to take work: PostgreSQL, Redis and the object store all answer. */
  @Get('ready')
  async ready(@Res({ passthrough: true }) reply: FastifyReply) {
    const checks = {
      database: async () => void (await sql`select 1`.execute(this.db)),
      redis: () => this.queue.ping(CHECK_TIMEOUT_MS),
      objectStore: () => this.store.ping(),
    };
    const results = await Promise.all(
      Object.entries(checks).map(async ([name, check]) => {
        try {
          await withTimeout(check(), CHECK_TIMEOUT_MS, `no answer within ${CHECK_TIMEOUT_MS} ms`);
          return [name, { status: 'ok' }] as const;
        } catch (err) {
          return [name, { status: 'down', error: (err as Error).message }] as const;
        }
      }),
    );
    const ok = results.every(([, r]) => r.status === 'ok');
    void reply.status(ok ? 200 : 503);
    return { status: ok ? 'ok' : 'down', checks: Object.fromEntries(results) };
  }
}
