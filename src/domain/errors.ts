/**
 * Errors the use-cases raise. They say what went wrong in domain terms; the HTTP layer, the forms
 * and the CLI each turn them into their own shape (status + JSON, a re-rendered form, one line).
 */
export type FieldErrors = Record<string, string[]>;

export class HeraldError extends Error {
  constructor(
    readonly code:
      | 'validation_failed'
      | 'not_found'
      | 'conflict'
      | 'forbidden'
      | 'unauthorized'
      | 'rate_limited'
      | 'unavailable'
      | 'payload_too_large'
      | 'request_timeout'
      | 'unsupported_media_type',
    message: string,
    readonly details?: unknown,
  ) {
    super(message);
    this.name = 'HeraldError';
  }
}

export class ValidationError extends HeraldError {
  constructor(
    readonly fields: FieldErrors,
    message = 'Some fields are not valid.',
  ) {
    super('validation_failed', message, fields);
  }
  static field(field: string, message: string): ValidationError {
    return new ValidationError({ [field]: [message] });
  }
}

export class NotFoundError extends HeraldError {
  constructor(what: string) {
    super('not_found', `${what} was not found.`);
  }
}

export class ConflictError extends HeraldError {
  constructor(message: string, details?: unknown) {
    super('conflict', message, details);
  }
}

export class ForbiddenError extends HeraldError {
  constructor(message = 'You may not do that.') {
    super('forbidden', message);
  }
}

/** A feature that needs configuration the operator has not given (e.g. no GROQ_API_KEY). */
export class UnavailableError extends HeraldError {
  constructor(message: string) {
    super('unavailable', message);
  }
}

export class PayloadTooLargeError extends HeraldError {
  constructor(message: string) {
    super('payload_too_large', message);
  }
}

/** The client stopped sending in the middle of a request body. */
export class RequestTimeoutError extends HeraldError {
  constructor(message: string) {
    super('request_timeout', message);
  }
}

export class UnsupportedMediaError extends HeraldError {
  constructor(message: string) {
    super('unsupported_media_type', message);
  }
}
