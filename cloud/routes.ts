// Every HTTP route of the service: method, path, whether a session is required, and the handler.
import { randomUUID } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import type { Logger } from 'pino';
import type { z } from 'zod';
import type { SqlDb } from './db/sql-db';
import {
  MINIMUM_AGE,
  PURPOSES,
  REGIONS,
  TELEMETRY_PURPOSES,
  ageAt,
  isoAt,
  type Clock,
  type Purpose,
  type Region,
  type TelemetryPurpose,
  type ThrottlePolicy,
} from './domain';
import { EXPORT_SCHEMA_PATH, buildExport, exportJsonSchema, shareOut } from './export-document';
import { HttpError } from './http/http-error';
import {
  EmailTakenError,
  findAccountByEmail,
  findAccountById,
  insertAccount,
  setPasswordHash,
  setRightsFlags,
  updateProfile,
} from './repo/accounts';
import { appendConsent, latestConsent, listConsents } from './repo/consents';
import { eraseAccount } from './repo/erasure';
import type { AccountRow, ConsentRow, SessionRow } from './repo/rows';
import { listSessions, revokeOtherSessions, revokeSession, createSession } from './repo/sessions';
import { getSettings, putSettings } from './repo/settings';
import { createShare, listSharesGiven, listSharesReceived, revokeShare } from './repo/shares';
import { countTelemetry, insertTelemetry, telemetryCounters } from './repo/telemetry';
import { clearFailures, recentFailures, recordLoginFailure } from './repo/throttle';
import {
  consentSchema,
  eraseSchema,
  loginSchema,
  passwordChangeSchema,
  profilePatchSchema,
  rightsSchema,
  settingsPutSchema,
  shareSchema,
  signUpSchema,
  telemetrySchema,
} from './schemas';
import { burnPasswordCheck, hashPassword, hashToken, keyedHash, newSessionToken, verifyPassword } from './secrets';

export interface ServiceDeps {
  db: SqlDb;
  region: Region;
  clock: Clock;
  sessionTtlMs: number;
  throttle: ThrottlePolicy;
  /** Key of the keyed hashes (consent subject, throttle keys); lives in the database. */
  subjectKey: string;
  /** When set, telemetry needs a grant given under this policy version. */
  policyVersion: string | null;
  log: Logger;
}

export interface AuthContext {
  account: AccountRow;
  session: SessionRow;
}

export interface RequestContext {
  req: IncomingMessage;
  params: Record<string, string>;
  clientAddress: string;
  raw(): Promise<Buffer>;
  body<S extends z.ZodType>(schema: S): Promise<z.output<S>>;
}

export interface Reply {
  status: number;
  body?: unknown;
  headers?: Record<string, string>;
}

export type Method = 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';
export type RouteDef =
  | { method: Method; path: string; auth: false; handler: (d: ServiceDeps, c: RequestContext) => Promise<Reply> }
  | { method: Method; path: string; auth: true; handler: (d: ServiceDeps, c: RequestContext & { auth: AuthContext }) => Promise<Reply> };

const now = (d: ServiceDeps) => isoAt(d.clock());
const subjectOf = (d: ServiceDeps, accountId: string) => keyedHash(d.subjectKey, 'consent-subject', accountId);
const emailKey = (d: ServiceDeps, email: string) => `email:${keyedHash(d.subjectKey, 'login-email', email)}`;
const clientKey = (d: ServiceDeps, address: string) => `client:${keyedHash(d.subjectKey, 'login-client', address)}`;

export function accountOut(a: AccountRow) {
  return {
    id: a.id,
    email: a.email,
    region: a.region,
    regionName: REGIONS[a.region],
    country: a.country,
    nickname: a.nickname,
    dateOfBirth: a.date_of_birth,
    hasPhoto: a.photo !== null,
    photoType: a.photo_type,
    restricted: a.restricted === 1,
    objected: a.objected === 1,
    createdAt: a.created_at,
    updatedAt: a.updated_at,
  };
}

function consentOut(c: ConsentRow) {
  return {
    id: c.id,
    purpose: c.purpose,
    action: c.action,
    policyVersion: c.policy_version,
    policyTextHash: c.policy_text_hash,
    appVersion: c.app_version,
    locale: c.locale,
    recordedAt: c.recorded_at,
  };
}

