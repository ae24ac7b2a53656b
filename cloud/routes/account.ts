// The signed-in account: profile, photo, email and password changes, and erasure.
import { randomUUID } from 'node:crypto';
import { HttpError } from '../http/http-error';
import { setPasswordHash, updateProfile } from '../repo/accounts';
import { eraseAccount } from '../repo/erasure';
import { revokeOtherSessions } from '../repo/sessions';
import { clearFailures } from '../repo/throttle';
import { accountOut } from '../replies';
import { hashPassword } from '../secrets';
import { checkAge, photoOf, refuseTakenEmail } from './auth';
import { suspendAccount } from '../minors';
import { verifyNewAddress } from './mail';
import { logSignedIn, now, serve, subjectOf, type RouteDef } from './route';
import { confirmPassword, emailKey } from './throttle';

export const accountRoutes: RouteDef[] = [
  serve('GET /v1/account', async (_d, c) => ({ status: 200, body: { account: accountOut(c.auth.account) } })),
  serve('PATCH /v1/account', async (d, c) => {
    const { photo, ...patch } = await c.body();
    // A birth date corrected below 16 is taken (it is a correction) and suspends the account (minors.ts).
    let minor = false;
    if (patch.dateOfBirth) {
      try {
        checkAge(d, patch.dateOfBirth);
      } catch (err) {
        if (!(err instanceof HttpError && err.code === 'age_gate')) throw err;
        minor = true;
      }
    }
    const change = photo === undefined ? patch : { ...patch, photo: photo === null ? null : photoOf(photo) };
    let account = await refuseTakenEmail('email', () => updateProfile(d.db, c.auth.account.id, change, now(d)));
    if (minor) account = (await suspendAccount(d.db, account.id, 'under_age', d.clock(), c.clientAddress)) ?? account;
    return { status: 200, body: { account: accountOut(account) } };
  }),
  serve('GET /v1/account/photo', async (_d, c) => {
    const a = c.auth.account;
    if (!a.photo || a.photo_type === null) throw new HttpError(404, 'not_found', 'this account has no profile photo');
    return { status: 200, body: { contentType: a.photo_type, data: a.photo.toString('base64') } };
  }),
  serve('POST /v1/account/email', async (d, c) => {
    const input = await c.body();
    await confirmPassword(d, c, input.currentPassword);
    const account = await refuseTakenEmail('newEmail', async () => {
      const changed = await updateProfile(d.db, c.auth.account.id, { email: input.newEmail }, now(d));
      // Throttle rows were keyed by the old email; they go with it.
      await clearFailures(d.db, emailKey(d, c.auth.account.email));
      return changed;
    });
    await logSignedIn(d, c, 'email_change');
    // A new address is confirmed again, with a code mailed to it.
    await verifyNewAddress(d, account);
    return { status: 200, body: { account: accountOut(account) } };
  }),
  serve('POST /v1/account/password', async (d, c) => {
    const input = await c.body();
    await confirmPassword(d, c, input.currentPassword);
    await setPasswordHash(d.db, c.auth.account.id, await hashPassword(input.newPassword), now(d));
    const revoked = await revokeOtherSessions(d.db, c.auth.account.id, c.auth.session.id, now(d));
    await logSignedIn(d, c, 'password_change');
    return { status: 200, body: { changed: true, revokedSessions: revoked } };
  }),
  serve('DELETE /v1/account', async (d, c) => {
    const input = await c.body();
    // Logged before the password is checked: a refused request stays in the log; a granted one is erased with it.
    await logSignedIn(d, c, 'erasure_request');
    await confirmPassword(d, c, input.password);
    const a = c.auth.account;
    const subject = subjectOf(d, a.id);
    const { receipt, deleted } = await eraseAccount(d.db, {
      accountId: a.id,
      emailThrottleKey: emailKey(d, a.email),
      receiptId: randomUUID(),
      subject,
      region: d.region,
      now: now(d),
    });
    await d.db.purgeDeleted();
    return {
      status: 200,
      body: {
        receipt: {
          id: receipt.id,
          erasedAt: receipt.erased_at,
          region: receipt.region,
          deleted,
          kept: {
            consentRecords: deleted.consentRecordsAnonymised,
            consentSubject: subject,
            why: 'proof of consent given and withdrawn, kept without personal details: purpose, action, time, policy version and text hash, app version, locale, and a keyed hash of the former account id',
          },
        },
      },
    };
  }),
];
