import { meta } from '../../src/platforms/meta/index.js';
import type { NetworkDescriptor, PlatformDescriptor, SurfaceSpec } from '../../src/platforms/network.js';
import { NETWORKS } from '../../src/platforms/registry.js';

/**
 * The networks as they run, with Facebook and Instagram first comments and an Instagram Story
 * declared when the Meta descriptor does not declare them itself: the composer's services are
 * tested on these contracts, whatever the publishers implement.
 */
const story: SurfaceSpec = {
  label: 'Story',
  caption: null,
  media: { images: true, videos: true, min: 1, max: 1 },
  firstComment: false,
  check: () => null,
};

function withComposer(p: PlatformDescriptor): PlatformDescriptor {
  if (p.id !== 'facebook' && p.id !== 'instagram') return p;
  return {
    ...p,
    firstComment: p.firstComment ?? { maxLength: p.id === 'facebook' ? 8000 : 2200, scopes: [] },
    ...(p.id === 'instagram' ? { surfaces: { story, ...p.surfaces } } : {}),
  };
}

export const composerNetworks: readonly NetworkDescriptor[] = NETWORKS.map((n) =>
  n.id === meta.id
    ? ({ ...n, platforms: n.platforms.map((p) => withComposer(p as PlatformDescriptor)) } as NetworkDescriptor)
    : (n as NetworkDescriptor),
);
