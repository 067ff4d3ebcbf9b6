// Seeds a Herald database with an agency-sized history, straight through SQL for speed.
// Used by the page and publishing benchmarks. Ids are time-sortable like the app's own.
import { randomBytes } from 'node:crypto';
import { hash } from '@node-rs/argon2';

const ALPHABET = '0123456789abcdefghjkmnpqrstvwxyz';
export function id(prefix, ms) {
  let t = '';
  let v = ms;
  for (let i = 0; i < 10; i++) {
    t = ALPHABET[v % 32] + t;
    v = Math.floor(v / 32);
  }
  let r = '';
  for (const b of randomBytes(16)) r += ALPHABET[b % 32];
  return `${prefix}_${t}${r}`;
}

const ZONES = [
  'Europe/Berlin',
  'America/New_York',
  'Europe/London',
  'Asia/Tokyo',
  'Australia/Sydney',
  'America/Los_Angeles',
];
const STATUSES = [
  ['published', 60],
  ['scheduled', 20],
  ['draft', 4],
  ['pending_approval', 5],
  ['failed', 3],
  ['cancelled', 5],
  ['missed', 2],
  ['rejected', 1],
];

function pickStatus(r) {
  let acc = 0;
  for (const [s, w] of STATUSES) {
    acc += w;
    if (r < acc) return s;
  }
  return 'published';
}

/**
 * Inserts `clients` clients with `accountsPerClient` accounts, `posts` posts spread over ±180 days
 * (past ones mostly published, future ones scheduled or awaiting approval), and `logsPerPost` log
 * lines each, plus an admin to sign in as. With `groups`, runs of three posts to one client's accounts
 * form a post group at one time; with `labels`, eight labels go on every fourth post.
 */
export async function seed(
  db,
  {
    clients = 200,
    accountsPerClient = 5,
    posts = 100_000,
    logsPerPost = 5,
    groups = false,
    labels = false,
    admin = { email: 'bench@agency.test', password: 'bench password 123' },
  } = {},
) {
  const now = Date.now();
  const DAY = 86_400_000;
  const passwordHash = await hash(admin.password, { memoryCost: 19456, timeCost: 2, parallelism: 1 });
  db.prepare('INSERT INTO admins (id, email, name, password_hash, created_at) VALUES (?, ?, ?, ?, ?)').run(
    id('adm', now),
    admin.email,
    'Bench',
    passwordHash,
    now,
  );
  const insClient = db.prepare(
    'INSERT INTO clients (id, name, status, timezone, brand_voice, audience, language, approval_mode, ' +
      "created_at, updated_at) VALUES (?, ?, 'active', ?, '', '', 'en', 'admin', ?, ?)",
  );
  const insAccount = db.prepare(
    'INSERT INTO accounts (id, client_id, platform, external_id, name, status, access_token_enc, scopes, ' +
      "platform_data, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, 'v1.x.x.x.x', '', '{}', ?, ?)",
  );
  const insPost = db.prepare(
    'INSERT INTO posts (id, client_id, account_id, status, caption, scheduled_at, due_at, published_at, attempts, ' +
      'source, version, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 1, ?, ?)',
  );
  const insLog = db.prepare(
    'INSERT INTO post_logs (post_id, attempt_id, step, level, message, created_at) VALUES (?, ?, ?, ?, ?, ?)',
  );
  const insGroup = db.prepare(
    'INSERT INTO post_groups (id, client_id, caption, scheduled_at, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?)',
  );
  const setGroup = db.prepare('UPDATE posts SET group_id = ? WHERE id = ?');
  const insLabel = db.prepare('INSERT INTO labels (id, name, color, created_at, updated_at) VALUES (?, ?, ?, ?, ?)');
  const insPostLabel = db.prepare('INSERT INTO post_labels (post_id, label_id) VALUES (?, ?)');
  const labelIds = [];
  if (labels)
    for (let l = 0; l < 8; l++) {
      labelIds.push(id('lbl', now));
      insLabel.run(
        labelIds[l],
        `Campaign ${l}`,
        `#${String(l * 111111)
          .padStart(6, '0')
          .slice(0, 6)}`,
        now,
        now,
      );
    }
  const accounts = [];
  const platforms = ['facebook', 'instagram', 'tiktok'];
  db.transaction(() => {
    for (let c = 0; c < clients; c++) {
      const cid = id('cli', now - (clients - c) * 1000);
      insClient.run(cid, `Client ${String(c).padStart(3, '0')}`, ZONES[c % ZONES.length], now, now);
      for (let a = 0; a < accountsPerClient; a++) {
        const aid = id('acc', now);
        const status = (c * accountsPerClient + a) % 97 === 0 ? 'needs_reauth' : 'connected';
        insAccount.run(aid, cid, platforms[a % 3], `ext-${c}-${a}`, `Account ${c}-${a}`, status, now, now);
        accounts.push([aid, cid]);
      }
    }
  })();
  const batch = 10_000;
  for (let start = 0; start < posts; start += batch) {
    db.transaction(() => {
      for (let i = start; i < Math.min(posts, start + batch); i++) {
        const [aid, cid] = accounts[i % accounts.length];
        // Accounts are listed client by client, so posts i..i+2 with i % 5 == 0 share a client.
        const lead = i - (i % 5);
        const grouped = groups && i % 5 < 3 && lead + 2 < posts && accountsPerClient >= 3;
        const when = now + Math.round(((grouped ? lead : i) / posts - 0.5) * 360 * DAY);
        let status = pickStatus((i * 7919) % 100);
        if (when < now && (status === 'scheduled' || status === 'pending_approval')) status = 'published';
        if (when > now && status === 'published') status = 'scheduled';
        const pid = id('post', when);
        insPost.run(
          pid,
          cid,
          aid,
          status,
          `Post ${i}: fresh bread and good coffee #bakery`,
          when,
          status === 'scheduled' ? when : null,
          status === 'published' ? when : null,
          1,
          i % 2 ? 'ai' : 'manual',
          when - DAY,
          when,
        );
        if (grouped) {
          const gid = `grp_bench_${lead}`;
          if (i === lead) insGroup.run(gid, cid, `Post ${i}: fresh bread and good coffee #bakery`, when, now, now);
          setGroup.run(gid, pid);
        }
        if (labelIds.length && i % 4 === 0) insPostLabel.run(pid, labelIds[(i / 4) % labelIds.length]);
        for (let l = 0; l < logsPerPost; l++)
          insLog.run(
            pid,
            null,
            ['create', 'approve', 'claim', 'send', 'confirm'][l],
            l === 4 ? 'ok' : 'info',
            `step ${l}`,
            when + l,
          );
      }
    })();
  }
  return { accounts: accounts.length, admin };
}
