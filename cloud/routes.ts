// Every HTTP route of the service: method, path, whether a session is required, and the handler.
import { createHash, randomUUID } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import type { Logger } from 'pino';
import type { z } from 'zod';
import type { SqlDb } from './db/sql-db';
import {
  MINIMUM_AGE,
  PURPOSES,
  STORAGE_BODY_MAX_BYTES,
  STORAGE_QUOTA_BYTES,
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
import type { AccountRow, ConsentRow, HostedDevicesRow, PushNoticeRow, SessionRow, StoredObjectRow } from './repo/rows';
import { listSessions, revokeOtherSessions, revokeSession, createSession } from './repo/sessions';
import { getSettings, putSettings } from './repo/settings';
import { createShare, listSharesGiven, listSharesReceived, revokeShare } from './repo/shares';
import { countTelemetry, insertTelemetry, telemetryCounters } from './repo/telemetry';
import { clearFailures, recentFailures, recordLoginFailure } from './repo/throttle';
import {
  deleteHostedDevices, deleteStoredObject, findStoredObject, insertPushNotice, insertStoredObject, listHostedDevices,
  listPushNotices, listStoredObjects, putHostedDevices, storedBytes,
} from './repo/account-services';
import {
  consentSchema,
  emailChangeSchema,
  eraseSchema,
  hostedDevicesSchema,
  loginSchema,
  passwordChangeSchema,
  profilePatchSchema,
  pushNoticeSchema,
  rightsSchema,
  settingsPutSchema,
  shareSchema,
  signUpSchema,
  storeObjectSchema,
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
interface RouteOptions {
  /** Largest body this route reads (default BODY_MAX_BYTES). */
  maxBody?: number;
  /** Receives a consent-gated purpose's data: bytes arriving without a valid session are counted too. */
  ingest?: true;
}
export type RouteDef =
  | (RouteOptions & { method: Method; path: string; auth: false; handler: (d: ServiceDeps, c: RequestContext) => Promise<Reply> })
  | (RouteOptions & { method: Method; path: string; auth: true; handler: (d: ServiceDeps, c: RequestContext & { auth: AuthContext }) => Promise<Reply> });

const now = (d: ServiceDeps) => isoAt(d.clock());
const subjectOf = (d: ServiceDeps, accountId: string) => keyedHash(d.subjectKey, 'consent-subject', accountId);
const emailKey = (d: ServiceDeps, email: string) => `email:${keyedHash(d.subjectKey, 'login-email', email)}`;
const clientKey = (d: ServiceDeps, address: string) => `client:${keyedHash(d.subjectKey, 'login-client', address)}`;
// Sign-up attempts share the failures table under their own key prefix: a keyed hash of the address, never the address.
const signupKey = (d: ServiceDeps, address: string) => `signup:${keyedHash(d.subjectKey, 'signup-client', address)}`;

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
    client: s.client,
    createdAt: s.created_at,
    expiresAt: isoAt(s.expires_at_ms),
    lastUsedAt: s.last_used_at,
    revokedAt: s.revoked_at,
  };
}

function pushOut(n: PushNoticeRow) {
  return {
    id: n.id,
    stationId: n.station_id,
    type: n.type,
    channelName: n.channel_name,
    occurredAt: n.occurred_at,
    receivedAt: n.received_at,
    hasSnapshot: n.snapshot !== null,
  };
}

function objectOut(o: Omit<StoredObjectRow, 'data'>) {
  return { id: o.id, name: o.name, kind: o.kind, contentType: o.content_type, bytes: Number(o.bytes), sha256: o.sha256, createdAt: o.created_at };
}