function sessionOut(s: SessionRow, currentId: string) {
  return {
    id: s.id,
    current: s.id === currentId,
    createdAt: s.created_at,
    expiresAt: isoAt(s.expires_at_ms),
    lastUsedAt: s.last_used_at,
    revokedAt: s.revoked_at,
  };
}

const etagOf = (version: number) => `"${version}"`;

/** Parses If-Match: `"N"`, `W/"N"` or `*`; null means any version. */
function parseIfMatch(header: string | undefined): number | null {
  if (header === undefined) throw new HttpError(428, 'precondition_required', 'If-Match with the settings ETag is required');
  const h = header.trim();
  if (h === '*') return null;
  const m = /^(?:W\/)?"(\d+)"$/.exec(h);
  if (!m) throw new HttpError(412, 'precondition_failed', 'If-Match must be the ETag returned by GET /v1/settings');
  return Number(m[1]);
}

function wrongRegion(d: ServiceDeps, asked: Region): HttpError {
  return new HttpError(
    421,
    'wrong_region',
    `this service keeps data in ${REGIONS[d.region]} (${d.region}); accounts of ${REGIONS[asked]} (${asked}) are served by that region's service`,
    { field: 'region', serviceRegion: d.region },
  );
}

function refuseIfRestricted(a: AccountRow): void {
  if (a.restricted === 1)
    throw new HttpError(403, 'processing_restricted', 'processing of this account is restricted at its request; lift the restriction first');
}

async function issueSession(d: ServiceDeps, accountId: string) {
  const token = newSessionToken();
  const session = await createSession(d.db, { accountId, tokenHash: hashToken(token), nowMs: d.clock(), ttlMs: d.sessionTtlMs });
  return { token, sessionId: session.id, expiresAt: isoAt(session.expires_at_ms) };
}

/** Refuses before any password work when an account key or a client has failed too often. */
async function checkThrottle(d: ServiceDeps, keys: string[]): Promise<void> {
  const nowMs = d.clock();
  const since = nowMs - d.throttle.windowMs;
  for (const key of keys) {
    const limit = key.startsWith('email:') ? d.throttle.accountFailures : d.throttle.clientFailures;
    const f = await recentFailures(d.db, key, since);
    if (f.count >= limit) {
      const retryAfter = Math.max(1, Math.ceil(((f.oldest ?? nowMs) + d.throttle.windowMs - nowMs) / 1000));
      throw new HttpError(
        429,
        'login_throttled',
        `too many failed attempts; try again in ${retryAfter} s`,
        { retryAfterSeconds: retryAfter },
        { 'retry-after': String(retryAfter) },
      );
    }
  }
}

async function recordFailure(d: ServiceDeps, keys: string[]): Promise<number> {
  const nowMs = d.clock();
  await d.db.tx(async (tx) => {
    for (const key of keys) await recordLoginFailure(tx, key, nowMs);
  });
  const f = await recentFailures(d.db, keys[0]!, nowMs - d.throttle.windowMs);
  return Math.max(0, d.throttle.accountFailures - f.count);
}

/** Re-checks the password of a signed-in account under the same throttle as login. */
async function confirmPassword(d: ServiceDeps, c: RequestContext & { auth: AuthContext }, password: string): Promise<void> {
  const keys = [emailKey(d, c.auth.account.email), clientKey(d, c.clientAddress)];
  await checkThrottle(d, keys);
  if (!(await verifyPassword(password, c.auth.account.password_hash))) {
    const left = await recordFailure(d, keys);
    throw new HttpError(403, 'wrong_password', 'the password is wrong', { field: 'password', attemptsLeft: left });
  }
}

function checkAge(d: ServiceDeps, dateOfBirth: string): void {
  if (ageAt(dateOfBirth, d.clock()) < MINIMUM_AGE)
    throw new HttpError(403, 'age_gate', `Watchpost accounts are for people aged ${MINIMUM_AGE} or over`, { field: 'dateOfBirth' });
}

