// The only module that reads process.env. Everything else receives the frozen Config.
import { chmodSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { randomBytes } from 'node:crypto';
import { join, resolve } from 'node:path';
import { z } from 'zod';
import { appVersion } from './version.js';
import { int, nonEmpty, url } from './lib/env-schemas.js';
import { NETWORKS, type NetworkConfigs } from './platforms/registry.js';
import { NetworkConfigError } from './platforms/network.js';
import { durationMs, maskReplicaUrl, replicaScheme, REPLICA_URL_HELP } from './replication/replica-url.js';

export class ConfigError extends Error {
  constructor(
    readonly variable: string,
    problem: string,
  ) {
    super(`${variable}: ${problem}`);
    this.name = 'ConfigError';
  }
}

const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const;

// One entry per variable of the public interface; absent means "use the default".
const envSchema = {
  PORT: int(0, 65535).optional(),
  HOST: nonEmpty.optional(),
  DATA_DIR: nonEmpty.optional(),
  PUBLIC_URL: url.optional(),
  SECRET_KEY: nonEmpty.optional(),
  ADMIN_EMAIL: z.string().trim().email('must be an email address').optional(),
  ADMIN_PASSWORD: z.string().min(10, 'must be at least 10 characters').optional(),
  LOG_LEVEL: z.enum(LOG_LEVELS, { message: `must be one of ${LOG_LEVELS.join(', ')}` }).optional(),
  GROQ_API_KEY: nonEmpty.optional(),
  GROQ_BASE_URL: url.optional(),
  GROQ_MODEL: nonEmpty.optional(),
  GROQ_REQUESTS_PER_MINUTE: int(1, 100_000).optional(),
  REPLICATE_API_TOKEN: nonEmpty.optional(),
  REPLICATE_BASE_URL: url.optional(),
  REPLICATE_IMAGE_MODEL: nonEmpty
    .regex(/^[\w.-]+\/[\w.-]+(:[0-9a-f]{64})?$/, 'must look like owner/name or owner/name:version')
    .optional(),
  MEDIA_FETCH_HOSTS: nonEmpty.optional(),
  OUTBOUND_PRIVATE_HOSTS: nonEmpty.optional(),
  OIDC_ISSUER: url.optional(),
  OIDC_CLIENT_ID: nonEmpty.optional(),
  OIDC_CLIENT_SECRET: nonEmpty.optional(),
  PUBLISH_CONCURRENCY: int(1, 256).optional(),
  LEASE_TTL_SECONDS: int(3, 3600).optional(),
  PUBLISH_MAX_ATTEMPTS: int(1, 50).optional(),
  MISSED_GRACE_MINUTES: int(0, 10_080).optional(),
  TRUST_PROXY: int(0, 10).optional(),
  METRICS_TOKEN: z
    .string()
    .trim()
    .min(16, 'must be at least 16 characters (openssl rand -hex 32 makes one)')
    .optional(),
  SMTP_URL: nonEmpty.optional(),
  MAIL_FROM: nonEmpty.optional(),
  FFMPEG_PATH: nonEmpty.optional(),
  AUDIT_RETENTION_DAYS: int(1, 3650).optional(),
  REPLICA_URL: z
    .string()
    .trim()
    .refine((v) => replicaScheme(v) !== null, REPLICA_URL_HELP)
    .optional(),
  REPLICA_SYNC_INTERVAL: z
    .string()
    .trim()
    .refine((v) => (durationMs(v) ?? 0) >= 100, 'must be a duration of at least 100ms, like 1s, 500ms or 10s')
    .optional(),
};

type EnvKey = keyof typeof envSchema;

/** The settings of Herald itself; each network's own settings sit beside them under its id (`config.meta`). */
interface BaseConfig {
  readonly version: string;
  readonly port: number;
  readonly host: string;
  readonly dataDir: string;
  readonly dbPath: string;
  readonly mediaDir: string;
  readonly backupDir: string;
  readonly publicUrl: string;
  /** True when PUBLIC_URL is https: cookies get Secure and the __Host- prefix. */
  readonly secureCookies: boolean;
  readonly secretKey: Buffer;
  readonly admin: { readonly email: string; readonly password: string } | null;
  readonly logLevel: (typeof LOG_LEVELS)[number];
  readonly groq: {
    readonly apiKey: string | null;
    readonly baseUrl: string | null;
    readonly model: string;
    readonly requestsPerMinute: number;
  };
  readonly replicate: { readonly apiToken: string | null; readonly baseUrl: string; readonly imageModel: string };
  readonly mediaFetchHosts: readonly string[];
  /**
   * OUTBOUND_PRIVATE_HOSTS: the private or loopback hosts Herald may call for URLs people enter
   * (webhook and chat targets); every other private address is refused.
   */
  readonly outboundPrivateHosts: readonly string[];
  readonly oidc: { readonly issuer: string; readonly clientId: string; readonly clientSecret: string | null } | null;
  readonly publishConcurrency: number;
  readonly leaseTtlMs: number;
  readonly publishMaxAttempts: number;
  readonly missedGraceMs: number;
  /** Reverse-proxy hops in front of Herald whose X-Forwarded-For entries are believed (0: none). */
  readonly trustProxy: number;
  /** Bearer token /metrics requires; null: /metrics answers loopback clients only. */
  readonly metricsToken: string | null;
  /** SMTP_URL and MAIL_FROM: null when email is not configured (no email sender, the pages say so). */
  readonly smtp: SmtpConfig | null;
  /** FFMPEG_PATH: the ffmpeg that makes video posters (default `ffmpeg` on PATH; optional). */
  readonly ffmpegPath: string;
  /** AUDIT_RETENTION_DAYS: how long the audit trail keeps an entry (the maintenance job prunes older ones). */
  readonly auditRetentionDays: number;
  /** REPLICA_URL and REPLICA_SYNC_INTERVAL: null when the database is not replicated (docs/operations.md). */
  readonly replication: ReplicationConfig | null;
}

export interface ReplicationConfig {
  readonly url: string;
  /** The URL with any user, password or query replaced, for pages and logs. */
  readonly maskedUrl: string;
  /** As Litestream reads it (`1s`), and in milliseconds. */
  readonly syncInterval: string;
  readonly syncIntervalMs: number;
}

export interface SmtpConfig {
  readonly host: string;
  readonly port: number;
  /** smtps://: TLS from the first byte; smtp://: STARTTLS (required unless the host is this machine). */
  readonly secure: boolean;
  readonly requireTls: boolean;
  readonly user: string | null;
  readonly pass: string | null;
  /** MAIL_FROM as given: `address` or `Name <address>`. */
  readonly from: string;
}

export type Config = BaseConfig & NetworkConfigs;

function parseEnv(env: Record<string, string | undefined>): { [K in EnvKey]?: z.output<(typeof envSchema)[K]> } {
  const out: Record<string, unknown> = {};
  for (const [key, schema] of Object.entries(envSchema)) {
    const raw = env[key];
    // An empty variable (FOO=) means "not set", as in most self-hosted tools' env files.
    if (raw === undefined || raw === '') continue;
    const result = schema.safeParse(raw);
    if (!result.success) throw new ConfigError(key, result.error.issues[0]?.message ?? 'is not valid');
    out[key] = result.data;
  }
  return out as { [K in EnvKey]?: z.output<(typeof envSchema)[K]> };
}

/** Each network's variables, parsed with its own schemas and turned into its settings by its `read`. */
function networkConfigs(env: Record<string, string | undefined>): NetworkConfigs {
  const out: Record<string, unknown> = {};
  for (const network of NETWORKS) {
    const values: Record<string, unknown> = {};
    for (const [key, schema] of Object.entries(network.config.env)) {
      const raw = env[key];
      if (raw === undefined || raw === '') continue;
      const result = schema.safeParse(raw);
      if (!result.success) throw new ConfigError(key, result.error.issues[0]?.message ?? 'is not valid');
      values[key] = result.data;
    }
    try {
      out[network.id] = network.config.read(values);
    } catch (err) {
      if (err instanceof NetworkConfigError)
        throw new ConfigError(err.variable, err.message.slice(err.variable.length + 2));
      throw err;
    }
  }
  return out as NetworkConfigs;
}

const SECRET_HELP =
  'must be exactly 32 bytes written as 64 hex characters or as base64; generate one with `openssl rand -hex 32`';

/**
 * Exactly 32 bytes, as 64 hex characters or as base64 (standard or URL-safe, padded or not).
 * A passphrase is refused rather than stretched: the key encrypts tokens at rest, and a short
 * or guessable one would make that encryption decorative.
 */
function decodeSecret(value: string, variable: string): Buffer {
  const text = value.trim();
  if (/^[0-9a-fA-F]{64}$/.test(text)) return Buffer.from(text, 'hex');
  // 32 bytes are 43 base64 characters plus one '=' of padding; the decoded bytes must encode
  // back to the same text, so stray characters (which Buffer.from skips silently) are refused.
  const standard = text.replace(/-/g, '+').replace(/_/g, '/').replace(/=$/, '');
  if (/^[A-Za-z0-9+/]{43}$/.test(standard)) {
    const bytes = Buffer.from(standard, 'base64');
    if (bytes.length === 32 && bytes.toString('base64').replace(/=$/, '') === standard) return bytes;
  }
  throw new ConfigError(variable, SECRET_HELP);
}

/** Reads DATA_DIR/secret.key, creating it (mode 0600, 64 hex characters) on first start. */
function loadOrCreateSecretFile(dataDir: string): Buffer {
  const path = join(dataDir, 'secret.key');
  if (!existsSync(path)) {
    // 'wx' fails if another process created the file in the meantime; then we read theirs.
    try {
      writeFileSync(path, `${randomBytes(32).toString('hex')}\n`, { mode: 0o600, flag: 'wx' });
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST')
        throw new ConfigError('DATA_DIR', `cannot write ${path}: ${(err as Error).message}`);
    }
    chmodSync(path, 0o600);
  }
  return decodeSecret(readFileSync(path, 'utf8'), path);
}

function ensureDir(path: string, variable: string): void {
  try {
    mkdirSync(path, { recursive: true });
  } catch (err) {
    throw new ConfigError(variable, `cannot create ${path}: ${(err as Error).message}`);
  }
}

/** Hosts like `replicate.delivery, 127.0.0.1` → lower-case list without empties. */
function parseHostList(value: string, variable = 'MEDIA_FETCH_HOSTS'): string[] {
  const hosts = value
    .split(',')
    .map((h) => h.trim().toLowerCase())
    .filter(Boolean);
  for (const host of hosts) {
    if (!/^[a-z0-9.:[\]-]+$/.test(host)) throw new ConfigError(variable, `"${host}" is not a host name or address`);
  }
  return hosts;
}

const SMTP_HELP = 'must look like smtp://user:password@host:587 (STARTTLS) or smtps://user:password@host:465';
const EMAIL_PATTERN = /^[^\s@<>()",;:]+@[^\s@<>()",;:]+\.[^\s@<>()",;:]+$/;

/** SMTP_URL and MAIL_FROM, checked together: one is no use without the other. */
function smtpConfig(url: string | undefined, from: string | undefined): SmtpConfig | null {
  if (url === undefined) {
    if (from !== undefined) throw new ConfigError('SMTP_URL', 'must be set when MAIL_FROM is (email needs both)');
    return null;
  }
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    throw new ConfigError('SMTP_URL', SMTP_HELP);
  }
  const secure = parsed.protocol === 'smtps:';
  if ((!secure && parsed.protocol !== 'smtp:') || !parsed.hostname || (parsed.pathname && parsed.pathname !== '/'))
    throw new ConfigError('SMTP_URL', SMTP_HELP);
  if (from === undefined)
    throw new ConfigError('MAIL_FROM', 'must be set when SMTP_URL is (e.g. Herald <herald@example.com>)');
  const named = /^(.*)<([^<>]+)>$/.exec(from.trim());
  const address = (named ? named[2]! : from).trim();
  if (!EMAIL_PATTERN.test(address))
    throw new ConfigError('MAIL_FROM', 'must be an email address or Name <address>, e.g. Herald <herald@example.com>');
  const host = parsed.hostname.replace(/^\[|\]$/g, '');
  const local = host === 'localhost' || host === '::1' || /^127\./.test(host);
  const decode = (v: string) => (v ? decodeURIComponent(v) : null);
  return {
    host,
    port: parsed.port ? Number(parsed.port) : secure ? 465 : 587,
    secure,
    // A relay on this machine often speaks no TLS; anywhere else a password must not cross in clear.
    requireTls: !secure && !local,
    user: decode(parsed.username),
    pass: decode(parsed.password),
    from: from.trim(),
  };
}

/**
 * What `herald restore` defaults to (REPLICA_URL, DATA_DIR), read without loadConfig's side
 * effects: a restore must not create the data directory's secret.key that it reminds the operator to bring.
 */
export function restoreDefaults(env: Record<string, string | undefined> = process.env): {
  replicaUrl: string | null;
  dataDir: string;
} {
  return { replicaUrl: env.REPLICA_URL?.trim() || null, dataDir: resolve(env.DATA_DIR?.trim() || './data') };
}

/**
 * Builds the Config from an environment (process.env by default). Throws ConfigError, whose
 * message is the one line start-up prints, on the first bad value. Creates DATA_DIR and its
 * sub-folders and the secret key file when they are missing.
 */
export function loadConfig(env: Record<string, string | undefined> = process.env): Config {
  const e = parseEnv(env);
  const port = e.PORT ?? 3000;
  const dataDir = resolve(e.DATA_DIR ?? './data');
  ensureDir(dataDir, 'DATA_DIR');
  for (const sub of ['media', 'backups']) ensureDir(join(dataDir, sub), 'DATA_DIR');
  const publicUrl = e.PUBLIC_URL ?? `http://localhost:${port}`;

  if ((e.ADMIN_EMAIL === undefined) !== (e.ADMIN_PASSWORD === undefined)) {
    throw new ConfigError(
      e.ADMIN_EMAIL ? 'ADMIN_PASSWORD' : 'ADMIN_EMAIL',
      'ADMIN_EMAIL and ADMIN_PASSWORD must be set together',
    );
  }
  const oidcParts = [e.OIDC_ISSUER, e.OIDC_CLIENT_ID];
  if (oidcParts.some((v) => v !== undefined) && oidcParts.some((v) => v === undefined)) {
    throw new ConfigError(
      e.OIDC_ISSUER ? 'OIDC_CLIENT_ID' : 'OIDC_ISSUER',
      'OIDC_ISSUER and OIDC_CLIENT_ID must be set together',
    );
  }
  const secretKey =
    e.SECRET_KEY !== undefined ? decodeSecret(e.SECRET_KEY, 'SECRET_KEY') : loadOrCreateSecretFile(dataDir);

  const networks = networkConfigs(env);

  const base: BaseConfig = {
    version: appVersion(),
    port,
    host: e.HOST ?? '0.0.0.0',
    dataDir,
    dbPath: join(dataDir, 'herald.db'),
    mediaDir: join(dataDir, 'media'),
    backupDir: join(dataDir, 'backups'),
    publicUrl,
    secureCookies: publicUrl.startsWith('https://'),
    secretKey,
    admin:
      e.ADMIN_EMAIL && e.ADMIN_PASSWORD ? { email: e.ADMIN_EMAIL.toLowerCase(), password: e.ADMIN_PASSWORD } : null,
    logLevel: e.LOG_LEVEL ?? 'info',
    groq: {
      apiKey: e.GROQ_API_KEY ?? null,
      baseUrl: e.GROQ_BASE_URL ?? null,
      model: e.GROQ_MODEL ?? 'openai/gpt-oss-120b',
      requestsPerMinute: e.GROQ_REQUESTS_PER_MINUTE ?? 30,
    },
    replicate: {
      apiToken: e.REPLICATE_API_TOKEN ?? null,
      baseUrl: e.REPLICATE_BASE_URL ?? 'https://api.replicate.com/v1',
      imageModel: e.REPLICATE_IMAGE_MODEL ?? 'black-forest-labs/flux-schnell',
    },
    mediaFetchHosts: parseHostList(e.MEDIA_FETCH_HOSTS ?? 'replicate.delivery'),
    outboundPrivateHosts: parseHostList(e.OUTBOUND_PRIVATE_HOSTS ?? '', 'OUTBOUND_PRIVATE_HOSTS'),
    oidc:
      e.OIDC_ISSUER && e.OIDC_CLIENT_ID
        ? { issuer: e.OIDC_ISSUER, clientId: e.OIDC_CLIENT_ID, clientSecret: e.OIDC_CLIENT_SECRET ?? null }
        : null,
    publishConcurrency: e.PUBLISH_CONCURRENCY ?? 8,
    leaseTtlMs: (e.LEASE_TTL_SECONDS ?? 15) * 1000,
    publishMaxAttempts: e.PUBLISH_MAX_ATTEMPTS ?? 5,
    missedGraceMs: (e.MISSED_GRACE_MINUTES ?? 60) * 60_000,
    trustProxy: e.TRUST_PROXY ?? 0,
    metricsToken: e.METRICS_TOKEN ?? null,
    auditRetentionDays: e.AUDIT_RETENTION_DAYS ?? 365,
    smtp: smtpConfig(e.SMTP_URL, e.MAIL_FROM),
    ffmpegPath: e.FFMPEG_PATH ?? 'ffmpeg',
    replication: e.REPLICA_URL
      ? {
          url: e.REPLICA_URL,
          maskedUrl: maskReplicaUrl(e.REPLICA_URL),
          syncInterval: e.REPLICA_SYNC_INTERVAL ?? '1s',
          syncIntervalMs: durationMs(e.REPLICA_SYNC_INTERVAL ?? '1s')!,
        }
      : null,
  };
  // A network's settings sit beside Herald's own under its id; an id must not shadow one of them.
  for (const id of Object.keys(networks)) {
    if (id in base) throw new Error(`the network id "${id}" is also a setting of Herald's; choose another id`);
  }
  return Object.freeze({ ...base, ...networks });
}
