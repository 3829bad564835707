import { randomUUID } from 'node:crypto';
import { DomainError, type FieldError } from '#core';

/** RFC 9457 problem details, as answered on /v1 and stored on failed jobs. */
export interface ProblemDetails {
  type: string;
  title: string;
  status: number;
  detail: string;
  instance?: string;
  errors?: FieldError[];
  /** Present on 500s: quote it to an operator, who finds the full error in the logs. */
  correlationId?: string;
  [extension: string]: unknown;
}

export const PROBLEM_CONTENT_TYPE = 'application/problem+json';

export function problemType(code: string): string {
  return `urn:apiferry:problem:${code}`;
}

export function problemFromError(err: unknown, instance?: string): ProblemDetails {
  if (err instanceof DomainError) {
    return {
      type: problemType(err.code),
      title: err.title,
      status: err.status,
      detail: err.message,
      ...(instance ? { instance } : {}),
      ...(err.errors.length > 0 ? { errors: err.errors } : {}),
      ...err.extensions,
    };
  }
  // Anything else is ours to fix: say nothing internal, give a handle to find the log line.
  return {
    type: problemType('internal'),
    title: 'Internal error',
    status: 500,
    detail: 'The service failed to handle this request; the correlation id identifies it in the service logs.',
    ...(instance ? { instance } : {}),
    correlationId: randomUUID(),
  };
}
