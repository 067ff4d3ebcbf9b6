// Email through SMTP (nodemailer): one multipart message (plain text and simple HTML) per delivery
// or bundle, with one-click unsubscribe (RFC 8058: List-Unsubscribe and List-Unsubscribe-Post)
// and the event ids in Message-ID and X-Herald-Event, so a mail sent twice is recognisably the same.
// SMTP answers: a 4xx, a timeout or a lost connection is retried by the delivery loop; a 5xx
// refusing the recipient or the message is final (https://www.rfc-editor.org/rfc/rfc5321#section-4.2.1).
import { createHash } from 'node:crypto';
import nodemailer from 'nodemailer';
import sharp from 'sharp';
import { lineChart } from '../../views/charts/line-chart.js';
import type { SmtpConfig } from '../config.js';
import type { ClientRow } from '../db/repos/index.js';
import type { EventRecord } from '../domain/events.js';
import { NETWORKS } from '../platforms/registry.js';
import { issueInvite, type InviteLanding } from '../services/clients-service.js';
import { memberInviteLink, roleText } from '../services/members-service.js';
import { dailySeries } from '../services/results-service.js';
import { agencyNameOf } from '../services/settings-service.js';
import type { NotifyDeps, Sender, SendResult } from './channel.js';
import { mailHtml } from './email-html.js';
import { reportMail, reportWords } from './email-report.js';
import { BUNDLE, EMAIL, type EmailTarget, instantOf, parseEmailTarget } from './email-router.js';
import {
  approvalMail,
  digestMail,
  immediateMail,
  type MailContent,
  memberInviteMail,
  mailText,
  reauthMail,
  testMail,
  unnamedAgency,
} from './email-text.js';
import { type UnsubscribeScope, UnsubscribeTokens } from './unsubscribe-token.js';

/** Per message: connecting, the greeting and every answer have their own shorter limits below. */
const SEND_TIMEOUT_MS = 60_000;

interface Composed {
  readonly to: string;
  readonly content: MailContent;
}

type Composition = Composed | { readonly skipped: string };

/** nodemailer's errors carry the SMTP reply code and which step it answered. */
interface SmtpError {
  code?: string;
  responseCode?: number;
  response?: string;
  message?: string;
}

function failure(err: unknown): SendResult {
  const e = (err ?? {}) as SmtpError;
  const status = e.responseCode;
  // EENVELOPE: MAIL FROM / RCPT TO refused; EMESSAGE: the DATA refused. A 5xx there will not change.
  const permanent = status !== undefined && status >= 500 && (e.code === 'EENVELOPE' || e.code === 'EMESSAGE');
  return {
    ok: false,
    ...(status !== undefined ? { status } : {}),
    error: (e.response ?? e.message ?? String(err)).slice(0, 300),
    ...(permanent ? { permanent } : {}),
  };
}

function platformLabel(id: unknown): string {
  for (const network of NETWORKS)
    for (const platform of network.platforms) if (platform.id === id) return platform.label;
  return typeof id === 'string' ? id : '';
}