export const ROUTES: RouteDef[] = [
  {
    method: 'GET',
    path: '/v1/health',
    auth: false,
    handler: async (d) => ({
      status: 200,
      body: {
        status: 'ok',
        region: d.region,
        regionName: REGIONS[d.region],
        minimumAge: MINIMUM_AGE,
        purposes: PURPOSES,
        policyVersion: d.policyVersion,
      },
    }),
  },
  {
    method: 'GET',
    path: EXPORT_SCHEMA_PATH,
    auth: false,
    handler: async () => ({ status: 200, body: exportJsonSchema }),
  },
  {
    method: 'POST',
    path: '/v1/accounts',
    auth: false,
    handler: async (d, c) => {
      const input = await c.body(signUpSchema);
      if (input.region !== d.region) throw wrongRegion(d, input.region);
      // Refused before anything is stored: a child's data never reaches the database.
      checkAge(d, input.dateOfBirth);
      const passwordHash = await hashPassword(input.password);
      let account: AccountRow;
      try {
        account = await insertAccount(d.db, {
          email: input.email,
          region: input.region,
          country: input.country,
          nickname: input.nickname,
          dateOfBirth: input.dateOfBirth,
          passwordHash,
          photo: input.photo ?? null,
          now: now(d),
        });
      } catch (err) {
        if (err instanceof EmailTakenError) throw new HttpError(409, 'email_taken', err.message, { field: 'email' });
        throw err;
      }
      return { status: 201, body: { account: accountOut(account), ...(await issueSession(d, account.id)) } };
    },
  },
  {
    method: 'POST',
    path: '/v1/auth/login',
    auth: false,
    handler: async (d, c) => {
      const input = await c.body(loginSchema);
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
      return { status: 200, body: { account: accountOut(account), ...(await issueSession(d, account.id)) } };
    },
  },
  {
    method: 'POST',
    path: '/v1/auth/logout',
    auth: true,
    handler: async (d, c) => {
      await revokeSession(d.db, c.auth.account.id, c.auth.session.id, now(d));
      return { status: 204 };
    },
  },
  {
    method: 'GET',
    path: '/v1/sessions',
    auth: true,
    handler: async (d, c) => ({
      status: 200,
      body: { sessions: (await listSessions(d.db, c.auth.account.id)).map((s) => sessionOut(s, c.auth.session.id)) },
    }),
  },
  {
    method: 'DELETE',
    path: '/v1/sessions/:id',
    auth: true,
    handler: async (d, c) => {
      if (!(await revokeSession(d.db, c.auth.account.id, c.params.id!, now(d))))
        throw new HttpError(404, 'not_found', 'no such active session');
      return { status: 204 };
    },
  },
  {
    method: 'GET',
    path: '/v1/account',
    auth: true,
    handler: async (_d, c) => ({ status: 200, body: { account: accountOut(c.auth.account) } }),
  },
  {
    method: 'PATCH',
    path: '/v1/account',
    auth: true,
    handler: async (d, c) => {
      const patch = await c.body(profilePatchSchema);
      if (patch.dateOfBirth) checkAge(d, patch.dateOfBirth);
      try {
        const account = await updateProfile(d.db, c.auth.account.id, patch, now(d));
        return { status: 200, body: { account: accountOut(account) } };
      } catch (err) {
        if (err instanceof EmailTakenError) throw new HttpError(409, 'email_taken', err.message, { field: 'email' });
        throw err;
      }
    },
  },
  {
    method: 'GET',
    path: '/v1/account/photo',
    auth: true,
    handler: async (_d, c) => {
      const a = c.auth.account;
      if (!a.photo) throw new HttpError(404, 'not_found', 'this account has no profile photo');
      return { status: 200, body: { contentType: a.photo_type, data: a.photo.toString('base64') } };
    },
  },
  {
    method: 'POST',
    path: '/v1/account/password',
    auth: true,
    handler: async (d, c) => {
      const input = await c.body(passwordChangeSchema);
      await confirmPassword(d, c, input.currentPassword);
      await setPasswordHash(d.db, c.auth.account.id, await hashPassword(input.newPassword), now(d));
      const revoked = await revokeOtherSessions(d.db, c.auth.account.id, c.auth.session.id, now(d));
      return { status: 200, body: { changed: true, revokedSessions: revoked } };
    },
  },
  {
    method: 'DELETE',
    path: '/v1/account',
    auth: true,
    handler: async (d, c) => {
      const input = await c.body(eraseSchema);
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
    },
  },
  {
    method: 'GET',
    path: '/v1/settings',
    auth: true,
    handler: async (d, c) => {
      const s = (await getSettings(d.db, c.auth.account.id))!;
      const etag = etagOf(s.version);
      if (c.req.headers['if-none-match'] === etag) return { status: 304, headers: { etag } };
      return {
        status: 200,
        body: { version: s.version, updatedAt: s.updated_at, settings: JSON.parse(s.document) as unknown },
        headers: { etag },
      };
    },
  },
  {
    method: 'PUT',
    path: '/v1/settings',
    auth: true,
    handler: async (d, c) => {
      refuseIfRestricted(c.auth.account);
      const expected = parseIfMatch(c.req.headers['if-match']);
      const input = await c.body(settingsPutSchema);
      const r = await putSettings(d.db, c.auth.account.id, expected, JSON.stringify(input.settings), now(d));
      if (!r.ok)
        throw new HttpError(
          412,
          'precondition_failed',
          `settings changed since version ${expected}; fetch version ${r.current.version} and merge`,
          { currentVersion: r.current.version, current: { version: r.current.version, updatedAt: r.current.updated_at, settings: JSON.parse(r.current.document) as unknown } },
          { etag: etagOf(r.current.version) },
        );
      return {
        status: 200,
        body: { version: r.row.version, updatedAt: r.row.updated_at, settings: input.settings },
        headers: { etag: etagOf(r.row.version) },
      };
    },
  },
  {
    method: 'GET',
    path: '/v1/consents',
    auth: true,
    handler: async (d, c) => {
      const records = (await listConsents(d.db, c.auth.account.id)).map(consentOut);
      const current: Record<string, ReturnType<typeof consentOut> | null> = {};
      for (const p of PURPOSES) current[p] = null;
      for (const r of records) current[r.purpose] = r;
      return { status: 200, body: { records, current } };
    },
  },
  {
    method: 'POST',
    path: '/v1/consents',
    auth: true,
    handler: async (d, c) => {
      const input = await c.body(consentSchema);
      const row = await appendConsent(d.db, {
        accountId: c.auth.account.id,
        subject: subjectOf(d, c.auth.account.id),
        ...input,
        recordedAt: now(d),
      });
      return { status: 201, body: { record: consentOut(row) } };
    },
  },
  {
    method: 'GET',
    path: '/v1/rights',
    auth: true,
    handler: async (_d, c) => ({
      status: 200,
      body: { restricted: c.auth.account.restricted === 1, objected: c.auth.account.objected === 1 },
    }),
  },
  {
    method: 'PUT',
    path: '/v1/rights',
    auth: true,
    handler: async (d, c) => {
      const input = await c.body(rightsSchema);
      const a = await setRightsFlags(d.db, c.auth.account.id, input, now(d));
      return { status: 200, body: { restricted: a.restricted === 1, objected: a.objected === 1 } };
    },
  },
  {
    method: 'GET',
    path: '/v1/export',
    auth: true,
    handler: async (d, c) => ({
      status: 200,
      body: await buildExport(d.db, {
        accountId: c.auth.account.id,
        region: d.region,
        nowMs: d.clock(),
        emailThrottleKey: emailKey(d, c.auth.account.email),
        throttleWindowMs: d.throttle.windowMs,
      }),
      headers: { 'content-disposition': 'attachment; filename="watchpost-cloud-export.json"' },
    }),
  },
  {
    method: 'POST',
    path: '/v1/telemetry/:purpose',
    auth: true,
    handler: async (d, c) => {
      const purpose = c.params.purpose as TelemetryPurpose;
      if (!(TELEMETRY_PURPOSES as readonly string[]).includes(purpose))
        throw new HttpError(404, 'not_found', `telemetry is accepted only for ${TELEMETRY_PURPOSES.join(', ')}`);
      const raw = await c.raw();
      const a = c.auth.account;
      const refusal = await telemetryRefusal(d, a, purpose);
      if (refusal) {
        await countTelemetry(d.db, a.id, purpose, raw.length, false);
        throw refusal;
      }
      let input: z.output<typeof telemetrySchema>;
      try {
        input = await c.body(telemetrySchema);
      } catch (err) {
        await countTelemetry(d.db, a.id, purpose, raw.length, false);
        throw err;
      }
      await insertTelemetry(d.db, { accountId: a.id, purpose, receivedAt: now(d), bytes: raw.length, payload: JSON.stringify(input.events) });
      return { status: 202, body: { accepted: input.events.length, bytes: raw.length } };
    },
  },
  {
    method: 'GET',
    path: '/v1/telemetry/usage',
    auth: true,
    handler: async (d, c) => {
      const rows = await telemetryCounters(d.db, c.auth.account.id);
      const usage: Record<string, { receivedBytes: number; acceptedBytes: number; acceptedBatches: number; refusedBatches: number }> = {};
      for (const p of TELEMETRY_PURPOSES) usage[p] = { receivedBytes: 0, acceptedBytes: 0, acceptedBatches: 0, refusedBatches: 0 };
      for (const r of rows)
        usage[r.purpose] = {
          receivedBytes: r.received_bytes,
          acceptedBytes: r.accepted_bytes,
          acceptedBatches: r.accepted_batches,
          refusedBatches: r.refused_batches,
        };
      return { status: 200, body: { usage } };
    },
  },
  {
    method: 'POST',
    path: '/v1/shares',
    auth: true,
    handler: async (d, c) => {
      refuseIfRestricted(c.auth.account);
      const input = await c.body(shareSchema);
      const recipient = await findAccountByEmail(d.db, input.recipientEmail);
      if (!recipient) throw new HttpError(404, 'recipient_not_found', `no account with that email in ${REGIONS[d.region]}`, { field: 'recipientEmail' });
      if (recipient.id === c.auth.account.id)
        throw new HttpError(400, 'invalid_input', 'recipientEmail: cannot share a device with yourself', { field: 'recipientEmail' });
      const share = await createShare(d.db, {
        ownerId: c.auth.account.id,
        recipientId: recipient.id,
        deviceId: input.deviceId,
        deviceName: input.deviceName,
        channels: input.channels ?? null,
        validFrom: input.validFrom ? isoAt(Date.parse(input.validFrom)) : null,
        validUntil: input.validUntil ? isoAt(Date.parse(input.validUntil)) : null,
        now: now(d),
      });
      return { status: 201, body: { share: { ...shareOut(share), recipientEmail: recipient.email } } };
    },
  },
  {
    method: 'GET',
    path: '/v1/shares',
    auth: true,
    handler: async (d, c) => {
      const given = await listSharesGiven(d.db, c.auth.account.id);
      const out = [];
      for (const s of given) {
        const r = await findAccountById(d.db, s.recipient_id);
        out.push({ ...shareOut(s), recipientEmail: r?.email ?? null, recipientNickname: r?.nickname ?? null });
      }
      return { status: 200, body: { shares: out } };
    },
  },
  {
    method: 'GET',
    path: '/v1/shares/received',
    auth: true,
    handler: async (d, c) => {
      const nowMs = d.clock();
      const received = await listSharesReceived(d.db, c.auth.account.id);
      return {
        status: 200,
        body: {
          shares: received.map((s) => ({
            ...shareOut(s),
            ownerNickname: s.owner_nickname,
            active: (!s.valid_from || Date.parse(s.valid_from) <= nowMs) && (!s.valid_until || Date.parse(s.valid_until) > nowMs),
          })),
        },
      };
    },
  },
  {
    method: 'DELETE',
    path: '/v1/shares/:id',
    auth: true,
    handler: async (d, c) => {
      const s = await revokeShare(d.db, c.auth.account.id, c.params.id!, now(d));
      if (!s) throw new HttpError(404, 'not_found', 'no such active share of yours');
      return { status: 200, body: { share: shareOut(s) } };
    },
  },
];

/** Telemetry is taken only under a current grant, and never while restricted or objected. */
async function telemetryRefusal(d: ServiceDeps, a: AccountRow, purpose: Purpose): Promise<HttpError | null> {
  if (a.restricted === 1) return new HttpError(403, 'processing_restricted', 'processing of this account is restricted at its request');
  if (a.objected === 1) return new HttpError(403, 'objected', 'the account objects to processing; telemetry is refused');
  const latest = await latestConsent(d.db, a.id, purpose);
  if (latest?.action !== 'grant') return new HttpError(403, 'consent_required', `no current consent for ${purpose}`, { purpose });
  if (d.policyVersion !== null && latest.policy_version !== d.policyVersion)
    return new HttpError(403, 'consent_outdated', `consent for ${purpose} was given under policy ${latest.policy_version}; ask again under ${d.policyVersion}`, {
      purpose,
      policyVersion: d.policyVersion,
    });
  return null;
}
