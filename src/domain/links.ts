// Links in a caption as the networks recognise them: http(s) addresses up to the next space,
// without the punctuation that ends a sentence. The previews show them as text and Facebook's
// link card reads the first.

export const LINK = /\bhttps?:\/\/[^\s<>"']+[^\s<>"'.,;:!?)\]]/giu;

/** The caption's first link, or null. */
export function firstLink(text: string): string | null {
  return text.match(new RegExp(LINK.source, 'iu'))?.[0] ?? null;
}
