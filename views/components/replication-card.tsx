import type { ReplicationStatus } from '../../src/replication/replication-state.js';
import { formatInZone, relative } from '../format.js';

function seconds(ms: number): string {
  return ms < 1000 ? `${ms} ms` : `${(ms / 1000).toFixed(1)} s`;
}

/** The System page's Replication part: whether the database streams to a replica, and how far behind it is. */
export function ReplicationCard({ status, now }: { status: ReplicationStatus; now: number }) {
  return (
    <section class="card" id="replication">
      <h2>Replication</h2>
      {status.enabled ? (
        <>
          <p>
            {status.failingSince !== null && now - status.failingSince >= 10_000 ? (
              <span class="badge status-failed">failing</span>
            ) : status.running ? (
              <span class="badge status-connected">on</span>
            ) : (
              <span class="badge status-disabled">stopped</span>
            )}{' '}
            Litestream streams the database to <code>{status.url}</code>.
          </p>
          <table class="compact">
            <tbody>
              <tr>
                <th scope="row">Replica position</th>
                <td>
                  <code>{status.replicaPosition ?? 'not known yet'}</code>
                </td>
              </tr>
              <tr>
                <th scope="row">Database position</th>
                <td>
                  <code>{status.databasePosition ?? 'not known yet'}</code>
                </td>
              </tr>
              <tr>
                <th scope="row">Lag</th>
                <td>
                  {status.lagMs === null
                    ? 'not known yet'
                    : status.lagMs === 0
                      ? 'none: the replica has every commit'
                      : `${seconds(status.lagMs)} (${status.lagBytes ?? 0} bytes of WAL)`}
                </td>
              </tr>
              <tr>
                <th scope="row">Last in step</th>
                <td>
                  {status.lastSyncAt === null
                    ? 'not yet'
                    : `${formatInZone(status.lastSyncAt, 'UTC')} UTC (${relative(status.lastSyncAt, now)})`}
                </td>
              </tr>
              <tr>
                <th scope="row">Last error</th>
                <td>
                  {status.lastError
                    ? `${formatInZone(status.lastError.at, 'UTC')} UTC: ${status.lastError.message}`
                    : 'none'}
                  {status.failingSince !== null
                    ? ` (failing since ${formatInZone(status.failingSince, 'UTC')} UTC)`
                    : null}
                </td>
              </tr>
            </tbody>
          </table>
        </>
      ) : (
        <p class="muted">
          Off. Set REPLICA_URL (for example <code>s3://bucket/herald</code>) to stream every change to a replica within
          about a second; see the README's backup section.
        </p>
      )}
    </section>
  );
}
