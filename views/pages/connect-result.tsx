import { PlatformBadge } from '../components/bits.js';
import { BareLayout } from '../layouts/admin.js';

export interface ConnectOutcome {
  ok: boolean;
  title: string;
  message: string;
  connected: Array<{ platform: string; name: string }>;
  warnings: string[];
  missing: string[];
  help: string[];
  backTo: string;
  backLabel: string;
}

/** What came back from connecting accounts: what is connected now, or what went wrong and how to fix it. */
export function ConnectResultPage({ outcome }: { outcome: ConnectOutcome }) {
  return (
    <BareLayout title={outcome.title}>
      <p>{outcome.message}</p>
      {outcome.connected.length ? (
        <ul class="plain">
          {outcome.connected.map((a) => (
            <li>
              <PlatformBadge platform={a.platform} /> {a.name}
            </li>
          ))}
        </ul>
      ) : null}
      {outcome.missing.length ? (
        <>
          <p>These permissions were not granted:</p>
          <ul>
            {outcome.missing.map((m) => (
              <li>
                <code>{m}</code>
              </li>
            ))}
          </ul>
        </>
      ) : null}
      {outcome.warnings.length ? (
        <div class="notice notice-warn">
          <ul>
            {outcome.warnings.map((w) => (
              <li>{w}</li>
            ))}
          </ul>
        </div>
      ) : null}
      {outcome.help.length ? (
        <>
          <p>How to fix it:</p>
          <ul>
            {outcome.help.map((h) => (
              <li>{h}</li>
            ))}
          </ul>
        </>
      ) : null}
      {outcome.ok && outcome.connected.length ? (
        <p class="muted">Anything you did not mean to connect can be switched off on the next page.</p>
      ) : null}
      <p>
        <a href={outcome.backTo} role="button">
          {outcome.backLabel}
        </a>
      </p>
    </BareLayout>
  );
}