export function emailSender(deps: NotifyDeps, smtp: SmtpConfig): Sender {
  const { repos, config, clock } = deps;
  // Pooled: a burst of mails goes over a few open connections instead of a connection, greeting
  // and login each (https://nodemailer.com/smtp/pooled/); one closes after a short idle time. A
  // message whose connection failed is not sent again by the pool: the delivery loop retries it.
  const transport = nodemailer.createTransport({
    pool: true,
    maxConnections: 5,
    maxRequeues: 0,
    idleTimeout: 30_000,
    host: smtp.host,
    port: smtp.port,
    secure: smtp.secure,
    requireTLS: smtp.requireTls,
    ...(smtp.user ? { auth: { user: smtp.user, pass: smtp.pass ?? '' } } : {}),
    connectionTimeout: 10_000,
    greetingTimeout: 10_000,
    socketTimeout: 30_000,
  });
  const tokens = new UnsubscribeTokens(config.secretKey);
  const host = new URL(config.publicUrl).hostname || 'herald';
  const absolute = (url: string) => (url.startsWith('/') ? `${config.publicUrl}${url}` : url);
  const unsubscribeUrl = (email: string, scope: UnsubscribeScope) =>
    `${config.publicUrl}/unsubscribe/${tokens.make(email, scope)}`;

  function adminMail(adminId: string, events: readonly EventRecord[], bundle: string | null): Composition {
    const admin = repos.auth.getAdmin(adminId);
    if (!admin) return { skipped: 'the admin was removed' };
    const clientNames = new Map<string, string>();
    for (const id of new Set(events.map((e) => e.clientId)))
      if (id) clientNames.set(id, repos.clients.get(id)?.name ?? id);
    const frame = (scope: UnsubscribeScope) => ({
      agency: agencyNameOf(repos),
      timezone: admin.timezone,
      settingsUrl: `${config.publicUrl}/settings/notifications/email`,
      unsubscribeUrl: unsubscribeUrl(admin.email, scope),
      clientNames,
      absolute,
    });
    const first = events[0]!;
    if (first.type === 'notification.test')
      return { to: admin.email, content: testMail(frame('type:notification.test')) };
    if (bundle === BUNDLE.digest) {
      // Unsubscribed since these were planned: the address asked for no more.
      if (repos.notify.isSuppressed(admin.email, 'digest'))
        return { skipped: 'the admin unsubscribed from the digest' };
      return { to: admin.email, content: digestMail(frame('digest'), events) };
    }
    if (repos.notify.isSuppressed(admin.email, `type:${first.type}`))
      return { skipped: `the admin unsubscribed from ${first.type}` };
    return { to: admin.email, content: immediateMail(frame(`type:${first.type}`), first) };
  }

  /** A single-use portal link, valid 7 days, scoped to the client (made when the mail is made). */
  function signInLink(client: ClientRow, landing: InviteLanding): string {
    return issueInvite({ repos, clock, config }, client.id, { singleUse: true, landing }).url;
  }

  function contactMail(target: Extract<EmailTarget, { email: string }>, events: readonly EventRecord[]): Composition {
    const client = repos.clients.get(target.clientId);
    if (!client || client.status === 'archived') return { skipped: 'the client is archived' };
    if (!client.contactEmails.includes(target.email)) return { skipped: 'no longer a contact of the client' };
    if (repos.notify.isSuppressed(target.email, `client:${client.id}`)) return { skipped: 'the contact unsubscribed' };
    const mail = (landing: InviteLanding) => ({
      language: client.language,
      agency: agencyNameOf(repos, unnamedAgency(client.language)),
      clientName: client.name,
      timezone: client.timezone,
      link: signInLink(client, landing),
      unsubscribeUrl: unsubscribeUrl(target.email, `client:${client.id}`),
    });
    const first = events[0]!;
    if (first.type === 'account.needs_reauth') {
      const account = typeof first.data.accountId === 'string' ? repos.accounts.get(first.data.accountId) : undefined;
      if (account && account.status !== 'needs_reauth') return { skipped: 'the account was reconnected' };
      const name = account?.name ?? String(first.data.accountName ?? '');
      const platform = platformLabel(account?.platform ?? first.data.platform);
      return { to: target.email, content: reauthMail(mail('/portal'), { platform, name }) };
    }
    if (first.type === 'report.monthly') {
      const { month, from, to } = first.data as { month?: unknown; from?: unknown; to?: unknown };
      if (typeof month !== 'string' || typeof from !== 'string' || typeof to !== 'string')
        return { skipped: 'the report event has no month' };
      const words = reportWords(client.language);
      const series = dailySeries(repos, client.id, from, to);
      const labels = series.days.map((d) => d.slice(8));
      const platforms = Object.keys(series.byPlatform).sort();
      const charts = (['followers', 'views'] as const).flatMap((metric) => {
        const lines = platforms.map((p) => ({ label: platformLabel(p), values: series.byPlatform[p]![metric] }));
        if (!lines.some((l) => l.values.some((v) => v !== null))) return [];
        const title = words.charts[metric];
        return [
          { cid: `${metric}.${first.id}@herald`, title, svg: lineChart({ title, xLabels: labels, series: lines }) },
        ];
      });
      const figures = (value: unknown) => (value && typeof value === 'object' ? (value as Record<string, number>) : {});
      return {
        to: target.email,
        content: reportMail(mail('/portal/results'), {
          month,
          totals: figures(first.data.totals),
          previous: figures(first.data.previous),
          charts,
        }),
      };
    }
    // Approvals (a batch or its reminder): only the posts that still wait count.
    const ids = new Set(
      events.flatMap((e) =>
        Array.isArray(e.data.postIds) ? e.data.postIds.filter((id) => typeof id === 'string') : [],
      ),
    );
    const waiting = [...ids]
      .map((id) => repos.posts.get(id as string))
      .filter((p) => p !== undefined && p.clientId === client.id && p.status === 'pending_approval');
    if (waiting.length === 0) return { skipped: 'none of these posts still waits for approval' };
    const times = waiting.map((p) => instantOf(p!.scheduledAt)).filter((t): t is number => t !== null);
    const firstAt = times.length ? Math.min(...times) : null;
    const content = approvalMail(mail('/portal/posts'), { count: waiting.length, firstAt }, target.kind === 'reminder');
    return { to: target.email, content };
  }

  /** An invitation to join the team: only while it can still be used, with the link the inviter was shown. */
  function inviteMail(inviteId: string): Composition {
    const invite = repos.members.getInvite(inviteId);
    if (!invite || invite.revokedAt !== null) return { skipped: 'the invitation was withdrawn' };
    if (invite.acceptedAt !== null) return { skipped: 'the invitation was accepted already' };
    if (invite.expiresAt <= clock.now()) return { skipped: 'the invitation has expired' };
    if (repos.notify.isSuppressed(invite.email, 'type:member.invited'))
      return { skipped: 'the address asked for no more invitations' };
    const inviter = invite.invitedBy ? repos.auth.getAdmin(invite.invitedBy) : undefined;
    const clients = invite.clientIds.flatMap((id) => repos.clients.get(id)?.name ?? []);
    const content = memberInviteMail({
      agency: agencyNameOf(repos, 'your agency'),
      inviter: inviter ? inviter.name || inviter.email : null,
      roleText: roleText(invite.role, clients),
      email: invite.email,
      link: memberInviteLink(config, invite.id),
      expiresAt: invite.expiresAt,
      unsubscribeUrl: unsubscribeUrl(invite.email, 'type:member.invited'),
    });
    return { to: invite.email, content };
  }

  return {
    channel: EMAIL,
    pausable: false,
    timeoutMs: SEND_TIMEOUT_MS,
    async send(targetText, events, context) {
      const target = parseEmailTarget(targetText);
      if (!target || events.length === 0)
        return { ok: false, permanent: true, error: `not an email target: ${targetText}` };
      const bundle = context.deliveryIds[0] ? (repos.notify.getDelivery(context.deliveryIds[0])?.bundle ?? null) : null;
      let composed: Composition;
      try {
        composed =
          target.kind === 'admin'
            ? adminMail(target.adminId, events, bundle)
            : target.kind === 'invite'
              ? inviteMail(target.inviteId)
              : contactMail(target, events);
      } catch (err) {
        return { ok: false, error: `could not write the mail: ${(err as Error).message}` };
      }
      if ('skipped' in composed) return { ok: true, skipped: composed.skipped };
      const { to, content } = composed;
      let attachments: Array<{ filename: string; content: Buffer; contentType: string; cid: string }>;
      try {
        // Twice the SVG's size (density 144), so the images stay sharp on high-density screens.
        attachments = await Promise.all(
          (content.charts ?? []).map(async (chart) => ({
            filename: `${chart.cid.split('@')[0]}.png`,
            content: await sharp(Buffer.from(chart.svg), { density: 144 }).png().toBuffer(),
            contentType: 'image/png',
            cid: chart.cid,
          })),
        );
      } catch (err) {
        return { ok: false, error: `could not draw the charts: ${(err as Error).message}` };
      }
      const ids = events.map((e) => e.id);
      const digest = createHash('sha256')
        .update(`${targetText}|${ids.join(',')}`)
        .digest('hex')
        .slice(0, 12);
      const sending = transport.sendMail({
        from: smtp.from,
        to,
        subject: content.subject,
        text: mailText(content),
        html: mailHtml(content),
        ...(attachments.length ? { attachments } : {}),
        messageId: `<${ids[0]}.${digest}@${host}>`,
        date: new Date(clock.now()),
        headers: {
          'X-Herald-Event': ids.join(', '),
          'List-Unsubscribe': `<${content.unsubscribe.url}>`,
          'List-Unsubscribe-Post': 'List-Unsubscribe=One-Click',
        },
      });
      const aborted = new Promise<SendResult>((resolve) => {
        const stop = () => resolve({ ok: false, error: 'the SMTP server did not answer in time' });
        if (context.signal.aborted) stop();
        else context.signal.addEventListener('abort', stop, { once: true });
      });
      const result = sending.then(
        (info): SendResult => ({ ok: true, body: String(info.response ?? '').slice(0, 300) }),
        failure,
      );
      return Promise.race([result, aborted]);
    },
    close() {
      transport.close();
    },
  };
}
