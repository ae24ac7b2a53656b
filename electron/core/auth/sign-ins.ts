// Sign-in sessions (in memory: a restarted station signs everyone in again) and the throttle on failed sign-ins.
import { createHash, randomBytes } from 'node:crypto';
import type { ClientSession } from '../client-session';

export interface SignIn {
  /** The secret the page keeps to resume after a reload; never listed. */
  readonly secret: string;
  /** What lists and revocation name it by. */
  readonly id: string;
  readonly userId: number;
  readonly transport: string;
  readonly address: string;
  readonly createdAt: number;
  lastSeenAt: number;
  locked: boolean;
  readonly clients: Set<ClientSession>;
}

export class SignIns {
  private readonly bySecret = new Map<string, SignIn>();

  constructor(private readonly clock: () => number) {}

  open(userId: number, transport: string, address: string): SignIn {
    const secret = randomBytes(32).toString('base64url');
    const s: SignIn = {
      secret, id: createHash('sha256').update(secret).digest('hex').slice(0, 16), userId, transport, address,
      createdAt: this.clock(), lastSeenAt: this.clock(), locked: false, clients: new Set(),
    };
    this.bySecret.set(secret, s);
    return s;
  }

  get(secret: string | null): SignIn | undefined {
    return secret === null ? undefined : this.bySecret.get(secret);
  }

  byId(id: string): SignIn | undefined {
    return [...this.bySecret.values()].find((s) => s.id === id);
  }

  all(): SignIn[] {
    return [...this.bySecret.values()];
  }

  /** Ends a sign-in: every connection carrying it loses its streams and must sign in again. */
  end(s: SignIn): void {
    this.bySecret.delete(s.secret);
    for (const c of s.clients) {
      if (c.signInId === s.secret) c.signInId = null;
      c.release();
    }
    s.clients.clear();
  }
}

/** Failed sign-ins per user name and per address; past the limit within the window, that key waits `lockMs`. */
export class SignInThrottle {
  private readonly failures = new Map<string, number[]>();

  constructor(
    private readonly clock: () => number,
    readonly limits = { perUser: 5, perAddress: 20, windowMs: 15 * 60_000, lockMs: 5 * 60_000 },
  ) {}

  private recent(key: string): number[] {
    const since = this.clock() - this.limits.windowMs;
    const list = (this.failures.get(key) ?? []).filter((t) => t > since);
    if (list.length) this.failures.set(key, list);
    else this.failures.delete(key);
    return list;
  }

  /** Milliseconds the sign-in must wait (0: it may try now). */
  waitMs(user: string, address: string): number {
    let wait = 0;
    for (const [key, limit] of [[`u:${user.toLowerCase()}`, this.limits.perUser], [`a:${address}`, this.limits.perAddress]] as const) {
      const list = this.recent(key);
      if (list.length >= limit) wait = Math.max(wait, list.at(-1)! + this.limits.lockMs - this.clock());
    }
    return Math.max(0, wait);
  }

  failed(user: string, address: string): void {
    for (const key of [`u:${user.toLowerCase()}`, `a:${address}`]) this.failures.set(key, [...this.recent(key), this.clock()]);
  }

  succeeded(user: string): void {
    this.failures.delete(`u:${user.toLowerCase()}`);
  }
}
