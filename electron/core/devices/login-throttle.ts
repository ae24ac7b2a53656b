import { StationError } from '../../contract';
import { DeviceAuthError } from '../net/http-auth';
import { SoapFault } from '../net/soap';

/** Why the device at `target` (address:port) could not be reached, as a sentence naming both. */
export function unreachable(target: string, err: unknown): string {
  const e = err as Error & { code?: string; cause?: { code?: string; message?: string } };
  const code = e.cause?.code ?? e.code;
  const port = target.slice(target.lastIndexOf(':') + 1);
  if (code === 'ECONNREFUSED') return `Nothing answers at ${target}: the connection was refused. Check the IP address and the HTTP port.`;
  if (e.name === 'TimeoutError' || code === 'ETIMEDOUT' || code === 'UND_ERR_CONNECT_TIMEOUT') return `${target} did not answer in time. Check the IP address and that the device is switched on.`;
  if (code === 'EHOSTUNREACH' || code === 'ENETUNREACH') return `${target} cannot be reached from this station (no route to host).`;
  // fetch refuses ports kept for other services (the WHATWG "bad port" list).
  if (e.cause?.message === 'bad port') return `HTTP port: the station does not connect to port ${port}, which is reserved for another service; a device's HTTP port is usually 80.`;
  return `${target} did not answer: ${(e.cause?.message ?? e.message).replace(/\.$/, '')}.`;
}

/**
 * Per-device login throttling: one login at a time per device, and after a refused password the
 * station waits (2 s, 8 s, 32 s…) and stops at 3 failures, so it never reaches a device's lock-out (5).
 */
export class LoginThrottle {
  private readonly state = new Map<string, { failures: number; notBefore: number; lockedUntil?: number; busy?: Promise<unknown> }>();
  constructor(private readonly clock: () => number, private readonly maxFailures = 3) {}

  lockedUntil(target: string): number | undefined {
    const s = this.state.get(target);
    return s?.lockedUntil && s.lockedUntil > this.clock() ? s.lockedUntil : undefined;
  }

  async attempt<T>(target: string, login: () => Promise<T>): Promise<T> {
    const s = this.state.get(target) ?? { failures: 0, notBefore: 0 };
    this.state.set(target, s);
    const now = this.clock();
    if (s.lockedUntil && s.lockedUntil > now) {
      throw new StationError('unavailable', `the device has locked this station out; ${Math.ceil((s.lockedUntil - now) / 1000)} s left`);
    }
    if (s.failures >= this.maxFailures && s.notBefore > now) {
      throw new StationError('unavailable', `wrong password ${s.failures} times; next try in ${Math.ceil((s.notBefore - now) / 1000)} s, so the device does not lock out`);
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
        throw new StationError('unavailable', `the device has locked this station out; ${Math.ceil((s.lockedUntil - this.clock()) / 1000)} s left`);
      }
      if (err instanceof DeviceAuthError) {
        s.failures++;
        s.notBefore = this.clock() + 2000 * 4 ** (s.failures - 1);
        throw new StationError('bad_input', 'the device refused the username or password');
      }
      // The device answered (a SOAP fault): the login worked, the request was refused.
      if (err instanceof SoapFault) { s.failures = 0; throw new StationError('conflict', `${err.subcodes.at(-1) ?? 'fault'}: ${err.message}`); }
      if (err instanceof StationError) throw err;
      throw new StationError('unavailable', unreachable(target, err));
    } finally {
      s.busy = undefined;
    }
  }
}
