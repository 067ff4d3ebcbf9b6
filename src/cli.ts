#!/usr/bin/env node
// `herald <command>` (README.md#command-line). Exit codes: 0 success, 1 failure (one line on stderr),
// 2 bad usage.
import { existsSync } from 'node:fs';
import { resolve as resolvePath } from 'node:path';
import pino from 'pino';
import { ConfigError, loadConfig, restoreDefaults, type Config } from './config.js';
import { openDatabase } from './db/client.js';
import { migrate } from './db/migrate.js';
import { SYSTEM } from './domain/actor.js';
import { HeraldError, ValidationError } from './domain/errors.js';
import { createLogger, moduleLogger } from './log.js';
import { createHerald } from './main.js';
import { appPath } from './paths.js';
import { snapshotDatabase } from './services/backups-service.js';
import { maskReplicaUrl } from './replication/replica-url.js';
import { restoreDatabase } from './replication/restore.js';

const USAGE = `Usage: herald <command>

Commands:
  serve                                      run Herald (web server + schedules)
  migrate                                    apply pending database migrations and exit
  backup <file>                              write a consistent snapshot of the database to <file>
  restore [--from URL] [--to DIR] [--timestamp T]
                                             restore the database from a Litestream replica (default
                                             REPLICA_URL into DATA_DIR; T: RFC 3339 point in time);
                                             never overwrites an existing database
  admin create --email E --password P        create an admin (an owner)
  admin create --email E --password-stdin    the same, reading the password from stdin
  admin list                                 list the team: email, name, role, last sign-in
  admin remove --email E                     remove a team member (never the last owner)
  admin password --email E --password-stdin  set an admin's password and sign them out everywhere
  member invite --email E --role owner|admin|editor|viewer [--client ID]...
                                             invite a teammate (editors and viewers: one --client
                                             per client); prints the join link alone on the last line
  token create --name N [--scope read|write|admin] [--expires-in-days D]
                                             create an API token (default scope write; printed
                                             alone on the last line)
`;

class UsageError extends Error {
  /** False for a bad value of a known flag: the one line says what is wrong, the usage adds nothing. */
  constructor(
    message: string,
    readonly showUsage = true,
  ) {
    super(message);
  }
}

/**
 * `--name value` / `--name=value` options. `required` and `optional` take a value; `switches`
 * take none; `repeated` may be given any number of times (their values land in `lists`).
 * Anything else, or a missing required option, is a usage error.
 */
function flags(
  args: string[],
  required: string[],
  {
    optional = [],
    switches = [],
    repeated = [],
    lists = {},
  }: { optional?: string[]; switches?: string[]; repeated?: string[]; lists?: Record<string, string[]> } = {},
): Record<string, string> {
  const out: Record<string, string> = {};
  for (let i = 0; i < args.length; i++) {
    const arg = args[i]!;
    const match = /^--([a-z-]+)(?:=(.*))?$/.exec(arg);
    const name = match?.[1];
    if (!match || !name || ![...required, ...optional, ...switches, ...repeated].includes(name)) {
      throw new UsageError(`unknown argument "${arg}"`);
    }
    if (repeated.includes(name)) {
      const value = match[2] ?? args[++i];
      if (value === undefined) throw new UsageError(`--${name} needs a value`);
      (lists[name] ??= []).push(value);
      continue;
    }
    if (switches.includes(name)) {
      if (match[2] !== undefined) throw new UsageError(`--${name} takes no value`);
      out[name] = 'true';
      continue;
    }
    const value = match[2] ?? args[++i];
    if (value === undefined) throw new UsageError(`--${name} needs a value`);
    out[name] = value;
  }
  for (const name of required) if (out[name] === undefined) throw new UsageError(`--${name} is required`);
  return out;
}

/** A password piped in (`printf %s "$PW" | herald admin ...`): one line, its line ending dropped. */
async function readPasswordFromStdin(): Promise<string> {
  if (process.stdin.isTTY) {
    throw new UsageError('--password-stdin reads the password from a pipe, e.g. printf %s "$PW" | herald ...');
  }
  const chunks: Buffer[] = [];
  for await (const chunk of process.stdin) chunks.push(chunk as Buffer);
  const text = Buffer.concat(chunks).toString('utf8');
  return text.replace(/\r?\n$/, '');
}

const ADMIN_USAGE =
  'usage: herald admin create --email E (--password P | --password-stdin) | admin list | admin remove --email E | ' +
  'admin password --email E --password-stdin';

