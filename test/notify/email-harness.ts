// A Herald with SMTP pointed at a real SMTP server on loopback, its app served over real HTTP (so
// the links in the mails can be opened the way a mail reader opens them), and a manual clock.
import type { AddressInfo } from 'node:net';
import { serve, type ServerType } from '@hono/node-server';
import type { EventData, EventType } from '../../src/domain/events.js';
import { ManualClock } from '../../src/lib/clock.js';
import { type FakeSmtp, startFakeSmtp } from '../fakes/smtp.js';
import { makeHerald, type TestHerald } from '../helpers/herald.js';

export const MAIL_FROM = 'Acme Agency <herald@agency.test>';

export interface EmailHarness {
  t: TestHerald;
  smtp: FakeSmtp;
  clock: ManualClock;
  /** The app's real address (PUBLIC_URL). */
  base: string;
  emit(type: EventType, clientId: string | null, data: EventData): string;
  /** One delivery pass, waiting for every send it started. */
  pass(): Promise<void>;
  close(): Promise<void>;
}

export async function emailHarness(start: number, env: Record<string, string> = {}): Promise<EmailHarness> {
  const smtp = await startFakeSmtp();
  const clock = new ManualClock(start);
  let fetcher: ((req: Request) => Response | Promise<Response>) | null = null;
  const server: ServerType = await new Promise((resolve) => {
    const s = serve({ fetch: (req) => fetcher!(req), port: 0, hostname: '127.0.0.1' }, () => resolve(s));
  });
  const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const t = await makeHerald(
    { SMTP_URL: smtp.url, MAIL_FROM, PUBLIC_URL: base, ...env },
    { clock, delivery: { random: () => 1 } },
  );
  fetcher = (req) => t.herald.app.fetch(req);
  t.herald.lease.tick();
  return {
    t,
    smtp,
    clock,
    base,
    emit(type, clientId, data) {
      return t.herald.database.immediate(() => t.herald.services.events.emit(type, clientId, data)).id;
    },
    async pass() {
      t.herald.deliveries.kick();
      await t.herald.deliveries.idle();
    },
    async close() {
      await t.close();
      await new Promise<void>((resolve) => server.close(() => resolve()));
      await smtp.close();
    },
  };
}

/** The one link after `label: ` in a mail's text part. */
export function linkAfter(text: string, label: string): string {
  const m = new RegExp(`${label.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}: (\\S+)`).exec(text);
  if (!m?.[1]) throw new Error(`no "${label}" link in:\n${text}`);
  return m[1];
}

/** The portal cookie a sign-in answer set (name=value), or null. */
export function portalCookie(res: Response): string | null {
  const line = res.headers.getSetCookie().find((c) => c.startsWith('herald_portal='));
  return line ? line.split(';')[0]! : null;
}
