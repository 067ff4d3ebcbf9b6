#!/usr/bin/env node
// `herald <command>` (interface.md §3). Exit codes: 0 success, 1 failure (one line on stderr),
// 2 bad usage.
import { existsSync } from 'node:fs';
import pino from 'pino';
import { ConfigError, loadConfig, type Config } from './config.js';
import { openDatabase } from './db/client.js';
import { migrate } from './db/migrate.js';
import { HeraldError, ValidationError } from './domain/errors.js';
import { createLogger, moduleLogger } from './log.js';
import { createHerald } from './main.js';
import { appPath } from './paths.js';
import { snapshotDatabase } from './services/backups-service.js';

const USAGE = `Usage: herald <command>

Commands:
  serve                                      run Herald (web server + schedules)
  migrate                                    apply pending database migrations and exit
  backup <file>                              write a consistent snapshot of the database to <file>
  admin create --email E --password P        create an admin
  token create --name N                      create an API token (printed alone on the last line)
`;

class UsageError extends Error {}

function flags(args: string[], allowed: string[]): Record<string, string> {
  const out: Record<string, string> = {};
  for (let i = 0; i < args.length; i++) {
    const arg = args[i]!;
    const match = /^--([a-z-]+)(?:=(.*))?$/.exec(arg);
    if (!match || !allowed.includes(match[1]!)) throw new UsageError(`unknown argument "${arg}"`);
    const value = match[2] ?? args[++i];
    if (value === undefined) throw new UsageError(`--${match[1]} needs a value`);
    out[match[1]!] = value;
  }
  for (const name of allowed) if (out[name] === undefined) throw new UsageError(`--${name} is required`);
  return out;
}

/** Commands other than serve log to stderr, so stdout carries only their result. */
function quietHerald(config: Config) {
  return createHerald({ config, log: createLogger(config.logLevel === 'info' ? 'warn' : config.logLevel, pino.destination(2)) });
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
      if (rest.length !== 1 || rest[0]!.startsWith('--')) throw new UsageError('backup takes one argument: the file to write');
      const config = loadConfig();
      if (!existsSync(config.dbPath)) throw new HeraldError('not_found', `There is no database at ${config.dbPath}; check DATA_DIR.`);
      const target = rest[0]!;
      if (existsSync(target)) throw new HeraldError('conflict', `${target} already exists; choose a new file name.`);
      const { path, size } = await snapshotDatabase(config.dbPath, target);
      process.stdout.write(`Backup written to ${path} (${size} bytes, integrity ok).\n`);
      return 0;
    }
    case 'admin': {
      if (rest[0] !== 'create') throw new UsageError('usage: herald admin create --email E --password P');
      const { email, password } = flags(rest.slice(1), ['email', 'password']);
      const herald = quietHerald(loadConfig());
      try {
        const admin = await herald.services.auth.createAdmin({ email, password });
        process.stdout.write(`Admin ${admin.email} created.\n`);
      } finally {
        await herald.stop();
      }
      return 0;
    }
    case 'token': {
      if (rest[0] !== 'create') throw new UsageError('usage: herald token create --name N');
      const { name } = flags(rest.slice(1), ['name']);
      const herald = quietHerald(loadConfig());
      try {
        const { token, row } = herald.services.apiTokens.create({ name });
        process.stdout.write(`API token "${row.name}" created. Keep it secret; it is shown only now:\n${token}\n`);
      } finally {
        await herald.stop();
      }
      return 0;
    }
    default:
      throw new UsageError(`unknown command "${command}"`);
  }
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
      process.stderr.write(`herald: ${err.message}\n\n${USAGE}`);
      process.exit(2);
    }
    const prefix = err instanceof ConfigError ? 'configuration error' : 'error';
    process.stderr.write(`herald: ${prefix}: ${oneLine(err)}\n`);
    process.exit(1);
  },
);
