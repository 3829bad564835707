import { Catch, HttpException, Inject, type ArgumentsHost, type ExceptionFilter } from '@nestjs/common';
import type { FastifyReply } from 'fastify';
import type { Logger } from 'pino';
import { DomainError } from '#core';
import { LOGGER } from '#observability';

/**
 * The package face's error shape: `{code, message}` with the HTTP status as the code.
 * Conflicts and unprocessable packages are 400s, as the vendor's platform answers them.
 */
export function packageError(status: number, message: string, extra: Record<string, unknown> = {}): { status: number; body: Record<string, unknown> } {
  const mapped = status === 409 || status === 422 || status === 413 ? 400 : status;
  return { status: mapped, body: { code: mapped, message, ...extra } };
}

@Catch()
export class PackageErrorFilter implements ExceptionFilter {
  constructor(@Inject(LOGGER) private readonly log: Logger) {}

  catch(err: unknown, host: ArgumentsHost): void {
    const reply = host.switchToHttp().getResponse<FastifyReply>();
    let answer;
    if (err instanceof DomainError) answer = packageError(err.status, err.message);
    else if (err instanceof HttpException) answer = packageError(err.getStatus(), err.message);
    else if (typeof (err as { statusCode?: unknown })?.statusCode === 'number' && (err as { statusCode: number }).statusCode < 500) {
      answer = packageError(400, (err as Error).message);
    } else {
      this.log.error({ err }, 'package face request failed');
      answer = packageError(500, 'The request could not be handled.');
    }
    void reply.status(answer.status).header('content-type', 'application/json; charset=utf-8').send(answer.body);
  }
}
