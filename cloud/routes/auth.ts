// Sign-up, log-in and log-out, and the account's sessions.
import type { PhotoUpload } from '../../electron/contract/cloud';
import { isInternationalTransfer } from '../../electron/contract/countries';
import { MINIMUM_AGE, REGIONS, ageAt, isoAt, type Region } from '../domain';
import { HttpError } from '../http/http-error';
import { EmailTakenError, findAccountByEmail, insertAccount } from '../repo/accounts';
import { createSession, listSessions, revokeOtherSessions, revokeSession } from '../repo/sessions';
import { clearFailures, recordLoginFailure } from '../repo/throttle';
import { accountOut, sessionOut } from '../replies';
import { burnPasswordCheck, hashPassword, hashToken, newSessionToken, verifyPassword } from '../secrets';
import { accountLogOut, listAccountLog } from '../repo/account-log';
import { verifyNewAddress } from './mail';
import { logAccount, now, serve, servePublic, type RouteDef, type ServiceDeps } from './route';
import { checkThrottle, clientKey, emailKey, recordFailure, signupKey } from './throttle';

function wrongRegion(d: ServiceDeps, asked: Region): HttpError {
  return new HttpError(
    421,
    'wrong_region',
    `this service keeps data in ${REGIONS[d.region]} (${d.region}); accounts of ${REGIONS[asked]} (${asked}) are served by that region's service`,
    { field: 'region', serviceRegion: d.region },
  );
}

export function checkAge(d: ServiceDeps, dateOfBirth: string): void {
  // A date still to come is a typing slip, not an age: said as such.
  if (dateOfBirth > isoAt(d.clock()).slice(0, 10))
    throw new HttpError(400, 'invalid_input', 'dateOfBirth: must not be in the future', { field: 'dateOfBirth' });
  if (ageAt(dateOfBirth, d.clock()) < MINIMUM_AGE)
    throw new HttpError(403, 'age_gate', `Watchpost accounts are for people aged ${MINIMUM_AGE} or over`, { field: 'dateOfBirth' });
}

/** The photo as stored: its bytes and content type. */
export function photoOf(p: PhotoUpload): { data: Buffer; type: string } {
  return { data: Buffer.from(p.data, 'base64'), type: p.contentType };
}

/** Runs an account write; a taken email is 409 on the named field. */
export async function refuseTakenEmail<T>(field: 'email' | 'newEmail', write: () => Promise<T>): Promise<T> {
  try {
    return await write();
  } catch (err) {
    if (err instanceof EmailTakenError) throw new HttpError(409, 'email_taken', err.message, { field });
    throw err;
  }
}

async function issueSession(d: ServiceDeps, accountId: string, client: string | undefined) {
  const token = newSessionToken();
  const session = await createSession(d.db, { accountId, tokenHash: hashToken(token), nowMs: d.clock(), ttlMs: d.sessionTtlMs, client });
  return { token, sessionId: session.id, expiresAt: isoAt(session.expires_at_ms) };
}

export const authRoutes: RouteDef[] = [
  servePublic('POST /v1/accounts', async (d, c) => {
    const input = await c.body();
    if (input.region !== d.region) throw wrongRegion(d, input.region);
    // Refused before anything is stored: a child's data never reaches the database.
    checkAge(d, input.dateOfBirth);
    // Kept outside the person's own country's region: the notice on international transfers must have been acknowledged.
    const transfer = isInternationalTransfer(input.country, input.region);
    if (transfer && !input.transferNoticeAcknowledged)
      throw new HttpError(400, 'invalid_input', `transferNoticeAcknowledged: data of ${input.country} kept in ${REGIONS[input.region]} is an international transfer; the notice must be acknowledged`, { field: 'transferNoticeAcknowledged' });
    // Every attempt counts (taken emails too), so the route can neither mint accounts nor probe emails in bulk.
    const throttleKey = signupKey(d, c.clientAddress);
    await checkThrottle(d, [throttleKey]);
    await recordLoginFailure(d.db, throttleKey, d.clock());
    const passwordHash = await hashPassword(input.password);
    const account = await refuseTakenEmail('email', () => insertAccount(d.db, {
      email: input.email,
      region: input.region,
      country: input.country,
      nickname: input.nickname,
      dateOfBirth: input.dateOfBirth,
      passwordHash,
      photo: input.photo ? photoOf(input.photo) : null,
      transferNoticeAt: transfer ? now(d) : null,
      now: now(d),
    }));
    await logAccount(d, c, account.id, 'sign_up', input.client ?? '');
    // The address is confirmed afterwards, with the code mailed to it (where the service sends mail).
    await verifyNewAddress(d, account);
    return { status: 201, body: { account: accountOut(account), ...(await issueSession(d, account.id, input.client)) } };
  }),
  servePublic('POST /v1/auth/login', async (d, c) => {
    const input = await c.body();
    if (input.region && input.region !== d.region) throw wrongRegion(d, input.region);
    const keys = [emailKey(d, input.email), clientKey(d, c.clientAddress)];
    await checkThrottle(d, keys);
    const account = await findAccountByEmail(d.db, input.email);
    const ok = account ? await verifyPassword(input.password, account.password_hash) : (await burnPasswordCheck(input.password), false);
    if (!account || !ok) {
      const left = await recordFailure(d, keys);
      throw new HttpError(401, 'invalid_credentials', 'email or password is wrong', { attemptsLeft: left });
    }
    await clearFailures(d.db, keys[0]!);
    await logAccount(d, c, account.id, 'sign_in', input.client ?? '');
    return { status: 200, body: { account: accountOut(account), ...(await issueSession(d, account.id, input.client)) } };
  }),
  serve('POST /v1/auth/logout', async (d, c) => {
    await revokeSession(d.db, c.auth.account.id, c.auth.session.id, now(d));
    return { status: 204 };
  }),
  serve('GET /v1/account/log', async (d, c) => ({ status: 200, body: { entries: (await listAccountLog(d.db, c.auth.account.id)).map(accountLogOut) } })),
  serve('GET /v1/sessions', async (d, c) => ({
    status: 200,
    body: { sessions: (await listSessions(d.db, c.auth.account.id)).map((s) => sessionOut(s, c.auth.session.id)) },
  })),
  serve('DELETE /v1/sessions/:id', async (d, c) => {
    if (!(await revokeSession(d.db, c.auth.account.id, c.params.id!, now(d)))) throw new HttpError(404, 'not_found', 'no such active session');
    return { status: 204 };
  }),
  serve('POST /v1/sessions/revoke-others', async (d, c) => ({
    status: 200,
    body: { revoked: await revokeOtherSessions(d.db, c.auth.account.id, c.auth.session.id, now(d)) },
  })),
];
