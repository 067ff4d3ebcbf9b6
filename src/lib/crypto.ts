import {
  createCipheriv,
  createDecipheriv,
  createHash,
  createHmac,
  hkdfSync,
  randomBytes,
  timingSafeEqual,
} from 'node:crypto';

/** sha256 hex of a secret; what we store for API tokens, sessions, invites and OAuth states. */
export function sha256(value: string | Buffer): string {
  return createHash('sha256').update(value).digest('hex');
}

export function safeEqual(a: string, b: string): boolean {
  const left = Buffer.from(a);
  const right = Buffer.from(b);
  return left.length === right.length && timingSafeEqual(left, right);
}

/** Derives a purpose-specific 32-byte key from the master secret, so one secret never serves two uses. */
export function deriveKey(master: Buffer, purpose: string): Buffer {
  return Buffer.from(hkdfSync('sha256', master, Buffer.alloc(0), `herald:${purpose}`, 32));
}

/**
 * HMAC-SHA256 signatures for values a browser keeps and hands back (`<payload>.<mac>`), under a
 * key derived for one purpose so a value signed for one use is never accepted by another.
 */
export class Signer {
  private readonly key: Buffer;

  constructor(master: Buffer, purpose: string) {
    this.key = deriveKey(master, `signed:${purpose}`);
  }

  private mac(payload: string): string {
    return createHmac('sha256', this.key).update(payload).digest('base64url');
  }

  sign(payload: string): string {
    return `${payload}.${this.mac(payload)}`;
  }

  /** The payload of a value this signer made, or null for anything else (forged, altered, garbled). */
  open(signed: string | undefined): string | null {
    if (!signed) return null;
    const cut = signed.lastIndexOf('.');
    if (cut <= 0) return null;
    const payload = signed.slice(0, cut);
    return safeEqual(signed.slice(cut + 1), this.mac(payload)) ? payload : null;
  }
}

/**
 * AES-256-GCM for tokens at rest. Format `v1.<keyId>.<nonce>.<ciphertext>.<tag>` (base64url parts):
 * a random 96-bit nonce per value, and associated data naming the row and column so a ciphertext
 * copied into another row or column fails to decrypt. The key id lets a future key rotation keep
 * old backups readable.
 */
export class SecretBox {
  private readonly key: Buffer;
  readonly keyId: string;

  constructor(master: Buffer) {
    this.key = deriveKey(master, 'token-encryption');
    this.keyId = sha256(this.key).slice(0, 8);
  }

  encrypt(plaintext: string, associatedData: string): string {
    const nonce = randomBytes(12);
    const cipher = createCipheriv('aes-256-gcm', this.key, nonce);
    cipher.setAAD(Buffer.from(associatedData));
    const body = Buffer.concat([cipher.update(plaintext, 'utf8'), cipher.final()]);
    const tag = cipher.getAuthTag();
    return ['v1', this.keyId, nonce.toString('base64url'), body.toString('base64url'), tag.toString('base64url')].join(
      '.',
    );
  }

  decrypt(sealed: string, associatedData: string): string {
    const [version, keyId, nonce, body, tag] = sealed.split('.');
    if (version !== 'v1' || !nonce || body === undefined || !tag) throw new Error('sealed value has an unknown format');
    if (keyId !== this.keyId) throw new Error(`sealed with key ${keyId}, but the current key is ${this.keyId}`);
    const decipher = createDecipheriv('aes-256-gcm', this.key, Buffer.from(nonce, 'base64url'));
    decipher.setAAD(Buffer.from(associatedData));
    decipher.setAuthTag(Buffer.from(tag, 'base64url'));
    return Buffer.concat([decipher.update(Buffer.from(body, 'base64url')), decipher.final()]).toString('utf8');
  }
}
