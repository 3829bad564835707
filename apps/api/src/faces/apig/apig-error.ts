import { Catch, HttpException, Inject, type ArgumentsHost, type ExceptionFilter } from '@nestjs/common';
import type { FastifyReply } from 'fastify';
import type { Logger } from 'pino';
import { DomainError } from '#core';
import { LOGGER } from '#observability';

/**
 * The APIG face's error codes. The first five are the vendor's; the others follow its
 * numbering for what apiferry needs to say besides (docs/OPENAPI-FACE.md lists them all).
 */
export const ApigCode = {
  BadToken: 'APIG.1002',
  NoPermission: 'APIG.1005',
  MissingParameter: 'APIG.2001',
  InvalidParameter: 'APIG.2012',
  GroupNotFound: 'APIG.3001',
  ApiNotFound: 'APIG.3002',
  EnvironmentNotFound: 'APIG.3004',
  TaskNotFound: 'APIG.3010',
  GroupNameTaken: 'APIG.3201',
  DuplicateApi: 'APIG.3301',
  PayloadTooLarge: 'APIG.2013',
  Internal: 'APIG.9999',
} as const;
export type ApigCode = (typeof ApigCode)[keyof typeof ApigCode];

/** An error the face answers with a chosen code; the filter turns it into `{error_code, error_msg}`. */
export class ApigError extends Error {
  constructor(
    readonly status: number,
    readonly code: ApigCode,
    message: string,
  ) {
    super(message);
    this.name = 'ApigError';
  }
}

const CODE_BY_STATUS: Record<number, ApigCode> = {
  400: ApigCode.InvalidParameter,
  401: ApigCode.BadToken,
  403: ApigCode.NoPermission,
  404: ApigCode.GroupNotFound,
  409: ApigCode.InvalidParameter,
  413: ApigCode.PayloadTooLarge,
  422: ApigCode.InvalidParameter,
};

/** A status and problem (a failed job's error, or a domain error) in the vendor's shape. */
export function apigAnswer(status: number, message: string, code?: string): { status: number; body: { error_code: string; error_msg: string } } {
  const mapped = status === 422 ? 400 : status;
  return { status: mapped, body: { error_code: code ?? CODE_BY_STATUS[status] ?? ApigCode.Internal, error_msg: message } };
}

@Catch()
export class ApigErrorFilter implements ExceptionFilter {
  constructor(@Inject(LOGGER) private readonly log: Logger) {}

  catch(err: unknown, host: ArgumentsHost): void {
    const reply = host.switchToHttp().getResponse<FastifyReply>();
    let answer;
    if (err instanceof ApigError) answer = apigAnswer(err.status, err.message, err.code);
    else if (err instanceof DomainError) answer = apigAnswer(err.status, err.message, err.extensions.apigCode as string | undefined);
    else if (err instanceof HttpException) answer = apigAnswer(err.getStatus(), err.message);
    else if (typeof (err as { statusCode?: unknown })?.statusCode === 'number' && (err as { statusCode: number }).statusCode < 500) {
      const status = (err as { statusCode: number }).statusCode;
      answer = apigAnswer(status === 413 ? 413 : 400, (err as Error).message);
    } else {
      this.log.error({ err }, 'APIG face request failed');
      answer = apigAnswer(500, 'The request could not be handled.', ApigCode.Internal);
    }
    void reply.status(answer.status).header('content-type', 'application/json; charset=utf-8').send(answer.body);
  }
}
