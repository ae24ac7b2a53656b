import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import pino from 'pino';

export type Logger = pino.Logger;

/** Fields that may hold a secret anywhere in a log record; pino replaces them before writing. */
const REDACT = [
  'password', 'pass', 'token', 'secret', 'authorization', 'credentials', 'cookie',
  '*.password', '*.pass', '*.token', '*.secret', '*.authorization', '*.credentials', '*.cookie',
  'input.password', 'input.token', 'req.headers.authorization', 'req.headers.cookie',
];

/** user:pass@ in URLs (rtsp://admin:secret@cam) and token=… in queries never reach a log line. */
export function scrubSecrets(text: string): string {
  return text
    .replace(/(\b[a-z][a-z0-9+.-]*:\/\/)[^/\s:@]+:[^/\s@]+@/gi, '$1***:***@')
    .replace(/([?&](?:token|password|pass|pwd)=)[^&\s"]+/gi, '$1***');
}

/**
 * Resolves once the log file is open: pino opens it asynchronously, and a station disposed (its folder perhaps removed)
 * before that would have the open fail later, outside anything that could catch it.
 */
export function logOpened(logger: Logger): Promise<void> {
  const dest = (logger as unknown as Record<symbol, { fd?: number; once?(event: 'ready', cb: () => void): void } | undefined>)[pino.symbols.streamSym];
  return dest?.once && typeof dest.fd === 'number' && dest.fd < 0 ? new Promise((r) => dest.once!('ready', r)) : Promise.resolve();
}

export function createLogger(logDir: string, level = process.env.WATCHPOST_LOG_LEVEL ?? 'info'): Logger {
  mkdirSync(logDir, { recursive: true });
  const dest = pino.destination({ dest: join(logDir, 'station.log'), mkdir: true, sync: false });
  // A full disk must not take the station down through its log: sonic-boom emits a failed write as 'error', which
  // unheard would end the process. The lines stay in its buffer and go out with a later line once there is space.
  dest.on('error', () => {});
  return pino(
    {
      level,
      redact: { paths: REDACT, censor: '***' },
      hooks: {
        logMethod(args, method) {
          method.apply(this, args.map((a) => (typeof a === 'string' ? scrubSecrets(a) : a)) as Parameters<typeof method>);
        },
      },
      formatters: { level: (label) => ({ level: label }) },
    },
    dest,
  );
}