async function adminCommand(rest: string[]): Promise<number> {
  const [sub, ...args] = rest;
  switch (sub) {
    case 'create': {
      const options = flags(args, ['email'], { optional: ['password'], switches: ['password-stdin'] });
      if ((options.password === undefined) === (options['password-stdin'] === undefined)) {
        throw new UsageError('admin create needs exactly one of --password P and --password-stdin');
      }
      const password = options.password ?? (await readPasswordFromStdin());
      const herald = quietHerald(loadConfig());
      try {
        const admin = await herald.services.auth.createAdmin({ email: options.email!, password, role: 'owner' });
        process.stdout.write(`Admin ${admin.email} created (owner).\n`);
      } finally {
        await herald.stop();
      }
      return 0;
    }
    case 'list': {
      flags(args, []);
      const herald = quietHerald(loadConfig());
      try {
        const admins = herald.services.auth.admins();
        if (admins.length === 0) process.stdout.write('No admins yet.\n');
        for (const admin of admins) {
          const last = admin.lastLoginAt
            ? `last signed in ${new Date(admin.lastLoginAt).toISOString()}`
            : 'never signed in';
          const sso = admin.oidcSubject ? '\tsingle sign-on' : '';
          process.stdout.write(`${admin.email}\t${admin.name || '-'}\t${admin.role}\t${last}${sso}\n`);
        }
      } finally {
        await herald.stop();
      }
      return 0;
    }
    case 'remove': {
      const { email } = flags(args, ['email']);
      const herald = quietHerald(loadConfig());
      try {
        const admin = herald.services.members.remove(SYSTEM, { email: email! });
        process.stdout.write(`Admin ${admin.email} removed; their sessions and API tokens are ended.\n`);
      } finally {
        await herald.stop();
      }
      return 0;
    }
    case 'password': {
      const options = flags(args, ['email'], { switches: ['password-stdin'] });
      if (!options['password-stdin']) {
        throw new UsageError('admin password needs --password-stdin (the password is read from stdin)');
      }
      const password = await readPasswordFromStdin();
      const herald = quietHerald(loadConfig());
      try {
        const { admin, sessionsEnded } = await herald.services.auth.resetPassword(options.email!, password);
        process.stdout.write(`Password of ${admin.email} changed; ${sessionsEnded} session(s) signed out.\n`);
      } finally {
        await herald.stop();
      }
      return 0;
    }
    default:
      throw new UsageError(ADMIN_USAGE);
  }
}

const MEMBER_USAGE = 'usage: herald member invite --email E --role owner|admin|editor|viewer [--client ID]...';
const MEMBER_FLAGS: Record<string, string> = { email: '--email', role: '--role', clientIds: '--client' };

async function memberCommand(rest: string[]): Promise<number> {
  const [sub, ...args] = rest;
  if (sub !== 'invite') throw new UsageError(MEMBER_USAGE);
  const lists: Record<string, string[]> = {};
  const options = flags(args, ['email', 'role'], { repeated: ['client'], lists });
  const herald = quietHerald(loadConfig());
  try {
    let created: ReturnType<typeof herald.services.members.invite>;
    try {
      created = herald.services.members.invite(SYSTEM, {
        email: options.email,
        role: options.role,
        clientIds: lists.client ?? [],
      });
    } catch (err) {
      if (err instanceof ValidationError) throw new UsageError(flagErrors(err, MEMBER_FLAGS), false);
      throw err;
    }
    const { invite, url, emailed } = created;
    const until = new Date(invite.expiresAt).toISOString();
    process.stdout.write(`Invitation for ${invite.email} (${invite.role}) created; it works once, until ${until}.\n`);
    process.stdout.write(
      emailed
        ? 'It is mailed to them by the running server; the link, shown only now:\n'
        : 'Email is not set up: send them this link, shown only now:\n',
    );
    process.stdout.write(`${url}\n`);
  } finally {
    await herald.stop();
  }
  return 0;
}

/** Commands other than serve log to stderr, so stdout carries only their result. */
function quietHerald(config: Config) {
  return createHerald({
    config,
    log: createLogger(config.logLevel === 'info' ? 'warn' : config.logLevel, pino.destination(2)),
  });
}

