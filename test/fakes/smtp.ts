// A real SMTP server on 127.0.0.1 (the smtp-server package) that requires a password, parses what
// it receives with mailparser, and can be told to misbehave: refuse connections with 421 (busy),
// refuse recipients with 550, or stop listening altogether.
import type { AddressInfo } from 'node:net';
import { type ParsedMail, simpleParser } from 'mailparser';
import { SMTPServer } from 'smtp-server';

export const SMTP_USER = 'herald';
export const SMTP_PASS = 's3cret pass';

export interface ReceivedMail {
  readonly envelopeTo: string[];
  readonly raw: string;
  readonly parsed: ParsedMail;
  /** When the message's data ended (Date.now()), before it was parsed. */
  readonly at: number;
}

export interface FakeSmtp {
  readonly port: number;
  /** SMTP_URL for Herald. */
  readonly url: string;
  readonly received: ReceivedMail[];
  /** 'ok', '421' (every connection refused as busy), or addresses refused with 550 at RCPT TO. */
  mode: 'ok' | '421';
  readonly rejectRecipients: Set<string>;
  /** Connections refused (421) so far. */
  refused: number;
  /** Stops listening (a server that is down); `start()` listens again on the same port. */
  stop(): Promise<void>;
  start(): Promise<void>;
  close(): Promise<void>;
}

function smtpError(message: string, responseCode: number): Error {
  return Object.assign(new Error(message), { responseCode });
}

export async function startFakeSmtp(): Promise<FakeSmtp> {
  const received: ReceivedMail[] = [];
  const state = { mode: 'ok' as 'ok' | '421', refused: 0 };
  const rejectRecipients = new Set<string>();
  let server: SMTPServer;
  let port = 0;

  const build = () =>
    new SMTPServer({
      secure: false,
      // Plain SMTP on loopback: Herald requires TLS anywhere else (see SMTP_URL in config.ts).
      disabledCommands: ['STARTTLS'],
      allowInsecureAuth: true,
      authMethods: ['PLAIN', 'LOGIN'],
      logger: false,
      // Going down cuts the connections a pooled client keeps open, instead of waiting 30 s for them.
      closeTimeout: 100,
      onConnect(_session, callback) {
        if (state.mode === '421') {
          state.refused += 1;
          return callback(smtpError('Too busy, try again later', 421));
        }
        callback();
      },
      onAuth(auth, _session, callback) {
        if (auth.username === SMTP_USER && auth.password === SMTP_PASS) return callback(null, { user: SMTP_USER });
        callback(smtpError('Authentication failed', 535));
      },
      onRcptTo(address, _session, callback) {
        if (rejectRecipients.has(address.address.toLowerCase())) return callback(smtpError('No such user here', 550));
        callback();
      },
      onData(stream, session, callback) {
        const chunks: Buffer[] = [];
        stream.on('data', (chunk: Buffer) => chunks.push(chunk));
        stream.on('end', () => {
          const at = Date.now();
          const raw = Buffer.concat(chunks).toString('utf8');
          simpleParser(raw).then(
            (parsed) => {
              received.push({ envelopeTo: session.envelope.rcptTo.map((r) => r.address), raw, parsed, at });
              callback();
            },
            (err: Error) => callback(err),
          );
        });
      },
    });

  const listen = async () => {
    server = build();
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(port, '127.0.0.1', () => resolve());
    });
    port = (server.server.address() as AddressInfo).port;
  };
  const stop = () => new Promise<void>((resolve) => server.close(() => resolve()));
  await listen();

  return {
    port,
    url: `smtp://${SMTP_USER}:${encodeURIComponent(SMTP_PASS)}@127.0.0.1:${port}`,
    received,
    get mode() {
      return state.mode;
    },
    set mode(value) {
      state.mode = value;
    },
    get refused() {
      return state.refused;
    },
    set refused(value) {
      state.refused = value;
    },
    rejectRecipients,
    stop,
    start: listen,
    close: stop,
  };
}
