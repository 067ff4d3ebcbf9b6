import { randomBytes } from 'node:crypto';

// Crockford base32: ids sort by creation time as plain strings, which keeps cursor pagination a
// simple `id < ?` and makes ids unguessable enough that enumeration across clients is pointless.
const ALPHABET = '0123456789abcdefghjkmnpqrstvwxyz';

function encodeTime(ms: number): string {
  let out = '';
  let value = ms;
  for (let i = 0; i < 10; i++) {
    out = ALPHABET[value % 32] + out;
    value = Math.floor(value / 32);
  }
  return out;
}

function encodeRandom(length: number): string {
  const bytes = randomBytes(length);
  let out = '';
  for (const byte of bytes) out += ALPHABET[byte % 32];
  return out;
}

/** A new time-sortable id such as `post_01jd8x…`; the prefix names the resource. */
export function newId(prefix: string, nowMs: number = Date.now()): string {
  return `${prefix}_${encodeTime(nowMs)}${encodeRandom(16)}`;
}

/** A URL-safe random secret of `bytes` bytes (session ids, API tokens, invite links, media keys). */
export function randomSecret(bytes = 32): string {
  return randomBytes(bytes).toString('base64url');
}
