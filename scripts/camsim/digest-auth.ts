// HTTP Digest (RFC 7616 with MD5, and SHA-256 where a flavour offers it; qop=auth answers and the RFC 2069 form without
// qop both accepted), the scheme that ONVIF Core §5.9.1, Dahua's HTTP API and RTSP cameras use. One verifier for every
// face of a device, and the client side for tests and tools.
import { createHash, createHmac, randomBytes, timingSafeEqual } from 'node:crypto';

export type DigestResult =
  | { kind: 'ok'; username: string }
  /** No digest answer at all: challenge, not a failed login. */
  | { kind: 'missing' }
  /** The right password on a nonce we no longer accept: challenge with stale=TRUE (RFC 7616 §3.3), not a failed login. */
  | { kind: 'stale' }
  /** A failed login: unknown user, wrong response, incomplete answer, another realm or algorithm, a forged nonce. */
  | { kind: 'bad'; username: string | undefined };

export interface DigestAuthOptions {
  /** The challenge offers qop="auth" in RFC 7616 form (HTTP); without it, the Dahua RTSP form (quoted algorithm, no qop). */
  offerQop?: boolean;
  /** How long a nonce is accepted (default 10 min). */
  nonceTtlMs?: number;
  now?: () => number;
  /** Algorithms offered, strongest first, one challenge each in one header value (Axis: SHA-256, then MD5). */
  algorithms?: ('SHA-256' | 'MD5')[];
  /** The challenge without qop as a vendor's RTSP server words it (rtsp/dialect.ts); camsim's Dahua-like form by default. */
  format?: (realm: string, nonce: string, stale: boolean) => string;
}

const md5 = (s: string): string => createHash('md5').update(s).digest('hex');
const sha256 = (s: string): string => createHash('sha256').update(s).digest('hex');

/** The name=value pairs of a challenge or an Authorization header (without its scheme), names lower-cased. */
export function parseAuthParams(header: string): Map<string, string> {
  const params = new Map<string, string>();
  const re = /([a-zA-Z0-9_-]+)\s*=\s*(?:"((?:[^"\\]|\\.)*)"|([^,\s]*))/g;
  for (let m = re.exec(header); m; m = re.exec(header)) params.set(m[1]!.toLowerCase(), m[2] !== undefined ? m[2].replace(/\\(.)/g, '$1') : (m[3] ?? ''));
  return params;
}

/** Stateless nonces (time + HMAC): a client may reuse one across requests and connections, and a restart forgets them all. */
export class DigestAuth {
  private readonly secret = randomBytes(16);
  private readonly offerQop: boolean;
  private readonly nonceTtlMs: number;
  private readonly now: () => number;
  private readonly algorithms: ('SHA-256' | 'MD5')[];
  private readonly format?: (realm: string, nonce: string, stale: boolean) => string;

  constructor(
    readonly realm: string,
    options: DigestAuthOptions = {},
  ) {
    this.offerQop = options.offerQop ?? false;
    this.nonceTtlMs = options.nonceTtlMs ?? 10 * 60_000;
    this.now = options.now ?? Date.now;
    this.algorithms = options.algorithms ?? ['MD5'];
    this.format = options.format;
  }

  /** The WWW-Authenticate value. */
  challenge(stale = false): string {
    if (this.offerQop) {
      const nonce = this.nonce();
      return this.algorithms.map((a) => `Digest realm="${this.realm}", qop="auth", nonce="${nonce}", algorithm=${a}${stale ? ', stale=TRUE' : ''}`).join(', ');
    }
    if (this.format) return this.format(this.realm, this.nonce(), stale);
    return `Digest realm="${this.realm}", nonce="${this.nonce()}", algorithm="MD5"${stale ? ', stale="TRUE"' : ''}`;
  }

  verify(method: string, authorization: string | undefined, passwordOf: (user: string) => string | undefined): DigestResult {
    if (!authorization || !/^digest\s/i.test(authorization)) return { kind: 'missing' };
    const p = parseAuthParams(authorization.replace(/^digest\s+/i, ''));
    const username = p.get('username');
    const nonce = p.get('nonce');
    const uri = p.get('uri');
    const response = p.get('response');
    if (username === undefined || nonce === undefined || uri === undefined || response === undefined) return { kind: 'bad', username };
    const realm = p.get('realm');
    const algorithm = p.get('algorithm');
    const offered = this.algorithms.find((a) => a === (algorithm ?? 'MD5').toUpperCase());
    if ((realm !== undefined && realm !== this.realm) || !offered) return { kind: 'bad', username };
    const h = offered === 'SHA-256' ? sha256 : md5;
    const password = passwordOf(username);
    if (password === undefined) return { kind: 'bad', username };
    const ha1 = h(`${username}:${this.realm}:${password}`);
    const ha2 = h(`${method}:${uri}`);
    const qop = p.get('qop');
    const expected = qop ? h(`${ha1}:${nonce}:${p.get('nc') ?? ''}:${p.get('cnonce') ?? ''}:${qop}:${ha2}`) : h(`${ha1}:${nonce}:${ha2}`);
    const a = Buffer.from(expected);
    const b = Buffer.from(response.toLowerCase());
    if (a.length !== b.length || !timingSafeEqual(a, b)) return { kind: 'bad', username };
    const nonceState = this.checkNonce(nonce);
    if (nonceState === 'forged') return { kind: 'bad', username };
    if (nonceState === 'expired') return { kind: 'stale' };
    return { kind: 'ok', username };
  }

  private nonce(): string {
    const t = this.now().toString(16).padStart(12, '0');
    return t + this.mac(t);
  }

  private mac(t: string): string {
    return createHmac('sha256', this.secret).update(t).digest('hex').slice(0, 20);
  }

  private checkNonce(nonce: string): 'ok' | 'expired' | 'forged' {
    const t = nonce.slice(0, 12);
    const mac = Buffer.from(nonce.slice(12));
    const want = Buffer.from(this.mac(t));
    if (nonce.length !== 32 || mac.length !== want.length || !timingSafeEqual(mac, want)) return 'forged';
    return this.now() - parseInt(t, 16) > this.nonceTtlMs ? 'expired' : 'ok';
  }
}

/** Client side, for tests and tools: an Authorization header answering a challenge (qop=auth). */
export function digestAuthorization(challenge: string, opts: { username: string; password: string; method: string; uri: string }): string {
  const c = parseAuthParams(challenge.replace(/^Digest\s+/i, ''));
  const realm = c.get('realm') ?? '';
  const nonce = c.get('nonce') ?? '';
  const cnonce = randomBytes(8).toString('hex');
  const nc = '00000001';
  const ha1 = md5(`${opts.username}:${realm}:${opts.password}`);
  const ha2 = md5(`${opts.method}:${opts.uri}`);
  const response = md5(`${ha1}:${nonce}:${nc}:${cnonce}:auth:${ha2}`);
  return (
    `Digest username="${opts.username}", realm="${realm}", nonce="${nonce}", uri="${opts.uri}", ` +
    `algorithm=MD5, qop=auth, nc=${nc}, cnonce="${cnonce}", response="${response}"`
  );
}
