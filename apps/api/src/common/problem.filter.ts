import { Catch, HttpException, Inject, type ArgumentsHost, type ExceptionFilter } from '@nestjs/common';
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { Logger } from 'pino';
import { DomainError } from '#core';
import { InvalidCursorError } from '#catalog';
import { LOGGER, problemFromError, problemType, PROBLEM_CONTENT_TYPE, type ProblemDetails } from '#observability';

/**
 * Turns every error on the native API into RFC 9457 problem+json. Unknown errors become a
 * 500 with a correlation id; their message, stack and any SQL stay in the log.
 */
@Catch()
export class ProblemFilter implements ExceptionFilter {
  constructor(@Inject(LOGGER) private readonly log: Logger) {}

  catch(err: unknown, host: ArgumentsHost): void {
    const http = host.switchToHttp();
    const request = http.getRequest<FastifyRequest>();
    const reply = http.getResponse<FastifyReply>();
    // The path identifies the occurrence; query strings may carry cursors or filters, not needed here.
    const instance = request.url.split('?')[0];
    const problem = this.toProblem(err, instance);
    if (problem.status >= 500) {
      this.log.error({ err, reqId: request.id, correlationId: problem.correlationId }, 'request failed');
    }
    void reply
      .status(problem.status)
      .header('content-type', PROBLEM_CONTENT_TYPE)
      .send(problem);
  }

  private toProblem(err: unknown, instance: string): ProblemDetails {
    if (err instanceof DomainError) return problemFromError(err, instance);
    if (err instanceof InvalidCursorError) {
      return { type: problemType('invalid-cursor'), title: 'Invalid cursor', status: 400, detail: err.message, instance };
    }
    if (err instanceof HttpException) {
      const status = err.getStatus();
      const response = err.getResponse();
      const message =
        typeof response === 'object' && response !== null && 'message' in response
          ? String((response as { message: unknown }).message)
          : err.message;
      const code = status === 404 ? 'not-found' : status === 400 ? 'bad-request' : `http-${status}`;
      return { type: problemType(code), title: httpTitle(status), status, detail: message, instance };
    }
    if (isFastifyClientError(err)) {
      return { type: problemType('bad-request'), title: 'Invalid request', status: err.statusCode, detail: err.message, instance };
    }
    return problemFromError(err, instance);
  }
}

function isFastifyClientError(err: unknown): err is { statusCode: number; message: string } {
  const status = (err as { statusCode?: unknown })?.statusCode;
  return typeof status === 'number' && status >= 400 && status < 500;
}

function httpTitle(status: number): string {
  const titles: Record<number, string> = {
    400: 'Invalid request',
    401: 'Unauthorized',
    403: 'Forbidden',
    404: 'Not found',
    405: 'Method not allowed',
    409: 'Conflict',
    413: 'Payload too large',
    415: 'Unsupported media type',
    422: 'Unprocessable content',
    429: 'Too many requests',
  };
  return titles[status] ?? 'Error';
}
