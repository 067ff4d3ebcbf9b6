import type { JobRunRow } from '../../src/db/repos/index.js';
import type { BackupFile } from '../../src/services/backups-service.js';
import type { ReplicationStatus } from '../../src/replication/replication-state.js';
import { EmptyState } from '../components/bits.js';
import { ReplicationCard } from '../components/replication-card.js';
import { Csrf } from '../components/forms.js';
import { formatBytes, formatInZone, relative } from '../format.js';
import { AdminLayout, type PageContext } from '../layouts/admin.js';

export interface SystemData {
  now: number;
  version: string;
  node: string;
  uptimeSeconds: number;
  leader: boolean;
  holder: string;
  lease: { holder: string | null; epoch: number; expiresAt: number } | null;
  jobs: Array<{
    id: string;
    title: string;
    schedule: string;
    leaderOnly: boolean;
    lastRun: JobRunRow | null;
    running: boolean;
  }>;
  recentRuns: JobRunRow[];
  database: { bytes: number; walBytes: number; path: string };
  media: { files: number; bytes: number };
  backups: BackupFile[];
  replication: ReplicationStatus;
  integrations: Array<{ name: string; configured: boolean; note: string }>;
  /** Each network's quotas and caps (its descriptor's `usage`). */
  usage: Array<{
    network: string;
    lines: ReadonlyArray<{ label: string; used: number; limit: number | null; resetsAt: number | null }>;
  }>;
  aiUsage: Array<{
    clientName: string;
    requests: number;
    promptTokens: number;
    completionTokens: number;
    images: number;
  }>;
}

function RunCounts({ counts }: { counts: Record<string, number> | null }) {
  if (!counts) return null;
  const entries = Object.entries(counts);
  return entries.length ? <small class="muted">{entries.map(([k, v]) => `${k} ${v}`).join(' · ')}</small> : null;
}

