import { Controller, Get, Header, Inject, Injectable } from '@nestjs/common';
import { ApiExcludeController } from '@nestjs/swagger';
import { collectDefaultMetrics, Gauge, Histogram, Registry } from 'prom-client';
import { JobRepository } from '#catalog';
import { JobQueue } from '#jobs';
import { Public } from '../common/public.decorator.js';

/** Prometheus metrics: HTTP latency, jobs by kind and state, queue depth. */
@Injectable()
export class Metrics {
  readonly registry = new Registry();
  readonly httpDuration: Histogram<'method' | 'route' | 'status'>;

  constructor(@Inject(JobRepository) jobs: JobRepository, @Inject(JobQueue) queue: JobQueue) {
    collectDefaultMetrics({ register: this.registry, prefix: 'apiferry_' });
    this.httpDuration = new Histogram({
      name: 'apiferry_http_request_duration_seconds',
      help: 'HTTP request latency by route template and status',
      labelNames: ['method', 'route', 'status'],
      buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
      registers: [this.registry],
    });
    new Gauge({
      name: 'apiferry_jobs',
      help: 'Job records by kind and state',
      labelNames: ['kind', 'state'],
      registers: [this.registry],
      async collect() {
        this.reset();
        for (const row of await jobs.countByKindAndState()) this.set({ kind: row.kind, state: row.state }, row.count);
      },
    });
    new Gauge({
      name: 'apiferry_queue_depth',
      help: 'Jobs in each queue by BullMQ state',
      labelNames: ['kind', 'state'],
      registers: [this.registry],
      async collect() {
        this.reset();
        for (const depth of await queue.depth()) {
          this.set({ kind: depth.kind, state: 'waiting' }, depth.waiting);
          this.set({ kind: depth.kind, state: 'active' }, depth.active);
          this.set({ kind: depth.kind, state: 'delayed' }, depth.delayed);
        }
      },
    });
  }
}

@ApiExcludeController()
@Public()
@Controller('metrics')
export class MetricsController {
  constructor(@Inject(Metrics) private readonly metrics: Metrics) {}

  @Get()
  @Header('content-type', 'text/plain; version=0.0.4')
  scrape() {
    return this.metrics.registry.metrics();
  }
}
