// Record keys Herald chooses itself: TIDs (docs/platforms/bluesky.md#record-keys). A TID is a 64-bit
// number — top bit 0, 53 bits of microseconds since the epoch, 10 bits of clock identifier — written
// as 13 characters of base32-sortable (https://atproto.com/specs/tid).
import { randomInt } from 'node:crypto';

const ALPHABET = '234567abcdefghijklmnopqrstuvwxyz';
const TID = /^[234567abcdefghij][234567abcdefghijklmnopqrstuvwxyz]{12}$/;

export function isTid(value: string): boolean {
  return TID.test(value);
}

/** The TID for a moment (ms since the epoch), with a sub-millisecond part and a clock id. */
export function tidAt(ms: number, micros = 0, clockId = randomInt(1024)): string {
  let n = (BigInt(Math.floor(ms)) * 1000n + BigInt(micros % 1000)) * 1024n + BigInt(clockId % 1024);
  let out = '';
  for (let i = 0; i < 13; i++) {
    out = ALPHABET[Number(n & 31n)]! + out;
    n >>= 5n;
  }
  return out;
}

/** A fresh TID from Herald's clock; random microseconds keep two posts in one millisecond apart. */
export function newTid(now: number): string {
  return tidAt(now, randomInt(1000));
}
