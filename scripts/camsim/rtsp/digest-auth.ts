// HTTP Digest authentication for RTSP (RFC 2617 / RFC 7616 with MD5), as IP cameras do it. Nonces
// are stateless (time + HMAC), so a client may reuse one across requests and connections.
import { createHash, createHmac, randomBytes, timingSafeEqual } from 'node:crypto';

const NONCE_TTL_MS = 10 * 60_000;

export type DigestResult =
  | { kind: 'ok'; username: string }
  | { kind: 'missing' }
  | { kind: 'stale' }
  | { kind: 'bad'; username: string | undefined };

const md5 = (s: string): string => createHash('md5').update(s).digest('hex');

export function parseAuthParams(header: string): Map<string, string> {
  const params = new Map<string, string>();
  const re = /([a-zA-Z0-9_-]+)\s*=\s*(?:"((?:[^"\\]|\\.)*)"|([^,\s]*))/g;
  for (let m = re.exec(header); m; m = re.exec(header)) params.set(m[1]!.toLowerCase(), m[2] ?? m[3] ?? '');
  return params;
}

export class DigestAuth {
  private readonly secret = randomBytes(16);

  constructor(
    readonly realm: string,
    private readonly now: () => number = Date.now,
  ) {}

  /** WWW-Authenticate value: realm + nonce (Dahua-style, no qop offered; qop=auth answers are accepted). */
  challenge(stale = false): string {
    return `Digest realm="${this.realm}", nonce="${this.nonce()}", algorithm="MD5"${stale ? ', stale="TRUE"' : ''}`;
  }

  verify(method: string, authorization: string | undefined, passwordOf: (user: string) => string | undefined): DigestResult {
    if (!authorization || !/^digest\s/i.test(authorization)) return { kind: 'missing' };
    const p = parseAuthParams(authorization.slice(7));
    const username = p.get('username');
    const nonce = p.get('nonce');
    const uri = p.get('uri');
    const response = p.get('response');
    if (username === undefined || nonce === undefined || uri === undefined || response === undefined) {
      return { kind: 'bad', username };
    }
    const password = passwordOf(username);
    if (password === undefined) return { kind: 'bad', username };
    const ha1 = md5(`${username}:${this.realm}:${password}`);
    const ha2 = md5(`${method}:${uri}`);
    const qop = p.get('qop');
    const expected =
      qop === 'auth'
        ? md5(`${ha1}:${nonce}:${p.get('nc') ?? ''}:${p.get('cnonce') ?? ''}:${qop}:${ha2}`)
        : md5(`${ha1}:${nonce}:${ha2}`);
    const a = Buffer.from(expected);
    const b = Buffer.from(response.toLowerCase());
    if (a.length !== b.length || !timingSafeEqual(a, b)) return { kind: 'bad', username };
    const nonceState = this.checkNonce(nonce);
    if (nonceState === 'forged') return { kind: 'bad', username };
    // Right password on an expired nonce: ask again with stale=TRUE (RFC 7616 §3.3), not a failed login.
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
    if (nonce.length !== 32 || nonce.slice(12) !== this.mac(t)) return 'forged';
    return this.now() - parseInt(t, 16) > NONCE_TTL_MS ? 'expired' : 'ok';
  }
}
