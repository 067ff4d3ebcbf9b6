// How posts for Threads are written and illustrated, for the AI writer
// (docs/platforms/threads.md#limits-and-media).
import type { WritingHabits } from '../network.js';

export const THREADS_WRITING: WritingHabits = {
  style:
    'Threads post: conversational and short, like starting a conversation; one idea per post, ' +
    'a question or an opinion invites replies; no more than one hashtag, which Threads turns into the post’s topic.',
  // Threads shows one topic per post: the first valid in-text hashtag becomes it.
  hashtags: 1,
  // Portrait images fill the feed best; anything up to 10:1 is accepted.
  image: { width: 1080, height: 1350, aspect: '4:5' },
  // Text posts are normal on Threads; an image is optional.
  needsImage: false,
};
