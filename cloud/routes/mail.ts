// Email verification, "forgot password" by email, and the password typed again before an export or a grant that sends data.
import { createHmac, randomInt, timingSafeEqual } from 'node:crypto';
import { CONFIRMATION_HEADER, CONFIRMATION_TTL_MS, RESET_CODE_TTL_MS, VERIFY_CODE_TTL_MS } from '../../electron/contract/cloud';
import { isoAt } from '../domain';
import { HttpError } from '../http/http-error';
import { findAccountByEmail, findAccountById, setPasswordHash } from '../repo/accounts';
import { findCode, setEmailVerified, storeCode, useCode, type CodePurpose } from '../repo/mail';
import type { AccountRow } from '../repo/rows';
import { revokeAllSessions } from '../repo/sessions';
import { clearFailures, recordLoginFailure } from '../repo/throttle';
import { accountOut } from '../replies';
import { hashPassword, keyedHash } from '../secrets';
import { logAccount, logSignedIn, now, serve, servePublic, type AuthContext, type RouteDef, type ServiceDeps } from './route';
import { checkThrottle, clientKey, confirmPassword, emailKey, recordFailure } from './throttle';

/** Eight digits, from the CSPRNG. */
const newCode = () => String(randomInt(0, 100_000_000)).padStart(8, '0');
const codeHash = (d: ServiceDeps, accountId: string, purpose: CodePurpose, code: string) => keyedHash(d.subjectKey, `mail-code-${purpose}`, `${accountId}\0${code}`);
/** Requests for mail from one client address share a throttle key of their own (never the address itself). */
const mailKey = (d: ServiceDeps, address: string) => `mail:${keyedHash(d.subjectKey, 'mail-client', address)}`;

function mailer(d: ServiceDeps) {
  if (!d.mail) throw new HttpError(503, 'mail_unavailable', 'this service sends no mail (no SMTP relay is configured)');
  return d.mail;
}

const spaced = (code: string) => `${code.slice(0, 4)} ${code.slice(4)}`;

/** A new verification code for the account's address, mailed (or queued for the relay). */
export async function sendVerification(d: ServiceDeps, a: AccountRow): Promise<'sent' | 'queued'> {
  const code = newCode();
  await storeCode(d.db, { accountId: a.id, purpose: 'verify', codeHash: codeHash(d, a.id, 'verify', code), nowMs: d.clock(), ttlMs: VERIFY_CODE_TTL_MS });
  return mailer(d).send({
    accountId: a.id, kind: 'verify_email', recipient: a.email, subject: 'Watchpost: confirm your email address',
    body: `Hello ${a.nickname},\n\nenter this code on your Watchpost station's Privacy page to confirm your email address:\n\n    ${spaced(code)}\n\n` +
      `It works for ${VERIFY_CODE_TTL_MS / 3600_000} hours. If you did not create a Watchpost account, ignore this mail.\n`,
  });
}

/** Sends the first verification mail of a new account or a changed address, where the service sends mail at all. */
export async function verifyNewAddress(d: ServiceDeps, a: AccountRow): Promise<void> {
  if (!d.mail) return;
  await setEmailVerified(d.db, a.id, null);
  await sendVerification(d, a);
}

/** Checks a mailed code: wrong, expired and used are told apart (a wrong one counts as a failed attempt). */
async function takeCode(d: ServiceDeps, a: AccountRow | undefined, purpose: CodePurpose, code: string, keys: string[]): Promise<void> {
  const row = a ? await findCode(d.db, a.id, purpose, codeHash(d, a.id, purpose, code)) : undefined;
  if (!row) {
    const left = await recordFailure(d, keys);
    throw new HttpError(400, 'code_wrong', 'the code is not the one mailed', { field: 'code', attemptsLeft: left });
  }
  if (row.used_at !== null) throw new HttpError(400, 'code_used', 'the code was used already; ask for a new one', { field: 'code' });
  if (row.expires_at_ms <= d.clock()) throw new HttpError(400, 'code_expired', 'the code has expired; ask for a new one', { field: 'code' });
  if (!(await useCode(d.db, row.id, d.clock()))) throw new HttpError(400, 'code_used', 'the code was used already; ask for a new one', { field: 'code' });
}

function confirmationMac(d: ServiceDeps, sessionId: string, expiresMs: number): string {
  return createHmac('sha256', Buffer.from(d.subjectKey, 'base64')).update(`confirm\0${sessionId}\0${expiresMs}`).digest('base64url');
}

