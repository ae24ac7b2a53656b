import { fail, StationError } from '../../contract';
import { DeviceAuthError } from '../net/http-auth';
import { SoapFault } from '../net/soap';

/** Why the device at `target` (address:port) could not be reached, as a refusal naming both. */
export function unreachable(target: string, err: unknown): StationError {
  const e = err as Error & { code?: string; cause?: { code?: string; message?: string } };
  const code = e.cause?.code ?? e.code;
  const at = { address: target.slice(0, target.lastIndexOf(':')), port: Number(target.slice(target.lastIndexOf(':') + 1)) };
  if (code === 'ECONNREFUSED') return fail('device.connectionRefused', at);
  if (e.name === 'TimeoutError' || code === 'ETIMEDOUT' || code === 'UND_ERR_CONNECT_TIMEOUT') return fail('device.timeout', at);
  if (code === 'EHOSTUNREACH' || code === 'ENETUNREACH') return fail('device.noRoute', at);
  // fetch refuses ports kept for other services (the WHATWG "bad port" list).
  if (e.cause?.message === 'bad port') return fail('device.reservedPort', { field: 'httpPort', port: at.port });
  return fail('device.unreachable', at, (e.cause?.message ?? e.message).replace(/\.$/, ''));
}

/**
 * Per-device login throttling: one login at a time per device, and after a refused password the
 * station waits (2 s, 8 s, 32 s…) and stops at 3 failures, so it never reaches a device's lock-out (5).
 */
export class LoginThrottle {
  private readonly state = new Map<string, { failures: number; notBefore: number; lockedUntil?: number; busy?: Promise<unknown> }>();
  constructor(private readonly clock: () => number, private readonly maxFailures = 3) {}

  /** Forgets a device's failures and pauses (its password was just reset: the new one is tried at once). */
  forget(target: string): void {
    this.state.delete(target);
  }

  lockedUntil(target: string): number | undefined {
    const s = this.state.get(target);
    return s?.lockedUntil && s.lockedUntil > this.clock() ? s.lockedUntil : undefined;
  }

  async attempt<T>(target: string, login: () => Promise<T>): Promise<T> {
    const s = this.state.get(target) ?? { failures: 0, notBefore: 0 };
    this.state.set(target, s);
    const now = this.clock();
    if (s.lockedUntil && s.lockedUntil > now) {
      throw fail('device.lockedOut', { seconds: Math.ceil((s.lockedUntil - now) / 1000) });
    }
    if (s.failures >= this.maxFailures && s.notBefore > now) {
      throw fail('device.loginPaused', { failures: s.failures, seconds: Math.ceil((s.notBefore - now) / 1000) });
    }
    while (s.busy) await s.busy.catch(() => undefined);
    const p = login();
    s.busy = p;
    try {
      const r = await p;
      s.failures = 0;
      s.notBefore = 0;
      s.lockedUntil = undefined;
      return r;
    } catch (err) {
      if (err instanceof DeviceAuthError && err.kind === 'locked') {
        s.lockedUntil = this.clock() + (err.retryAfterMs ?? 60_000);
        throw fail('device.lockedOut', { seconds: Math.ceil((s.lockedUntil - this.clock()) / 1000) });
      }
      if (err instanceof DeviceAuthError) {
        s.failures++;
        s.notBefore = this.clock() + 2000 * 4 ** (s.failures - 1);
        throw fail('device.wrongPassword');
      }
      // The device answered (a SOAP fault): the login worked, the request was refused.
      if (err instanceof SoapFault) { s.failures = 0; throw fail('device.refused', { detail: `${err.subcodes.at(-1) ?? 'fault'}: ${err.message}` }); }
      if (err instanceof StationError) throw err;
      throw unreachable(target, err);
    } finally {
      s.busy = undefined;
    }
  }
}
