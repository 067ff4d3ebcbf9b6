/**
 * Freezes plain data (objects and arrays, all the way down) that is kept and handed to many callers, so a
 * caller that tries to change it fails at once instead of changing it for everyone.
 */
export function deepFreeze<T>(value: T): T {
  if (value === null || typeof value !== 'object' || Object.isFrozen(value)) return value;
  for (const inner of Object.values(value)) deepFreeze(inner);
  return Object.freeze(value);
}