function hostedOut(h: HostedDevicesRow) {
  return { stationId: h.station_id, stationName: h.station_name, devices: JSON.parse(h.devices) as unknown[], updatedAt: h.updated_at };
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

async function issueSession(d: ServiceDeps, accountId: string, client: string | undefined) {
  const token = newSessionToken();
  const session = await createSession(d.db, { accountId, tokenHash: hashToken(token), nowMs: d.clock(), ttlMs: d.sessionTtlMs, client });
  return { token, sessionId: session.id, expiresAt: isoAt(session.expires_at_ms) };
}

/** Refuses before any password work when an account key or a client has failed too often. */
async function checkThrottle(d: ServiceDeps, keys: string[]): Promise<void> {
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
      // Every attempt counts (taken emails too), so the route can neither mint accounts nor probe emails in bulk.
      const throttleKey = signupKey(d, c.clientAddress);
      await checkThrottle(d, [throttleKey]);
      await recordLoginFailure(d.db, throttleKey, d.clock());
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
      return { status: 201, body: { account: accountOut(account), ...(await issueSession(d, account.id, input.client)) } };
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
      return { status: 200, body: { account: accountOut(account), ...(await issueSession(d, account.id, input.client)) } };
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
    method: 'POST',
    path: '/v1/sessions/revoke-others',
    auth: true,
    handler: async (d, c) => ({
      status: 200,
      body: { revoked: await revokeOtherSessions(d.db, c.auth.account.id, c.auth.session.id, now(d)) },
    }),
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
    path: '/v1/account/email',
    auth: true,
    handler: async (d, c) => {
      const input = await c.body(emailChangeSchema);
      await confirmPassword(d, c, input.currentPassword);
      try {
        const account = await updateProfile(d.db, c.auth.account.id, { email: input.newEmail }, now(d));
        // Throttle rows were keyed by the old email; they go with it.
        await clearFailures(d.db, emailKey(d, c.auth.account.email));
        return { status: 200, body: { account: accountOut(account) } };
      } catch (err) {
        if (err instanceof EmailTakenError) throw new HttpError(409, 'email_taken', err.message, { field: 'newEmail' });
        throw err;
      }
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
      const row = await d.db.tx(async (tx) => {
        // Hosting shows the devices to others: withdrawing it takes every hosted list down at once.
        if (input.purpose === 'device_hosting' && input.action === 'withdraw') await deleteHostedDevices(tx, c.auth.account.id);
        return appendConsent(tx, { accountId: c.auth.account.id, subject: subjectOf(d, c.auth.account.id), ...input, recordedAt: now(d) });
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
      const refusal = await purposeRefusal(d, a, purpose);
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
  {
    method: 'POST',
    path: '/v1/push',
    auth: true,
    ingest: true,
    handler: async (d, c) => {
      const input = await gatedBody(d, c, 'alarm_push', pushNoticeSchema);
      const row = await insertPushNotice(d.db, {
        accountId: c.auth.account.id, stationId: input.stationId, type: input.type, channelName: input.channelName,
        occurredAt: isoAt(Date.parse(input.occurredAt)), snapshot: input.snapshot, receivedAt: now(d),
      });
      return { status: 201, body: { notice: pushOut(row) } };
    },
  },
  {
    method: 'GET',
    path: '/v1/push',
    auth: true,
    handler: async (d, c) => ({ status: 200, body: { notices: (await listPushNotices(d.db, c.auth.account.id)).map(pushOut) } }),
  },
  {
    method: 'GET',
    path: '/v1/push/:id/snapshot',
    auth: true,
    handler: async (d, c) => {
      const n = (await listPushNotices(d.db, c.auth.account.id)).find((x) => String(x.id) === c.params.id);
      if (!n?.snapshot) throw new HttpError(404, 'not_found', 'no such notice with a snapshot');
      return { status: 200, body: { contentType: 'image/jpeg', data: n.snapshot.toString('base64') } };
    },
  },
  {
    method: 'POST',
    path: '/v1/storage',
    auth: true,
    ingest: true,
    maxBody: STORAGE_BODY_MAX_BYTES,
    handler: async (d, c) => {
      const input = await gatedBody(d, c, 'cloud_storage', storeObjectSchema);
      const used = await storedBytes(d.db, c.auth.account.id);
      if (used + input.data.length > STORAGE_QUOTA_BYTES)
        throw new HttpError(413, 'storage_quota', `data: your cloud storage holds ${used} of ${STORAGE_QUOTA_BYTES} bytes; delete something first`, { field: 'data', usedBytes: used, quotaBytes: STORAGE_QUOTA_BYTES });
      const row = await insertStoredObject(d.db, {
        accountId: c.auth.account.id, name: input.name, kind: input.kind, contentType: input.contentType, data: input.data,
        sha256: createHash('sha256').update(input.data).digest('hex'), createdAt: now(d),
      });
      return { status: 201, body: { object: objectOut(row) } };
    },
  },
  {
    method: 'GET',
    path: '/v1/storage',
    auth: true,
    handler: async (d, c) => ({
      status: 200,
      body: {
        objects: (await listStoredObjects(d.db, c.auth.account.id)).map(objectOut),
        usedBytes: await storedBytes(d.db, c.auth.account.id),
        quotaBytes: STORAGE_QUOTA_BYTES,
      },
    }),
  },
  {
    method: 'GET',
    path: '/v1/storage/:id',
    auth: true,
    handler: async (d, c) => {
      const o = await findStoredObject(d.db, c.auth.account.id, c.params.id!, true);
      if (!o) throw new HttpError(404, 'not_found', 'no such object in your cloud storage');
      return { status: 200, body: { object: objectOut(o), data: o.data.toString('base64') } };
    },
  },
  {
    method: 'DELETE',
    path: '/v1/storage/:id',
    auth: true,
    handler: async (d, c) => {
      if (!(await deleteStoredObject(d.db, c.auth.account.id, c.params.id!))) throw new HttpError(404, 'not_found', 'no such object in your cloud storage');
      return { status: 204 };
    },
  },
  {
    method: 'PUT',
    path: '/v1/hosting/:station',
    auth: true,
    ingest: true,
    handler: async (d, c) => {
      const input = await gatedBody(d, c, 'device_hosting', hostedDevicesSchema);
      const stationId = c.params.station!;
      if (!/^[A-Za-z0-9_-]{1,64}$/.test(stationId)) throw new HttpError(400, 'invalid_input', 'station: must be 1-64 letters, digits, - or _', { field: 'station' });
      await putHostedDevices(d.db, {
        accountId: c.auth.account.id, stationId, stationName: input.stationName, devices: JSON.stringify(input.devices), updatedAt: now(d),
      });
      const row = (await listHostedDevices(d.db, c.auth.account.id)).find((h) => h.station_id === stationId)!;
      return { status: 200, body: { station: hostedOut(row) } };
    },
  },
  {
    method: 'GET',
    path: '/v1/hosting',
    auth: true,
    handler: async (d, c) => ({ status: 200, body: { stations: (await listHostedDevices(d.db, c.auth.account.id)).map(hostedOut) } }),
  },
  {
    method: 'DELETE',
    path: '/v1/hosting/:station',
    auth: true,
    handler: async (d, c) => {
      // Taking a list down is never gated: it only ever reduces what is held.
      if ((await deleteHostedDevices(d.db, c.auth.account.id, c.params.station!)) === 0) throw new HttpError(404, 'not_found', 'no hosted list of that station');
      return { status: 204 };
    },
  },
];

/** A purpose's data is taken only under a current grant, never while restricted, and telemetry never while objected. */
async function purposeRefusal(d: ServiceDeps, a: AccountRow, purpose: Purpose): Promise<HttpError | null> {
  if (a.restricted === 1) return new HttpError(403, 'processing_restricted', 'processing of this account is restricted at its request');
  if (a.objected === 1 && (TELEMETRY_PURPOSES as readonly string[]).includes(purpose))
    return new HttpError(403, 'objected', 'the account objects to processing; telemetry is refused');
  const latest = await latestConsent(d.db, a.id, purpose);
  if (latest?.action !== 'grant') return new HttpError(403, 'consent_required', `no current consent for ${purpose}`, { purpose });
  if (d.policyVersion !== null && latest.policy_version !== d.policyVersion)
    return new HttpError(403, 'consent_outdated', `consent for ${purpose} was given under policy ${latest.policy_version}; ask again under ${d.policyVersion}`, {
      purpose,
      policyVersion: d.policyVersion,
    });
  return null;
}

/** Counts the body under its purpose, refuses it unless the purpose is granted (not parsed then), else parses it. */
async function gatedBody<S extends z.ZodType>(
  d: ServiceDeps,
  c: RequestContext & { auth: AuthContext },
  purpose: Purpose,
  schema: S,
): Promise<z.output<S>> {
  const raw = await c.raw();
  const refusal = await purposeRefusal(d, c.auth.account, purpose);
  if (refusal) {
    await countTelemetry(d.db, c.auth.account.id, purpose, raw.length, false);
    throw refusal;
  }
  let input: z.output<S>;
  try {
    input = await c.body(schema);
  } catch (err) {
    await countTelemetry(d.db, c.auth.account.id, purpose, raw.length, false);
    throw err;
  }
  await countTelemetry(d.db, c.auth.account.id, purpose, raw.length, true);
  return input;
}
