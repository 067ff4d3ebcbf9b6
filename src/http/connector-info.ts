import type { Connector } from '../platforms/types.js';

/**
 * What the pages say about each way of connecting accounts, whether or not this server has it
 * set up (a connector exists only when its credentials are configured).
 */
export const CONNECTOR_INFO: Record<Connector['id'], { label: string; description: string; setup: string }> = {
  meta: {
    label: 'Facebook & Instagram',
    description:
      'Your Facebook Pages, and the Instagram business or creator accounts linked to them. Facebook asks which Pages to share.',
    setup: 'set META_APP_ID and META_APP_SECRET (see the README, "Connecting Facebook and Instagram")',
  },
  tiktok: {
    label: 'TikTok',
    description: 'Your TikTok account, to publish videos and photo posts to it.',
    setup: 'set TIKTOK_CLIENT_KEY and TIKTOK_CLIENT_SECRET (see the README, "Connecting TikTok")',
  },
};

export const CONNECTOR_IDS = Object.keys(CONNECTOR_INFO) as Array<Connector['id']>;
