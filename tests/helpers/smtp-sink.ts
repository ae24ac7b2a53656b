// A real SMTP server on loopback (smtp-server) that keeps every message it is given, parsed by mailparser: the relay the
// cloud sends mail through in tests. It can stop and start again on the same port (a relay that is down for a while).
import type { AddressInfo } from 'node:net';
import { simpleParser } from 'mailparser';
import { SMTPServer } from 'smtp-server';

export interface ReceivedMail { to: string; subject: string; text: string }

export interface SmtpSink {
  port: number;
  mails: ReceivedMail[];
  /** The next mail to this address (or one that came already and was not taken yet), within `timeoutMs`. */
  next(to: string, timeoutMs?: number): Promise<ReceivedMail>;
  stop(): Promise<void>;
  start(): Promise<void>;
  close(): Promise<void>;
}

/** The 8-digit code a Watchpost mail carries ("1234 5678"), without its space. */
export function codeIn(mail: ReceivedMail): string {
  const m = /\b(\d{4}) (\d{4})\b/.exec(mail.text);
  if (!m) throw new Error(`no code in the mail: ${mail.text}`);
  return m[1]! + m[2]!;
}

export async function startSmtpSink(port = 0): Promise<SmtpSink> {
  const mails: ReceivedMail[] = [];
  const taken = new Set<ReceivedMail>();
  const waiters: (() => void)[] = [];
  let server: SMTPServer | null = null;
  let boundPort = port;

  const listen = async () => {
    const s = new SMTPServer({
      secure: false, disabledCommands: ['STARTTLS', 'AUTH'], authOptional: true, logger: false,
      onData(stream, _session, done) {
        simpleParser(stream).then((parsed) => {
          const to = Array.isArray(parsed.to) ? parsed.to[0] : parsed.to;
          mails.push({ to: to?.value[0]?.address ?? '', subject: parsed.subject ?? '', text: parsed.text ?? '' });
          for (const w of waiters.splice(0)) w();
          done();
        }, (err: Error) => done(err));
      },
    });
    await new Promise<void>((resolve, reject) => {
      s.once('error', reject);
      s.listen(boundPort, '127.0.0.1', () => resolve());
    });
    boundPort = (s.server.address() as AddressInfo).port;
    server = s;
  };
  await listen();

  const sink: SmtpSink = {
    get port() { return boundPort; },
    mails,
    async next(to, timeoutMs = 10_000) {
      const until = Date.now() + timeoutMs;
      for (;;) {
        const m = mails.find((x) => x.to === to && !taken.has(x));
        if (m) {
          taken.add(m);
          return m;
        }
        if (Date.now() > until) throw new Error(`no mail to ${to} within ${timeoutMs} ms`);
        await new Promise<void>((r) => {
          waiters.push(r);
          setTimeout(r, 200);
        });
      }
    },
    async stop() {
      const s = server;
      server = null;
      if (s) await new Promise<void>((r) => s.close(() => r()));
    },
    start: listen,
    close: () => sink.stop(),
  };
  return sink;
}
