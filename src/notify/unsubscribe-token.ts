// One-click unsubscribe (RFC 8058, https://www.rfc-editor.org/rfc/rfc8058): every mail names a URL
// whose token says who leaves what. The token is signed with a key derived from SECRET_KEY, so it
// is its own authority: the POST a mail provider sends carries no cookie and no CSRF token.
import type { EventType } from '../domain/events.js';
import { Signer } from '../lib/crypto.js';

/**
 * What an address leaves: one event type of an admin's immediate mails, an admin's daily digest,
 * or every mail about one client to one of its contacts.
 */
export type UnsubscribeScope = `type:${EventType}` | 'digest' | `client:${string}`;

export interface Unsubscribe {
  readonly email: string;
  readonly scope: UnsubscribeScope;
}

export class UnsubscribeTokens {
  private readonly signer: Signer;

  constructor(secretKey: Buffer) {
    this.signer = new Signer(secretKey, 'unsubscribe');
  }

  make(email: string, scope: UnsubscribeScope): string {
    return this.signer.sign(Buffer.from(JSON.stringify([email.toLowerCase(), scope])).toString('base64url'));
  }

  /** The address and scope of a token this server made; null for anything else. */
  open(token: string): Unsubscribe | null {
    const payload = this.signer.open(token);
    if (!payload) return null;
    try {
      const [email, scope] = JSON.parse(Buffer.from(payload, 'base64url').toString('utf8')) as unknown[];
      if (typeof email !== 'string' || typeof scope !== 'string') return null;
      if (!/^(type:[a-z_.]+|digest|client:[\w-]+)$/.test(scope)) return null;
      return { email, scope: scope as UnsubscribeScope };
    } catch {
      return null;
    }
  }
}
