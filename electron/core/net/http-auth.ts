import { createHash, randomBytes } from 'node:crypto';

// HTTP authentication the station speaks to devices: HTTP digest (RFC 7616, MD5), used by ONVIF SOAP, Dahua CGI, device events and RTSP.

export interface Credentials { username: string; password: string }

export class DeviceAuthError extends Error {
  constructor(readonly kind: 'unauthorized' | 'locked', message: string, readonly retryAfterMs?: number) {
    super(message);
  }
}


const md5 = (s: string) => createHash('md5').update(s).digest('hex');

function authParams(header: string): Record<string, string> {
  const out: Record<string, string> = {};
  const re = /([a-zA-Z0-9_-]+)\s*=\s*(?:"((?:[^"\\]|\\.)*)"|([^,\s]+))/g;
  for (let m = re.exec(header); m; m = re.exec(header)) if (m[1]) out[m[1].toLowerCase()] = m[2] ?? m[3] ?? '';
  return out;
}

/**
 * RFC 7616 digest response (MD5, qop=auth when offered). `count`: how many requests this nonce has answered, this one
 * included (a client that reuses a nonce, as RTSP does, counts up; one 401 per request stays at 1).
 */
export function digestHeader(challenge: string, c: Credentials, method: string, uri: string, count = 1): string {
  const p = authParams(challenge.replace(/^Digest\s+/i, ''));
  const ha1 = md5(`${c.username}:${p.realm ?? ''}:${c.password}`);
  const ha2 = md5(`${method}:${uri}`);
  const qop = (p.qop ?? '').split(',').map((s) => s.trim()).includes('auth') ? 'auth' : '';
  const nc = count.toString(16).padStart(8, '0');
  const cnonce = randomBytes(8).toString('hex');
  const response = qop ? md5(`${ha1}:${p.nonce}:${nc}:${cnonce}:${qop}:${ha2}`) : md5(`${ha1}:${p.nonce}:${ha2}`);
  const q = (s: string) => s.replace(/(["\\])/g, '\\$1');
  return (
    `Digest username="${q(c.username)}", realm="${q(p.realm ?? '')}", nonce="${q(p.nonce ?? '')}", uri="${q(uri)}", response="${response}"` +
    (p.opaque ? `, opaque="${q(p.opaque)}"` : '') + (qop ? `, qop=${qop}, nc=${nc}, cnonce="${cnonce}"` : '') + ', algorithm=MD5'
  );
}

/** A lock-out's Retry-After in ms, when the device gave one. */
export function retryAfter(res: Response): number | undefined {
  const s = Number(res.headers.get('retry-after'));
  return Number.isFinite(s) && s > 0 ? s * 1000 : undefined;
}

/** Fetch with HTTP digest when challenged; a 403 with Retry-After is a lock-out. */
export async function digestFetch(url: string, c: Credentials | undefined, init: { method?: string; headers?: Record<string, string>; body?: string; timeoutMs?: number } = {}): Promise<Response> {
  const go = (authorization?: string) => fetch(url, {
    method: init.method ?? 'GET', body: init.body,
    headers: { ...init.headers, ...(authorization ? { Authorization: authorization } : {}) },
    signal: AbortSignal.timeout(init.timeoutMs ?? 8000),
  });
  let res = await go();
  if (res.status === 401 && c) {
    const challenge = res.headers.get('www-authenticate') ?? '';
    await res.body?.cancel();
    if (/^Digest/i.test(challenge)) {
      const u = new URL(url);
      res = await go(digestHeader(challenge, c, init.method ?? 'GET', u.pathname + u.search));
    }
  }
  return res;
}

