import { createHash, createHmac, randomBytes, timingSafeEqual } from 'node:crypto';

// HTTP Digest (RFC 7616 with MD5, qop=auth; RFC 2069 form without qop also accepted), the scheme
// ONVIF Core §5.9.1 and Dahua's HTTP API both require.

const md5 = (s: string) => createHash('md5').update(s).digest('hex');

export interface DigestVerifier {
  /** Value for a WWW-Authenticate header. */
  challenge(stale?: boolean): string;
  /**
   * Checks an Authorization header. `unknown-user` and `bad-response` are failed logins;
   * `stale` means a nonce we no longer accept (the client should retry, not a failure).
   */
  verify(
    header: string | undefined,
    method: string,
    passwordOf: (user: string) => string | undefined,
  ): { ok: true; user: string } | { ok: false; reason: 'missing' | 'malformed' | 'stale' | 'unknown-user' | 'bad-response' };
}

export function parseAuthParams(header: string): Record<string, string> {
  const out: Record<string, string> = {};
  const re = /([a-zA-Z0-9_-]+)\s*=\s*(?:"((?:[^"\\]|\\.)*)"|([^,\s]+))/g;
  for (let m = re.exec(header); m; m = re.exec(header)) {
    const key = m[1];
    if (key) out[key.toLowerCase()] = m[2] !== undefined ? m[2].replace(/\\(.)/g, '$1') : (m[3] ?? '');
  }
  return out;
}

/** Stateless nonces: time + HMAC, so a restart of the fleet invalidates them and nothing is stored. */
export function createDigestVerifier(realm: string, nonceTtlMs = 5 * 60_000): DigestVerifier {
  const secret = randomBytes(16);
  const sign = (t: string) => createHmac('sha256', secret).update(t).digest('hex').slice(0, 24);
  const makeNonce = () => {
    const t = Date.now().toString(16);
    return `${t}${sign(t)}`;
  };
  const nonceState = (nonce: string): 'ok' | 'stale' | 'bad' => {
    if (nonce.length <= 24) return 'bad';
    const t = nonce.slice(0, -24);
    const sig = Buffer.from(nonce.slice(-24));
    const want = Buffer.from(sign(t));
    if (sig.length !== want.length || !timingSafeEqual(sig, want)) return 'bad';
    return Date.now() - parseInt(t, 16) > nonceTtlMs ? 'stale' : 'ok';
  };
  return {
    challenge(stale = false) {
      return `Digest realm="${realm}", qop="auth", nonce="${makeNonce()}", algorithm=MD5${stale ? ', stale=TRUE' : ''}`;
    },
    verify(header, method, passwordOf) {
      if (!header) return { ok: false, reason: 'missing' };
      if (!/^Digest\s/i.test(header)) return { ok: false, reason: 'malformed' };
      const p = parseAuthParams(header.replace(/^Digest\s+/i, ''));
      const { username, nonce, uri, response } = p;
      if (!username || !nonce || !uri || !response || (p.realm !== undefined && p.realm !== realm)) {
        return { ok: false, reason: 'malformed' };
      }
      if (p.algorithm && p.algorithm.toUpperCase() !== 'MD5') return { ok: false, reason: 'malformed' };
      const state = nonceState(nonce);
      if (state === 'bad') return { ok: false, reason: 'malformed' };
      if (state === 'stale') return { ok: false, reason: 'stale' };
      const password = passwordOf(username);
      if (password === undefined) return { ok: false, reason: 'unknown-user' };
      const ha1 = md5(`${username}:${realm}:${password}`);
      const ha2 = md5(`${method}:${uri}`);
      const expected = p.qop
        ? md5(`${ha1}:${nonce}:${p.nc ?? ''}:${p.cnonce ?? ''}:${p.qop}:${ha2}`)
        : md5(`${ha1}:${nonce}:${ha2}`);
      const a = Buffer.from(expected);
      const b = Buffer.from(response.toLowerCase());
      if (a.length !== b.length || !timingSafeEqual(a, b)) return { ok: false, reason: 'bad-response' };
      return { ok: true, user: username };
    },
  };
}

/** Client side, for tests and tools: builds an Authorization header answering a challenge. */
export function digestAuthorization(
  challenge: string,
  opts: { username: string; password: string; method: string; uri: string },
): string {
  const c = parseAuthParams(challenge.replace(/^Digest\s+/i, ''));
  const realm = c.realm ?? '';
  const nonce = c.nonce ?? '';
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
