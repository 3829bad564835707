import { Catch, HttpException, Inject, type ArgumentsHost, type ExceptionFilter } from '@nestjs/common';
import type { FastifyReply } from 'fastify';
import type { Logger } from 'pino';
import { DomainError } from '#core';
import { LOGGER } from '#observability';

/** The proxy face's error shape: `{error, error_description}` with the vendor's codes. */
export function vendorError(status: number, description: string): { status: number; body: { error: string; error_description: string } } {
  const codes: Record<number, string> = { 400: 'bad_request', 401: 'unauthorized_client', 403: 'access_denied', 404: 'not_found' };
  const mapped = status === 409 || status === 422 || status === 413 ? 400 : status;
  return { status: mapped, body: { error: codes[mapped] ?? 'server_error', error_description: description } };
}

@Catch()
export class VendorErrorFilter implements ExceptionFilter {
  constructor(@Inject(LOGGER) private readonly log: Logger) {}

  catch(err: unknown, host: ArgumentsHost): void {
    const reply = host.switchToHttp().getResponse<FastifyReply>();
    let answer;
    if (err instanceof DomainError) answer = vendorError(err.status, err.message);
    else if (err instanceof HttpException) answer = vendorError(err.getStatus(), err.message);
    else if (typeof (err as { statusCode?: unknown })?.statusCode === 'number' && (err as { statusCode: number }).statusCode < 500) {
      answer = vendorError(400, (err as Error).message);
    } else {
      this.log.error({ err }, 'proxy face request failed');
      answer = vendorError(500, 'The request could not be handled.');
    }
    void reply.status(answer.status).header('content-type', 'application/json; charset=utf-8').send(answer.body);
  }
}
