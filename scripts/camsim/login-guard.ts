import type { LoginGuard } from './types';

export interface LoginGuardOptions {
  /** Failures in a row before a client IP is locked (real devices use 5). */
  maxFailures?: number;
  /** How long a lock lasts. */
  lockMs?: number;
  now?: () => number;
}

export interface ConfigurableLoginGuard extends LoginGuard {
  /** Fault: lock an IP now, as if it had failed too often. */
  lock(ip: string, ms?: number): void;
  setLockMs(ms: number): void;
  reset(): void;
}

/** Counts failed logins per client IP; shared by HTTP (ONVIF, CGI) and RTSP of one device. */
export function createLoginGuard(options: LoginGuardOptions = {}): ConfigurableLoginGuard {
  const maxFailures = options.maxFailures ?? 5;
  let lockMs = options.lockMs ?? 30_000;
  const now = options.now ?? Date.now;
  const failures = new Map<string, number>();
  const lockedUntil = new Map<string, number>();

  return {
    isLocked(ip) {
      const until = lockedUntil.get(ip);
      if (until === undefined) return { locked: false, retryAfterMs: 0 };
      const left = until - now();
      if (left <= 0) {
        lockedUntil.delete(ip);
        failures.delete(ip);
        return { locked: false, retryAfterMs: 0 };
      }
      return { locked: true, retryAfterMs: left };
    },
    recordFailure(ip) {
      const n = (failures.get(ip) ?? 0) + 1;
      failures.set(ip, n);
      if (n >= maxFailures) lockedUntil.set(ip, now() + lockMs);
    },
    recordSuccess(ip) {
      failures.delete(ip);
    },
    lock(ip, ms) {
      lockedUntil.set(ip, now() + (ms ?? lockMs));
    },
    setLockMs(ms) {
      lockMs = ms;
    },
    reset() {
      failures.clear();
      lockedUntil.clear();
    },
  };
}
