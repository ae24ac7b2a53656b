// The cloud's mail: an SMTP relay (nodemailer) fed from the outbox table. Mail is queued first, then sent; while the relay
// is down it is retried with a growing wait, so nothing the user was told about is lost.
import { createTransport, type Transporter } from 'nodemailer';
import type { Logger } from 'pino';
import type { SqlDb } from './db/sql-db';
import type { Clock } from './domain';
import { dueMail, findMail, mailFailed, mailSent, queueMail, type MailKind } from './repo/mail';

export interface SmtpConfig {
  host: string;
  port: number;
  /** With user, the relay's password (from the environment or a file, never the command line). */
  user?: string;
  password?: string;
  /** The sender address: "Watchpost <no-reply@example.com>". */
  from: string;
  /**
   * `starttls` (default): plain connection upgraded with STARTTLS, refused without it; `implicit`: TLS from the first byte
   * (port 465); `none`: no TLS at all, only for a relay on this computer (the tests' loopback server).
   */
  tls?: 'starttls' | 'implicit' | 'none';
  /** First wait before retrying a failed send (default 2 s), doubled each time up to `retryCapMs` (default 5 min). */
  retryBaseMs?: number;
  retryCapMs?: number;
}

const LOOPBACK = /^(127\.\d+\.\d+\.\d+|::1|localhost)$/;

/** Refuses a configuration that would send a password or codes in the clear over a network. */
export function checkSmtpConfig(c: SmtpConfig): void {
  if (!c.host) throw new Error('SMTP: the relay host is required');
  if (!Number.isInteger(c.port) || c.port < 1 || c.port > 65535) throw new Error('SMTP: the port must be 1..65535');
  if (!c.from) throw new Error('SMTP: the sender address (from) is required');
  if ((c.tls ?? 'starttls') === 'none' && !LOOPBACK.test(c.host)) throw new Error('SMTP: tls "none" is only for a relay on loopback');
  if (c.user && c.password === undefined) throw new Error('SMTP: a user needs its password (WATCHPOST_SMTP_PASSWORD)');
}

export interface MailSender {
  /** Queues one mail and tries it at once (waiting at most `waitMs`): whether it went, or waits in the outbox. */
  send(m: { accountId: string; kind: MailKind; recipient: string; subject: string; body: string }, waitMs?: number): Promise<'sent' | 'queued'>;
  /** Tries every mail that is due now. */
  flush(): Promise<void>;
  close(): Promise<void>;
}

export function startMailSender(db: SqlDb, config: SmtpConfig, clock: Clock, log: Logger): MailSender {
  checkSmtpConfig(config);
  const tls = config.tls ?? 'starttls';
  const transport: Transporter = createTransport({
    host: config.host,
    port: config.port,
    secure: tls === 'implicit',
    requireTLS: tls === 'starttls',
    ignoreTLS: tls === 'none',
    ...(config.user ? { auth: { user: config.user, pass: config.password ?? '' } } : {}),
    connectionTimeout: 5_000,
    greetingTimeout: 5_000,
    socketTimeout: 10_000,
  });
  const base = config.retryBaseMs ?? 2_000;
  const cap = config.retryCapMs ?? 5 * 60_000;
  let running: Promise<void> | null = null;
  let again = false;
  let closed = false;

  async function trySend(id: number): Promise<boolean> {
    const m = await findMail(db, id);
    if (!m || m.sent_at !== null || m.body === null) return m?.sent_at != null;
    try {
      await transport.sendMail({ from: config.from, to: m.recipient, subject: m.subject, text: m.body });
      await mailSent(db, m.id, clock());
      log.info({ mail: m.id, kind: m.kind, attempts: m.attempts + 1 }, 'mail sent');
      return true;
    } catch (err) {
      // The relay's answer or the socket's error: no address, no body, no password in it.
      const reason = (err as { code?: string }).code ?? 'send failed';
      const wait = Math.min(cap, base * 2 ** Math.min(m.attempts, 20));
      await mailFailed(db, m.id, reason, clock() + wait);
      log.warn({ mail: m.id, kind: m.kind, attempts: m.attempts + 1, reason, retryInMs: wait }, 'mail not sent; queued for retry');
      return false;
    }
  }

  function flush(): Promise<void> {
    if (running) {
      again = true;
      return running;
    }
    running = (async () => {
      do {
        again = false;
        for (const m of await dueMail(db, clock())) {
          if (closed) return;
          await trySend(m.id);
        }
      } while (again && !closed);
    })().finally(() => { running = null; });
    return running;
  }

  // Due mail is looked for every second: a retry's wait is measured by the service's clock, which tests may move.
  const timer = setInterval(() => void flush().catch((err: Error) => log.error({ err: err.message }, 'mail pass failed')), 1_000);
  timer.unref();

  return {
    async send(m, waitMs = 3_000) {
      const id = await queueMail(db, { ...m, nowMs: clock() });
      const sent = await Promise.race([
        flush().then(async () => (await findMail(db, id))?.sent_at != null),
        new Promise<boolean>((r) => setTimeout(() => r(false), waitMs).unref()),
      ]);
      return sent ? 'sent' : 'queued';
    },
    flush,
    async close() {
      closed = true;
      clearInterval(timer);
      await running?.catch(() => undefined);
      transport.close();
    },
  };
}
