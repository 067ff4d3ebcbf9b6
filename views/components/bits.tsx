import { useContext, type Child } from 'hono/jsx';
import { PlatformLabels } from './platform-labels.js';
import { formatInZone, humanStatus } from '../format.js';

/** An instant in a zone, with the zone always named (agencies juggle several). */
export function When({
  ms,
  tz,
  style = 'full',
  showZone = true,
}: {
  ms: number | null;
  tz: string;
  style?: 'full' | 'date' | 'time' | 'day';
  showZone?: boolean;
}) {
  if (ms === null) return <span class="muted">not scheduled</span>;
  const iso = new Date(ms).toISOString();
  return (
    <span class="when">
      <time datetime={iso} title={`${iso.replace('T', ' ').slice(0, 16)} UTC`}>
        {formatInZone(ms, tz, style)}
      </time>
      {showZone ? <span class="tz"> {tz}</span> : null}
    </span>
  );
}

export function StatusBadge({ status }: { status: string }) {
  return <span class={`badge status-${status}`}>{humanStatus(status)}</span>;
}

export function PlatformBadge({ platform }: { platform: string }) {
  const label = useContext(PlatformLabels)[platform] ?? platform;
  return <span class={`platform platform-${platform}`}>{label}</span>;
}

/**
 * An account's picture beside its name (so alt=""), served by Herald: the admin route, or the
 * portal's own (scoped to the portal's client) when `portal` is set.
 */
export function AccountAvatar({ id, portal = false }: { id: string; portal?: boolean }) {
  return (
    <img
      class="avatar"
      src={`${portal ? '/portal' : ''}/accounts/${encodeURIComponent(id)}/avatar`}
      alt=""
      width="24"
      height="24"
      loading="lazy"
    />
  );
}

export function EmptyState({ title, children }: { title: string; children?: Child }) {
  return (
    <div class="empty">
      <strong>{title}</strong>
      {children ? <p>{children}</p> : null}
    </div>
  );
}

export function Flash({ flash }: { flash: { kind: 'ok' | 'error'; text: string } | null | undefined }) {
  if (!flash) return null;
  return (
    <div
      class={`notice notice-${flash.kind}`}
      role={flash.kind === 'error' ? 'alert' : 'status'}
      data-dismissable="true"
    >
      {flash.text}
    </div>
  );
}

/** A "next page" link that keeps the current filters. */
export function Pager({ href, label = 'Next page →' }: { href: string | null; label?: string }) {
  if (!href) return null;
  return (
    <nav class="pager">
      <a href={href} role="button" class="secondary outline">
        {label}
      </a>
    </nav>
  );
}

/** A list page's address with its filters (empty ones left out) and the cursor of the next page. */
export function pageHref(
  base: string,
  params: Record<string, string | undefined>,
  cursor: string | null,
): string | null {
  if (!cursor) return null;
  const query = new URLSearchParams();
  for (const [k, v] of Object.entries(params)) if (v) query.set(k, v);
  query.set('cursor', cursor);
  return `${base}?${query.toString()}`;
}

/** One attempt-log line's words: the message, the platform's code and how long the step took. */
export function LogMessage({ entry }: { entry: { message: string; code: string | null; durationMs: number | null } }) {
  return (
    <>
      {entry.message}
      {entry.code ? <small class="muted"> · code {entry.code}</small> : null}
      {entry.durationMs !== null ? <small class="muted"> · {entry.durationMs} ms</small> : null}
    </>
  );
}