async function run(argv: string[]): Promise<number> {
  const [command, ...rest] = argv;
  if (!command) throw new UsageError('a command is required');
  if (command === 'help' || command === '--help' || command === '-h') {
    process.stdout.write(USAGE);
    return 0;
  }
  switch (command) {
    case 'serve': {
      if (rest.length) throw new UsageError('serve takes no arguments');
      const herald = createHerald({ config: loadConfig() });
      await herald.start();
      let signals = 0;
      const shutdown = (signal: string) => {
        signals++;
        if (signals > 1) process.exit(1);
        moduleLogger(herald.log, 'main').info({ signal }, 'signal received');
        herald.stop().then(
          () => process.exit(0),
          (err: unknown) => {
            herald.log.error({ err }, 'shutdown failed');
            process.exit(1);
          },
        );
      };
      process.on('SIGTERM', () => shutdown('SIGTERM'));
      process.on('SIGINT', () => shutdown('SIGINT'));
      return new Promise<number>(() => undefined);
    }
    case 'migrate': {
      if (rest.length) throw new UsageError('migrate takes no arguments');
      const config = loadConfig();
      const database = openDatabase(config.dbPath);
      try {
        const result = migrate(database, appPath('migrations'));
        process.stdout.write(`Applied ${result.applied} migration(s); ${result.total} in total.\n`);
      } finally {
        database.close();
      }
      return 0;
    }
    case 'backup': {
      if (rest.length !== 1 || rest[0]!.startsWith('--'))
        throw new UsageError('backup takes one argument: the file to write');
      const config = loadConfig();
      if (!existsSync(config.dbPath))
        throw new HeraldError('not_found', `There is no database at ${config.dbPath}; check DATA_DIR.`);
      const target = rest[0]!;
      if (existsSync(target)) throw new HeraldError('conflict', `${target} already exists; choose a new file name.`);
      const { path, size } = await snapshotDatabase(config.dbPath, target);
      process.stdout.write(`Backup written to ${path} (${size} bytes, integrity ok).\n`);
      return 0;
    }
    case 'restore': {
      const options = flags(rest, [], { optional: ['from', 'to', 'timestamp'] });
      const defaults = restoreDefaults();
      const from = options.from ?? defaults.replicaUrl;
      if (!from) throw new UsageError('restore needs --from URL (or REPLICA_URL set)', false);
      const dataDir = options.to ? resolvePath(options.to) : defaults.dataDir;
      const restored = await restoreDatabase({
        from,
        dataDir,
        ...(options.timestamp ? { timestamp: options.timestamp } : {}),
      });
      process.stdout.write(
        `Restored ${restored.path} from ${maskReplicaUrl(from)} (${options.timestamp ?? 'newest copy'}; ` +
          `${restored.size} bytes, integrity ok).\n`,
      );
      if (restored.postsToCheck > 0)
        process.stdout.write(
          `${restored.postsToCheck} post(s) were due or being sent when the copy was made: Herald asks their ` +
            'network whether the lost server sent them before sending any.\n',
        );
      process.stdout.write(
        restored.secretKeyPresent
          ? `secret.key is present in ${dataDir}: make sure it is the old host's, tokens are encrypted with it.\n`
          : `secret.key is NOT in ${dataDir}: copy the old host's secret.key there (or set the same SECRET_KEY) ` +
              'before starting Herald, or every connected account must be reconnected.\n',
      );
      return 0;
    }
    case 'admin':
      return adminCommand(rest);
    case 'member':
      return memberCommand(rest);
    case 'token': {
      if (rest[0] !== 'create') {
        throw new UsageError('usage: herald token create --name N [--scope read|write|admin] [--expires-in-days D]');
      }
      const args = flags(rest.slice(1), ['name'], { optional: ['scope', 'expires-in-days'] });
      const input = { name: args.name, scope: args.scope, expiresInDays: args['expires-in-days'] };
      const herald = quietHerald(loadConfig());
      try {
        let created: ReturnType<typeof herald.services.apiTokens.create>;
        try {
          created = herald.services.apiTokens.create(input);
        } catch (err) {
          // A bad flag value is bad usage (exit 2), said in one line that names the flag.
          if (err instanceof ValidationError) throw new UsageError(flagErrors(err, TOKEN_FLAGS), false);
          throw err;
        }
        const { token, row } = created;
        const expiry = row.expiresAt === null ? 'does not expire' : `expires ${new Date(row.expiresAt).toISOString()}`;
        process.stdout.write(`API token "${row.name}" created (scope ${row.scope}, ${expiry}).\n`);
        process.stdout.write(`Keep it secret; it is shown only now:\n${token}\n`);
      } finally {
        await herald.stop();
      }
      return 0;
    }
    default:
      throw new UsageError(`unknown command "${command}"`);
  }
}

const TOKEN_FLAGS: Record<string, string> = { name: '--name', scope: '--scope', expiresInDays: '--expires-in-days' };

/** A validation error in the flags' own names: `--scope must be one of read, write, admin`. */
function flagErrors(err: ValidationError, names: Record<string, string>): string {
  return Object.entries(err.fields)
    .map(([field, messages]) => `${names[field] ?? field} ${messages.join(', ')}`)
    .join('; ');
}

function oneLine(err: unknown): string {
  if (err instanceof ValidationError) {
    return Object.entries(err.fields)
      .map(([field, messages]) => `${field}: ${messages.join(', ')}`)
      .join('; ');
  }
  if (err instanceof Error) return err.message.split('\n')[0] ?? String(err);
  return String(err);
}

run(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (err: unknown) => {
    if (err instanceof UsageError) {
      process.stderr.write(err.showUsage ? `herald: ${err.message}\n\n${USAGE}` : `herald: ${err.message}\n`);
      process.exit(2);
    }
    const prefix = err instanceof ConfigError ? 'configuration error' : 'error';
    process.stderr.write(`herald: ${prefix}: ${oneLine(err)}\n`);
    process.exit(1);
  },
);
