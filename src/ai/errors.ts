/**
 * A generation problem in words for the admin. `retryable` ones (rate limits, outages) are tried
 * again later; the others (a refused key, a retired model) need the configuration changed.
 */
export class GenerationError extends Error {
  constructor(
    message: string,
    readonly retryable: boolean,
  ) {
    super(message);
    this.name = 'GenerationError';
  }
}
