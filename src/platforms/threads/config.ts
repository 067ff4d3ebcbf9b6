// Threads' environment variables (README, "Connecting Threads"); src/config.ts reads them.
import { nonEmpty, url } from '../../lib/env-schemas.js';
import { NetworkConfigError, type NetworkConfig } from '../network.js';
import { DEFAULT_THREADS_SETTINGS, type ThreadsSettings } from './settings.js';

export const threadsConfig: NetworkConfig<ThreadsSettings> = {
  env: {
    THREADS_APP_ID: nonEmpty.optional(),
    THREADS_APP_SECRET: nonEmpty.optional(),
    // Meta's current consent page is on threads.com (docs/platforms/threads.md#authorization-window).
    THREADS_AUTH_URL: url.optional(),
    // The host without a version: the token endpoints have none (docs/platforms/threads.md#hosts).
    THREADS_GRAPH_URL: url.optional(),
  },
  read(e) {
    const [id, secret] = [e.THREADS_APP_ID as string | undefined, e.THREADS_APP_SECRET as string | undefined];
    if ((id === undefined) !== (secret === undefined))
      throw new NetworkConfigError(
        id ? 'THREADS_APP_SECRET' : 'THREADS_APP_ID',
        'THREADS_APP_ID and THREADS_APP_SECRET must be set together',
      );
    const graphUrl = e.THREADS_GRAPH_URL as string | undefined;
    if (graphUrl !== undefined && /\/v\d+\.\d+$/.test(graphUrl))
      throw new NetworkConfigError(
        'THREADS_GRAPH_URL',
        'must be the host without a version (https://graph.threads.net); Herald adds /v1.0 itself',
      );
    return {
      appId: id ?? null,
      appSecret: secret ?? null,
      authorizeUrl: (e.THREADS_AUTH_URL as string | undefined) ?? DEFAULT_THREADS_SETTINGS.authorizeUrl,
      graphUrl: graphUrl ?? DEFAULT_THREADS_SETTINGS.graphUrl,
      apiVersion: DEFAULT_THREADS_SETTINGS.apiVersion,
    };
  },
  configured: (c) => Boolean(c.appId && c.appSecret),
  summary: (c) => `${c.graphUrl}/${c.apiVersion}`,
};
