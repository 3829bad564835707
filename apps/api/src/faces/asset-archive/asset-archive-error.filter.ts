import { Catch, HttpException, Inject, type ArgumentsHost, type ExceptionFilter } from '@nestjs/common';
import type { FastifyReply } from 'fastify';
import type { Logger } from 'pino';
import { DomainError } from '#core';
import { LOGGER } from '#observability';

/**
 * The asset-archive face's error shape, `{errorDetails}` with the HTTP status, as the
 * vendor's gateway answers. Conflicts and unprocessable archives are 400s there.
 */
export function assetArchiveError(status: number, details: string, extra: Record<string, unknown> = {}): { status: number; body: Record<string, unknown> } {
  const mapped = status === 409 || status === 422 || status === 413 ? 400 : status;
  return { status: mapped, body: { errorDetails: details, ...extra } };
}

@Catch()
export class AssetArchiveErrorFilter implements ExceptionFilter {
  constructor(@Inject(LOGGER) private readonly log: Logger) {}

  catch(err: unknown, host: ArgumentsHost): void {
    const reply = host.switchToHttp().getResponse<FastifyReply>();
    let answer;
    if (err instanceof DomainError) answer = assetArchiveError(err.status, err.message);
    else if (err instanceof HttpException) answer = assetArchiveError(err.getStatus(), err.message);
    else if (typeof (err as { statusCode?: unknown })?.statusCode === 'number' && (err as { statusCode: number }).statusCode < 500) {
      answer = assetArchiveError(400, (err as Error).message);
    } else {
      this.log.error({ err }, 'asset archive face request failed');
      answer = assetArchiveError(500, 'The request could not be handled.');
    }
    void reply.status(answer.status).header('content-type', 'application/json; charset=utf-8').send(answer.body);
  }
}
