import { Controller, Get, Headers, Inject, Param, Res } from '@nestjs/common';
import { ApiBearerAuth, ApiHeader, ApiOkResponse, ApiProduces, ApiTags } from '@nestjs/swagger';
import type { FastifyReply } from 'fastify';
import type { Principal } from '#core';
import { CurrentPrincipal } from '../common/principal.decorator.js';
import { parseLastEventId, type JobEvent } from './job-event-sequence.js';
import { JobEventsService, type JobEventSink } from './job-events.service.js';

const KEEP_ALIVE_MS = 15_000;
/** What an EventSource waits before it reconnects after a dropped connection. */
const RECONNECT_MS = 2_000;

/** A server-sent-events stream of one job: its progress, then its terminal event. */
@ApiTags('jobs')
@ApiBearerAuth()
@Controller('v1/jobs')
export class JobEventsController {
  constructor(@Inject(JobEventsService) private readonly events: JobEventsService) {}

  @Get(':id/events')
  @ApiProduces('text/event-stream')
  @ApiHeader({ name: 'Last-Event-ID', required: false, description: 'The id of the last event received; resumes after it.' })
  @ApiOkResponse({ description: '`progress` events, then one `succeeded`, `failed` or `canceled` event; each `data` is the job.' })
  async stream(
    @CurrentPrincipal() caller: Principal,
    @Param('id') id: string,
    @Headers('last-event-id') lastEventId: string | undefined,
    @Res() reply: FastifyReply,
  ): Promise<void> {
    const start = await this.events.open(caller, id, parseLastEventId(lastEventId));
    const stream = new EventStream(reply);
    stream.onClose(start(stream));
  }
}

/** The response side of one SSE stream, written straight to the socket. */
class EventStream implements JobEventSink {
  private readonly raw: FastifyReply['raw'];
  private readonly keepAlive: NodeJS.Timeout;

  constructor(reply: FastifyReply) {
    // Fastify steps aside: no serialisation, no content-length, the response stays open.
    reply.hijack();
    this.raw = reply.raw;
    this.raw.writeHead(200, {
      ...(reply.getHeaders() as Record<string, string>),
      'content-type': 'text/event-stream; charset=utf-8',
      'cache-control': 'no-cache',
      connection: 'keep-alive',
      // nginx and similar proxies would otherwise buffer the stream.
      'x-accel-buffering': 'no',
    });
    this.raw.write(`retry: ${RECONNECT_MS}\n\n`);
    this.keepAlive = setInterval(() => this.write(': keep-alive\n\n'), KEEP_ALIVE_MS);
    this.raw.on('close', () => clearInterval(this.keepAlive));
  }

  send(event: JobEvent): void {
    this.write(`id: ${event.id}\nevent: ${event.event}\ndata: ${JSON.stringify(event.data)}\n\n`);
  }

  end(): void {
    clearInterval(this.keepAlive);
    if (!this.raw.writableEnded) this.raw.end();
  }

  /** Runs `stop` once the connection closes, whichever side closed it. */
  onClose(stop: () => void): void {
    if (this.raw.destroyed || this.raw.writableFinished) stop();
    else this.raw.once('close', stop);
  }

  private write(chunk: string): void {
    if (!this.raw.writableEnded && !this.raw.destroyed) this.raw.write(chunk);
  }
}
