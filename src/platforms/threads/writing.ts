// How posts for Threads are written and illustrated, as data for the generator once the registry
// lists Threads (docs/platforms/threads.md#limits-and-media).

export const THREADS_WRITING = {
  habit:
    'Threads post: conversational and short, like starting a conversation; one idea per post, a question or an opinion invites replies; no more than one hashtag, which Threads turns into the post’s topic.',
  /** Threads shows one topic per post: the first valid in-text hashtag becomes it. */
  hashtags: 1,
  /** Text posts are normal on Threads; an image is optional. */
  needsImage: false,
  /** Portrait images fill the feed best; anything up to 10:1 is accepted. */
  imageAspect: '4:5',
} as const;