/** The request carries a confirmation of this session's password that has not expired; else 403 confirmation_required. */
export function requireConfirmation(d: ServiceDeps, c: { req: { headers: Record<string, string | string[] | undefined> }; auth: AuthContext }): void {
  const header = c.req.headers[CONFIRMATION_HEADER];
  const m = typeof header === 'string' ? /^wpc_(\d{13})\.([A-Za-z0-9_-]{43})$/.exec(header) : null;
  const expires = m ? Number(m[1]) : 0;
  const ok = m !== null && expires > d.clock() && expires <= d.clock() + CONFIRMATION_TTL_MS
    && timingSafeEqual(Buffer.from(m[2]!), Buffer.from(confirmationMac(d, c.auth.session.id, expires)));
  if (!ok) throw new HttpError(403, 'confirmation_required', 'type the password again first (POST /v1/auth/confirm)', { field: 'password' });
}

export const mailRoutes: RouteDef[] = [
  serve('POST /v1/account/email/verify', async (d, c) => {
    const { code } = await c.body();
    const keys = [emailKey(d, c.auth.account.email), clientKey(d, c.clientAddress)];
    await checkThrottle(d, keys);
    await takeCode(d, c.auth.account, 'verify', code, keys);
    await setEmailVerified(d.db, c.auth.account.id, now(d));
    await logSignedIn(d, c, 'email_verified');
    return { status: 200, body: { account: accountOut((await findAccountById(d.db, c.auth.account.id))!) } };
  }),
  serve('POST /v1/account/email/resend', async (d, c) => {
    mailer(d);
    if (c.auth.account.email_verified_at !== null) throw new HttpError(409, 'already_verified', 'this email address is confirmed already');
    const key = mailKey(d, c.clientAddress);
    await checkThrottle(d, [key]);
    await recordLoginFailure(d.db, key, d.clock());
    return { status: 202, body: { delivery: await sendVerification(d, c.auth.account) } };
  }),
  servePublic('POST /v1/auth/forgot', async (d, c) => {
    const input = await c.body();
    const send = mailer(d);
    if (input.region && input.region !== d.region)
      throw new HttpError(421, 'wrong_region', `this service keeps data in ${d.region}; ask the service of ${input.region}`, { field: 'region', serviceRegion: d.region });
    // Every request counts, whether the address has an account or not: the route can neither mail-bomb nor probe in bulk.
    const key = mailKey(d, c.clientAddress);
    await checkThrottle(d, [key]);
    await recordLoginFailure(d.db, key, d.clock());
    const a = await findAccountByEmail(d.db, input.email);
    // The same answer for an address without an account, so the route does not tell who has one.
    if (!a) return { status: 202, body: { delivery: 'queued' } };
    const code = newCode();
    await storeCode(d.db, { accountId: a.id, purpose: 'reset', codeHash: codeHash(d, a.id, 'reset', code), nowMs: d.clock(), ttlMs: RESET_CODE_TTL_MS });
    const delivery = await send.send({
      accountId: a.id, kind: 'password_reset', recipient: a.email, subject: 'Watchpost: your password reset code',
      body: `Hello ${a.nickname},\n\nsomeone (we hope you) asked to reset the password of your Watchpost account. Enter this code with a new password:\n\n` +
        `    ${spaced(code)}\n\nIt works once, for ${RESET_CODE_TTL_MS / 60_000} minutes. Every place signed in to the account is signed out.\n` +
        'If you did not ask for it, ignore this mail: your password stays as it is.\n',
    });
    return { status: 202, body: { delivery } };
  }),
  servePublic('POST /v1/auth/reset', async (d, c) => {
    const input = await c.body();
    const keys = [emailKey(d, input.email), clientKey(d, c.clientAddress)];
    await checkThrottle(d, keys);
    const a = await findAccountByEmail(d.db, input.email);
    await takeCode(d, a, 'reset', input.code, keys);
    const account = a!;
    await setPasswordHash(d.db, account.id, await hashPassword(input.newPassword), now(d));
    // Whoever knew the old password is out; the mailbox answered, so the address is confirmed too.
    const revoked = await revokeAllSessions(d.db, account.id, now(d));
    if (account.email_verified_at === null) await setEmailVerified(d.db, account.id, now(d));
    await clearFailures(d.db, keys[0]!);
    await logAccount(d, c, account.id, 'password_reset', '');
    return { status: 200, body: { changed: true, revokedSessions: revoked } };
  }),
  serve('POST /v1/auth/confirm', async (d, c) => {
    const { password } = await c.body();
    await confirmPassword(d, c, password);
    const expires = d.clock() + CONFIRMATION_TTL_MS;
    return { status: 200, body: { confirmation: `wpc_${expires}.${confirmationMac(d, c.auth.session.id, expires)}`, expiresAt: isoAt(expires) } };
  }),
];
