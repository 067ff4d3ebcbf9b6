import type { z } from 'zod';
import { ValidationError, type FieldErrors } from './errors.js';

/** zod issues → `{field: [messages]}`, the `details` of a validation_failed answer. */
export function fieldErrorsOf(error: z.ZodError): FieldErrors {
  const fields: FieldErrors = {};
  for (const issue of error.issues) {
    const key = issue.path.length > 0 ? issue.path.map(String).join('.') : '_';
    (fields[key] ??= []).push(issue.message);
  }
  return fields;
}

/** Parses or throws a ValidationError carrying every field's messages. */
export function parseInput<S extends z.ZodType>(schema: S, input: unknown): z.output<S> {
  const result = schema.safeParse(input);
  if (!result.success) throw new ValidationError(fieldErrorsOf(result.error));
  return result.data;
}

export function isValidTimeZone(tz: string): boolean {
  if (!tz || tz.length > 64) return false;
  try {
    new Intl.DateTimeFormat('en', { timeZone: tz });
    return true;
  } catch {
    return false;
  }
}

/** Every IANA zone the runtime knows, for pickers. */
let zoneList: readonly string[] | null = null;

/** Every IANA zone this runtime knows (for pickers); built once, it does not change while running. */
export function timeZones(): readonly string[] {
  if (!zoneList) {
    const zones = Intl.supportedValuesOf('timeZone');
    zoneList = zones.includes('UTC') ? zones : ['UTC', ...zones];
  }
  return zoneList;
}
