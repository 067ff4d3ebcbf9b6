import { isIP } from 'node:net';
import type { Context } from 'hono';

/** What @hono/node-server hands the app as `c.env`; app.request() in tests hands nothing. */
interface NodeBindings {
  incoming?: { socket?: { remoteAddress?: string } };
}

/** `::ffff:10.0.0.1` and `10.0.0.1` are one client; `[::1]:443` and `1.2.3.4:80` lose their ports. */
function normalize(raw: string | undefined): string | null {
  if (!raw) return null;
  let address = raw.trim();
  const bracketed = /^\[([^\]]+)\](?::\d+)?$/.exec(address);
  if (bracketed) address = bracketed[1]!;
  else if (/^[\d.]+:\d+$/.test(address)) address = address.slice(0, address.lastIndexOf(':'));
  if (/^::ffff:[\d.]+$/i.test(address)) address = address.slice(7);
  return isIP(address) ? address.toLowerCase() : null;
}

/**
 * The address of the client behind this request. With `trustProxy` 0 it is the socket's peer,
 * and X-Forwarded-For is ignored: anyone can send that header. Behind N reverse proxies, each
 * appends the address it received the request from, so the client is the Nth entry from the
 * right; entries further left were written by the client itself and prove nothing. A header
 * with fewer entries (or a garbled one) did not come through all the proxies, so the socket
 * answers instead.
 */
export function resolveClientAddress(c: Context, trustProxy: number): string {
  const socket = normalize((c.env as NodeBindings | undefined)?.incoming?.socket?.remoteAddress) ?? 'unknown';
  if (trustProxy <= 0) return socket;
  const header = c.req.header('x-forwarded-for');
  if (!header) return socket;
  const entries = header.split(',');
  if (entries.length < trustProxy) return socket;
  return normalize(entries[entries.length - trustProxy]) ?? socket;
}
