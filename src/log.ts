import pino, { type DestinationStream, type Logger } from 'pino';

export type { Logger };

/**
 * Paths pino blanks out wherever they appear, so a token or password that slips into a log call
 * never reaches the output. Callers still should not log secrets; this is the safety net.
 */
const REDACT = [
  'password',
  '*.password',
  'token',
  '*.token',
  'accessToken',
  '*.accessToken',
  'refreshToken',
  '*.refreshToken',
  'access_token',
  '*.access_token',
  'refresh_token',
  '*.refresh_token',
  'client_secret',
  '*.client_secret',
  'req.headers.authorization',
  'req.headers.cookie',
  'res.headers["set-cookie"]',
];

// pino keeps a logger's bindings as ready-made JSON text (`,"k":v,...`) and writes them before the
// fields of each call without looking for repeats: a child binding a key its parent bound, or a
// call passing a bound key, would write that key twice. These two hooks keep every key once.
// https://github.com/pinojs/pino/blob/main/docs/child-loggers.md#duplicate-keys-caveat
const { chindingsSym } = pino.symbols;
type Bound = Record<symbol, string>;

function parseBindings(text: string): Record<string, unknown> {
  return text ? (JSON.parse(`{${text.slice(1)}}`) as Record<string, unknown>) : {};
}

/** The bindings text with each key once (the latest value, as JSON.parse keeps it), minus `drop`. */
function uniqueBindings(text: string, drop: readonly string[] = []): string {
  const bindings = parseBindings(text);
  for (const key of drop) delete bindings[key];
  return Object.entries(bindings)
    .map(([key, value]) => `,${JSON.stringify(key)}:${JSON.stringify(value)}`)
    .join('');
}

/** A child re-binding a key its parent bound (a module logger of a module logger): the child's value wins. */
function onChild(child: Logger): void {
  const bound = child as unknown as Bound;
  const text = bound[chindingsSym] ?? '';
  const unique = uniqueBindings(text);
  if (unique.length !== text.length) bound[chindingsSym] = unique;
}

/** A call passing a key the logger already binds: the call's value wins, the binding steps aside for that line. */
function logMethod(this: Logger, args: Parameters<pino.LogFn>, method: pino.LogFn): void {
  const fields = args[0];
  if (fields !== null && typeof fields === 'object' && !(fields instanceof Error)) {
    const text = (this as unknown as Bound)[chindingsSym] ?? '';
    const bound = parseBindings(text);
    const given = fields as Record<string, unknown>;
    const clash = Object.keys(given).filter((key) => key in bound && given[key] !== undefined);
    if (clash.length > 0) {
      const view = Object.create(this) as Bound;
      view[chindingsSym] = uniqueBindings(text, clash);
      method.apply(view as unknown as Logger, args);
      return;
    }
  }
  method.apply(this, args);
}

/** The root logger. JSON lines on stdout unless given a stream; parts of Herald log through `moduleLogger`. */
export function createLogger(level: string, destination?: DestinationStream): Logger {
  return pino(
    {
      level,
      base: { app: 'herald' },
      redact: { paths: REDACT, censor: '[redacted]' },
      timestamp: pino.stdTimeFunctions.isoTime,
      onChild,
      hooks: { logMethod },
    },
    destination,
  );
}

/** The logger of one part of Herald: every line it writes names that part as `module`, once. */
export function moduleLogger(parent: Logger, module: string): Logger {
  return parent.child({ module });
}
