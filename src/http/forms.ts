import type { Context } from 'hono';
import { HeraldError, ValidationError, type FieldErrors } from '../domain/errors.js';
import { STATUS_OF } from './errors.js';

/**
 * Runs a form's use-case; on a validation or state error, renders the form again with the
 * errors (422 for field errors, the error's own status otherwise) so nothing typed is lost.
 */
export async function submitForm(
  c: Context,
  action: () => Response | Promise<Response>,
  rerender: (errors: FieldErrors, message: string | undefined, status: 409 | 422 | number) => Response,
): Promise<Response> {
  try {
    return await action();
  } catch (err) {
    // A form shown again with errors is not a new place in history.
    c.header('HX-Push-Url', 'false');
    if (err instanceof ValidationError)
      return rerender(err.fields, err.message === 'Some fields are not valid.' ? undefined : err.message, 422);
    if (err instanceof HeraldError && err.code !== 'not_found')
      return rerender({}, err.message, STATUS_OF[err.code] === 409 ? 409 : 422);
    throw err;
  }
}

/** '' → null, for optional selects. */
export function orNull(value: string | undefined): string | null {
  return value === undefined || value === '' ? null : value;
}
