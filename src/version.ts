import { readFileSync } from 'node:fs';
import { appPath } from './paths.js';

let cached: string | undefined;

/** The version from package.json (shown on /healthz and the System page). */
export function appVersion(): string {
  cached ??= (JSON.parse(readFileSync(appPath('package.json'), 'utf8')) as { version: string }).version;
  return cached;
}
