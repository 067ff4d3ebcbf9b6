// What Pinterest accepts, as data for the post editor and the registry
// (docs/platforms/pinterest.md#limits-and-media).

const MiB = 1024 * 1024;

export const PINTEREST_LIMITS = {
  title: 100,
  description: 800,
  link: 2_048,
  altText: 500,
  /** A multi-image pin holds 2 to 5 images. */
  multiImage: { minItems: 2, maxItems: 5 },
  image: {
    mimes: ['image/jpeg', 'image/png', 'image/gif', 'image/webp', 'image/bmp', 'image/tiff'],
    bytes: 20 * MiB,
  },
  video: {
    mimes: ['video/mp4', 'video/quicktime', 'video/x-m4v'],
    bytes: 2 * 1024 * MiB,
    minMs: 4_000,
    maxMs: 15 * 60_000,
    /** Between 1.91:1 wide and 1:2 tall. */
    maxWide: 1.91,
    maxTall: 2,
  },
} as const;
