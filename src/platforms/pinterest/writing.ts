// How pins are written and illustrated, for the AI writer (docs/platforms/pinterest.md#limits-and-media).
import type { WritingHabits } from '../network.js';

export const PINTEREST_WRITING: WritingHabits = {
  style:
    'Pinterest pin description: searchable and useful, naming what the picture shows and why to save it; ' +
    'keywords people search for in plain sentences; a clear reason to click through.',
  hashtags: 0,
  // Pinterest recommends 2:3 portrait images; the image model's nearest shape is 9:16 … 4:5, so 4:5.
  image: { width: 1000, height: 1250, aspect: '4:5' },
  // Every pin is an image or a video.
  needsImage: true,
};
