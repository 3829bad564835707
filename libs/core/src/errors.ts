/**
 * Domain errors: services and processors throw these; the HTTP edge turns them into
 * problem+json (or a vendor face's shape). Their messages are safe to show a client.
 */
export interface FieldError {
  /** JSON pointer into the request body, e.g. `/routing/addressList/0/weight`. */
  pointer: string;
  detail: string;
}

export abstract class DomainError extends Error {
  abstract readonly status: number;
  abstract readonly title: string;
  /** Short machine-readable slug, also the last segment of the problem `type` URI. */
  abstract readonly code: string;
  /** A permanent error fails a job at once; a transient one is retried. */
  readonly permanent: boolean = true;
  /** Extra members of the problem details object (RFC 9457 extensions). */
  extensions: Record<string, unknown> = {};
  constructor(
    message: string,
    readonly errors: FieldError[] = [],
  ) {
    super(message);
    this.name = new.target.name;
  }

  with(extensions: Record<string, unknown>): this {
    this.extensions = { ...this.extensions, ...extensions };
    return this;
  }
}

export class ValidationError extends DomainError {
  readonly status = 400;
  readonly title = 'Invalid request';
  readonly code = 'validation';
}
export class UnauthorizedError extends DomainError {
  readonly status = 401;
  readonly title = 'Unauthorized';
  readonly code = 'unauthorized';
}
export class ForbiddenError extends DomainError {
  readonly status = 403;
  readonly title = 'Forbidden';
  readonly code = 'forbidden';
}
export class NotFoundError extends DomainError {
  readonly status = 404;
  readonly title = 'Not found';
  readonly code = 'not-found';
}
export class ConflictError extends DomainError {
  readonly status = 409;
  readonly title = 'Conflict';
  readonly code = 'conflict';
}
export class IdempotencyMismatchError extends DomainError {
  readonly status = 422;
  readonly title = 'Idempotency key reused with another request';
  readonly code = 'idempotency-mismatch';
}
export class PayloadTooLargeError extends DomainError {
  readonly status = 413;
  readonly title = 'Payload too large';
  readonly code = 'payload-too-large';
}
export class UnavailableError extends DomainError {
  readonly status = 503;
  readonly title = 'Service unavailable';
  readonly code = 'unavailable';
  override readonly permanent = false;
}
/** A job was asked to stop; not a failure of the job's work. */
export class JobCanceledError extends Error {
  constructor() {
    super('the job was canceled');
    this.name = 'JobCanceledError';
  }
}

/** An archive that cannot be imported as it is: tampered, hostile, malformed, wrong passphrase. */
export class ArchiveRejectedError extends DomainError {
  readonly status = 422;
  readonly title = 'Archive rejected';
  readonly code = 'archive-rejected';
}

/** An import that would clash with the catalog under the `fail` policy, or holds invalid assets. */
export class ImportBlockedError extends DomainError {
  readonly status = 409;
  readonly title = 'Import blocked';
  readonly code = 'import-blocked';
}