export function SystemPage({ page, data }: { page: PageContext; data: SystemData }) {
  return (
    <AdminLayout title="System" page={page} active="system">
      <div class="grid-2">
        <section class="card">
          <h2>This process</h2>
          <p>
            {data.leader ? (
              <span class="badge status-connected">leader</span>
            ) : (
              <span class="badge status-disabled">follower</span>
            )}{' '}
            {data.leader
              ? 'This process runs the schedules and publishes.'
              : 'Another process runs the schedules; this one serves pages.'}
          </p>
          <table class="compact">
            <tbody>
              <tr>
                <td>Version</td>
                <td>
                  Herald {data.version} · Node {data.node}
                </td>
              </tr>
              <tr>
                <td>Up for</td>
                <td>
                  {Math.floor(data.uptimeSeconds / 3600)} h {Math.floor((data.uptimeSeconds % 3600) / 60)} min
                </td>
              </tr>
              <tr>
                <td>Lease</td>
                <td>
                  {data.lease?.holder ? (
                    <>
                      held by <code>{data.lease.holder}</code>, epoch {data.lease.epoch},{' '}
                      {data.lease.expiresAt > data.now
                        ? `expires ${relative(data.lease.expiresAt, data.now)}`
                        : 'expired'}
                    </>
                  ) : (
                    'free'
                  )}
                </td>
              </tr>
              <tr>
                <td>Database</td>
                <td>
                  {formatBytes(data.database.bytes)} + {formatBytes(data.database.walBytes)} write-ahead log
                </td>
              </tr>
              <tr>
                <td>Media</td>
                <td>
                  {data.media.files} files, {formatBytes(data.media.bytes)}
                </td>
              </tr>
            </tbody>
          </table>
        </section>
        <section class="card">
          <h2>Integrations</h2>
          <ul class="plain">
            {data.integrations.map((i) => (
              <li>
                {i.configured ? (
                  <span class="badge status-connected">on</span>
                ) : (
                  <span class="badge status-disabled">off</span>
                )}{' '}
                <strong>{i.name}</strong> <small class="muted">{i.note}</small>
              </li>
            ))}
          </ul>
          {data.usage.length ? (
            <ul id="network-usage">
              {data.usage.flatMap((u) =>
                u.lines.map((l) => (
                  <li>
                    <strong>{u.network}</strong> {l.label}: {l.used.toLocaleString('en')}
                    {l.limit !== null ? ` of ${l.limit.toLocaleString('en')}` : ''}
                    {l.resetsAt !== null ? (
                      <small class="muted"> · resets {new Date(l.resetsAt).toISOString().slice(0, 10)}</small>
                    ) : null}
                  </li>
                )),
              )}
            </ul>
          ) : null}
        </section>
      </div>
      <section class="card">
        <h2>Jobs</h2>
        <table class="responsive">
          <thead>
            <tr>
              <th>Job</th>
              <th>Schedule</th>
              <th>Last run</th>
              <th>
                <span class="visually-hidden">Actions</span>
              </th>
            </tr>
          </thead>
          <tbody>
            {data.jobs.map((j) => (
              <tr id={`job-${j.id}`}>
                <td>
                  <strong>{j.title}</strong>
                  <br />
                  <code>{j.id}</code>
                </td>
                <td>
                  <code>{j.schedule}</code>
                </td>
                <td>
                  {j.lastRun ? (
                    <>
                      <span class={`badge run-${j.lastRun.status}`}>{j.lastRun.status}</span>{' '}
                      {relative(j.lastRun.requestedAt, data.now)}
                      {j.lastRun.durationMs !== null ? <small class="muted"> · {j.lastRun.durationMs} ms</small> : null}
                      <br />
                      <RunCounts counts={j.lastRun.counts} />
                      {j.lastRun.error ? <small class="error-text">{j.lastRun.error}</small> : null}
                    </>
                  ) : (
                    <span class="muted">not run yet</span>
                  )}
                </td>
                <td class="actions">
                  <form method="post" action={`/system/jobs/${j.id}/run`}>
                    <Csrf token={page.csrf} />
                    <button type="submit" class="small secondary" disabled={j.running}>
                      {j.running ? 'Running…' : 'Run now'}
                    </button>
                  </form>
                </td>
              </tr>
            ))}
          </tbody>
        </table>
        <details>
          <summary>Recent runs</summary>
          <table class="compact">
            <tbody>
              {data.recentRuns.map((r) => (
                <tr>
                  <td>{formatInZone(r.requestedAt, 'UTC')} UTC</td>
                  <td>
                    <code>{r.job}</code>
                  </td>
                  <td>
                    <span class={`badge run-${r.status}`}>{r.status}</span> <small class="muted">{r.trigger}</small>
                  </td>
                  <td>
                    <RunCounts counts={r.counts} />
                    {r.error ? <small class="error-text">{r.error}</small> : null}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </details>
      </section>
      <section class="card">
        <h2>AI usage, last 30 days</h2>
        {data.aiUsage.length ? (
          <table class="compact">
            <thead>
              <tr>
                <th>Client</th>
                <th>Text requests</th>
                <th>Tokens in / out</th>
                <th>Images</th>
              </tr>
            </thead>
            <tbody>
              {data.aiUsage.map((u) => (
                <tr>
                  <td>{u.clientName}</td>
                  <td>{u.requests}</td>
                  <td>
                    {u.promptTokens.toLocaleString('en')} / {u.completionTokens.toLocaleString('en')}
                  </td>
                  <td>{u.images}</td>
                </tr>
              ))}
            </tbody>
          </table>
        ) : (
          <EmptyState title="No AI requests in the last 30 days." />
        )}
      </section>
      <ReplicationCard status={data.replication} now={data.now} />
      <section class="card">
        <div class="section-head">
          <h2>Backups</h2>
          <form method="post" action="/system/backups">
            <Csrf token={page.csrf} />
            <button type="submit" class="small">
              Back up now
            </button>
          </form>
        </div>
        <p class="muted">
          A snapshot is written every night and the newest seven are kept. Download from here; never copy the live
          database file. Keep your secret key safe too: a backup's tokens cannot be read without it.
        </p>
        {data.backups.length ? (
          <table class="compact">
            <tbody>
              {data.backups.map((b) => (
                <tr>
                  <td>
                    <a href={`/system/backups/${encodeURIComponent(b.name)}`} download>
                      {b.name}
                    </a>
                  </td>
                  <td>{formatBytes(b.size)}</td>
                  <td>{formatInZone(b.createdAt, 'UTC')} UTC</td>
                  <td>{b.automatic ? <small class="muted">automatic</small> : <small class="muted">manual</small>}</td>
                </tr>
              ))}
            </tbody>
          </table>
        ) : (
          <EmptyState title="No backups yet." />
        )}
      </section>
    </AdminLayout>
  );
}
