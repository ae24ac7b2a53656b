// The throttle on logins, password checks and sign-ups: failures counted under keyed hashes, never the email or address.
import { HttpError } from '../http/http-error';
import { recentFailures, recordLoginFailure } from '../repo/throttle';
import { keyedHash, verifyPassword } from '../secrets';
import type { AuthContext, ServiceDeps } from './route';

export const emailKey = (d: ServiceDeps, email: string) => `email:${keyedHash(d.subjectKey, 'login-email', email)}`;
export const clientKey = (d: ServiceDeps, address: string) => `client:${keyedHash(d.subjectKey, 'login-client', address)}`;
// Sign-up attempts share the failures table under their own key prefix: a keyed hash of the address, never the address.
export const signupKey = (d: ServiceDeps, address: string) => `signup:${keyedHash(d.subjectKey, 'signup-client', address)}`;

/** Refuses before any password work when an account key or a client has failed too often. */
export async function checkThrottle(d: ServiceDeps, keys: string[]): Promise<void> {
  const nowMs = d.clock();
  const since = nowMs - d.throttle.windowMs;
  for (const key of keys) {
    const signup = key.startsWith('signup:');
    const limit = key.startsWith('email:') ? d.throttle.accountFailures : signup ? d.throttle.signupsPerClient : d.throttle.clientFailures;
    const f = await recentFailures(d.db, key, since);
    if (f.count >= limit) {
      const retryAfter = Math.max(1, Math.ceil(((f.oldest ?? nowMs) + d.throttle.windowMs - nowMs) / 1000));
      throw new HttpError(
        429,
        signup ? 'signup_throttled' : 'login_throttled',
        signup ? `too many sign-ups from this address; try again in ${retryAfter} s` : `too many failed attempts; try again in ${retryAfter} s`,
        { retryAfterSeconds: retryAfter },
        { 'retry-after': String(retryAfter) },
      );
    }
  }
}

/** Records a failure under every key; returns the attempts the first (account) key has left. */
export async function recordFailure(d: ServiceDeps, keys: string[]): Promise<number> {
  const nowMs = d.clock();
  await d.db.tx(async (tx) => {
    for (const key of keys) await recordLoginFailure(tx, key, nowMs);
  });
  const f = await recentFailures(d.db, keys[0]!, nowMs - d.throttle.windowMs);
  return Math.max(0, d.throttle.accountFailures - f.count);
}

/** Re-checks the password of a signed-in account under the same throttle as login. */
export async function confirmPassword(d: ServiceDeps, c: { auth: AuthContext; clientAddress: string }, password: string): Promise<void> {
  const keys = [emailKey(d, c.auth.account.email), clientKey(d, c.clientAddress)];
  await checkThrottle(d, keys);
  if (!(await verifyPassword(password, c.auth.account.password_hash))) {
    const left = await recordFailure(d, keys);
    throw new HttpError(403, 'wrong_password', 'the password is wrong', { field: 'password', attemptsLeft: left });
  }
}
