import { createHash, randomBytes } from 'node:crypto';

// HTTP authentication the station speaks to devices: HTTP digest (RFC 7616: MD5 and SHA-256, with or without qop, -sess
// variants), used by ONVIF SOAP, Dahua CGI, device events and RTSP.

export interface Credentials { username: string; password: string }

export class DeviceAuthError extends Error {
  constructor(readonly kind: 'unauthorized' | 'locked', message: string, readonly retryAfterMs?: number) {
    super(message);
  }
}


const MAX_CHALLENGE_BYTES = 16 * 1024;
const HASHES: Record<string, string> = { md5: 'md5', 'sha-256': 'sha256' };
const hashOf = (algorithm: string) => (s: string) => createHash(HASHES[algorithm] ?? 'md5').update(s).digest('hex');

function authParams(header: string): Record<string, string> {
  const out: Record<string, string> = {};
  const re = /([a-zA-Z0-9_-]+)\s*=\s*(?:"((?:[^"\\]|\\.)*)"|([^,\s]+))/g;
  for (let m = re.exec(header); m; m = re.exec(header)) if (m[1]) out[m[1].toLowerCase()] = m[2] ?? m[3] ?? '';
  return out;
}

/**
 * The challenges of a WWW-Authenticate value, which fetch joins with ", " when a device sends several (Axis: SHA-256 and
 * MD5 digest, then Basic): split where a new scheme word starts, outside quotes.
 */
export function splitChallenges(header: string): string[] {
  // A real WWW-Authenticate is a few hundred bytes; one past this is not answered.
  if (header.length > MAX_CHALLENGE_BYTES) return [];
  const out: string[] = [];
  const re = /(?:^|,)\s*([A-Za-z][\w-]*)(?=\s+[\w-]+\s*=|\s*(?:,|$))/g;
  let inQuote = false;
  let start = -1;
  for (let i = 0; i < header.length; i++) {
    const c = header[i];
    if (c === '"' && header[i - 1] !== '\\') inQuote = !inQuote;
    if (inQuote || (i > 0 && c !== ',')) continue;
    re.lastIndex = i;
    const m = re.exec(header);
    if (!m || m.index !== i) continue;
    // A scheme word is followed by a space and a parameter (or nothing), never by "=".
    if (/^\s*=/.test(header.slice(m.index + m[0].length))) continue;
    if (start >= 0) out.push(header.slice(start, i).trim());
    start = c === ',' ? i + 1 : i;
  }
  if (start >= 0) out.push(header.slice(start).trim());
  return out.filter(Boolean);
}

/** The digest challenge to answer: the strongest algorithm the station speaks (SHA-256 before MD5); undefined when none. */
export function pickDigest(challenges: string[]): string | undefined {
  const digests = challenges.filter((c) => /^digest\s/i.test(c) && HASHES[baseAlgorithm(c)] !== undefined);
  return digests.find((c) => baseAlgorithm(c) === 'sha-256') ?? digests[0];
}

function baseAlgorithm(challenge: string): string {
  return (authParams(challenge.replace(/^Digest\s+/i, '')).algorithm ?? 'MD5').toLowerCase().replace(/-sess$/, '');
}

/**
 * RFC 7616 digest response (MD5 or SHA-256, their -sess forms, qop=auth when offered, RFC 2069 without). `count`: how many
 * requests this nonce has answered, this one included (a client that reuses a nonce, as RTSP does, counts up; one 401 per
 * request stays at 1).
 */
export function digestHeader(challenge: string, c: Credentials, method: string, uri: string, count = 1): string {
  const p = authParams(challenge.replace(/^Digest\s+/i, ''));
  const algorithm = p.algorithm ?? 'MD5';
  const h = hashOf(algorithm.toLowerCase().replace(/-sess$/, ''));
  const cnonce = randomBytes(8).toString('hex');
  let ha1 = h(`${c.username}:${p.realm ?? ''}:${c.password}`);
  if (/-sess$/i.test(algorithm)) ha1 = h(`${ha1}:${p.nonce ?? ''}:${cnonce}`);
  const ha2 = h(`${method}:${uri}`);
  const qop = (p.qop ?? '').split(',').map((s) => s.trim().toLowerCase()).includes('auth') ? 'auth' : '';
  const nc = count.toString(16).padStart(8, '0');
  const response = qop ? h(`${ha1}:${p.nonce}:${nc}:${cnonce}:${qop}:${ha2}`) : h(`${ha1}:${p.nonce}:${ha2}`);
  const q = (s: string) => s.replace(/(["\\])/g, '\\$1');
  return (
    `Digest username="${q(c.username)}", realm="${q(p.realm ?? '')}", nonce="${q(p.nonce ?? '')}", uri="${q(uri)}", response="${response}"` +
    (p.opaque ? `, opaque="${q(p.opaque)}"` : '') + (qop ? `, qop=${qop}, nc=${nc}, cnonce="${cnonce}"` : '') + `, algorithm=${algorithm}`
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
    const challenge = pickDigest(splitChallenges(res.headers.get('www-authenticate') ?? ''));
    await res.body?.cancel();
    if (challenge) {
      const u = new URL(url);
      res = await go(digestHeader(challenge, c, init.method ?? 'GET', u.pathname + u.search));
    }
  }
  return res;
}

