// The regions directory, and moving an account to another region: this (the old) region's instance exports it, the new
// region's instance takes it (POST /v1/transfers, between the deployment's instances only), then it is erased here.
//
// Why the old region's cloud moves it, not the station: the consent ledger must arrive with the times it was recorded (proof
// of consent), and the password hash must arrive so the same password signs in; neither may pass through a station, which
// could forge the one and must never hold the other. The instances show each other the deployment's peer key instead.
import { createHash, randomUUID, timingSafeEqual } from 'node:crypto';
import { request as httpRequest } from 'node:http';
import { request as httpsRequest } from 'node:https';
import { CloudError, TransferReply, type MoveCounts, type TransferBody } from '../../electron/contract/cloud';
import { isInternationalTransfer } from '../../electron/contract/countries';
import { REGIONS, REGION_IDS, STORAGE_QUOTA_BYTES, isoAt, type Region } from '../domain';
import { buildExport } from '../export-document';
import { HttpError } from '../http/http-error';
import { EmailTakenError, findAccountByEmail, findAccountById } from '../repo/accounts';
import { eraseAccount } from '../repo/erasure';
import { createSession } from '../repo/sessions';
import { listSharesGiven, listSharesReceived } from '../repo/shares';
import { importAccount, listRegionMoves } from '../repo/transfer';
import { accountOut } from '../replies';
import { hashToken, newSessionToken } from '../secrets';
import { logSignedIn, now, serve, servePublic, subjectOf, type RouteDef, type ServiceDeps } from './route';
import { confirmPassword, emailKey } from './throttle';

export const PEER_KEY_HEADER = 'x-watchpost-peer-key';

/** A region id this deployment serves, or a refusal that names the field and the regions it does serve. */
export function servedRegion(d: ServiceDeps, asked: string, field = 'region'): Region {
  const served = REGION_IDS.filter((r) => d.directory[r]);
  if (!served.includes(asked as Region))
    throw new HttpError(400, 'invalid_input', `${field}: this deployment does not serve region ${asked}; it serves ${served.join(', ')}`, { field });
  return asked as Region;
}

const digest = (s: string) => createHash('sha256').update(s).digest();

function checkPeer(d: ServiceDeps, shown: string | string[] | undefined): void {
  // Compared as digests, in constant time; without a configured key nothing is taken.
  if (!d.peerKey || typeof shown !== 'string' || !timingSafeEqual(digest(shown), digest(d.peerKey)))
    throw new HttpError(403, 'forbidden', 'transfers are taken only from this deployment\'s other regions');
}

/** One JSON POST to another region's instance: its status and parsed body, or null when it could not be reached. */
function postPeer(d: ServiceDeps, url: URL, body: unknown): Promise<{ status: number; json: unknown } | null> {
  const text = JSON.stringify(body);
  const headers = { 'content-type': 'application/json', 'content-length': String(Buffer.byteLength(text)), [PEER_KEY_HEADER]: d.peerKey ?? '' };
  return new Promise((resolve) => {
    const options = { method: 'POST', headers, signal: AbortSignal.timeout(60_000) };
    const req = url.protocol === 'https:' ? httpsRequest(url, { ...options, ...(d.peerCa ? { ca: d.peerCa } : {}) }) : httpRequest(url, options);
    req.once('error', (err) => {
      d.log.warn({ err: err.message, to: url.origin }, 'region transfer: the other region did not answer');
      resolve(null);
    });
    req.once('response', (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.once('error', () => resolve(null));
      res.once('end', () => {
        try {
          resolve({ status: res.statusCode ?? 0, json: JSON.parse(Buffer.concat(chunks).toString('utf8')) });
        } catch {
          resolve({ status: res.statusCode ?? 0, json: undefined });
        }
      });
    });
    req.end(text);
  });
}

/** A new session in this instance for the client that asked for the move. */
async function signedInHere(d: ServiceDeps, accountId: string, client: string) {
  const token = newSessionToken();
  const session = await createSession(d.db, { accountId, tokenHash: hashToken(token), nowMs: d.clock(), ttlMs: d.sessionTtlMs, client });
  return { token, sessionId: session.id, expiresAt: isoAt(session.expires_at_ms) };
}

export const regionRoutes: RouteDef[] = [
  servePublic('GET /v1/regions', async (d) => ({
    status: 200,
    body: { regions: REGION_IDS.filter((r) => d.directory[r]).map((r) => ({ id: r, name: REGIONS[r], url: d.directory[r]!, current: r === d.region })) },
  })),

  serve('POST /v1/account/move', async (d, c) => {
    const input = await c.body();
    await confirmPassword(d, c, input.password);
    const to = servedRegion(d, input.region);
    if (to === d.region) throw new HttpError(400, 'invalid_input', `region: the account is already kept in ${REGIONS[to]}`, { field: 'region' });
    const a = c.auth.account;
    const international = isInternationalTransfer(a.country, to);
    if (international && !input.transferNoticeAcknowledged)
      throw new HttpError(400, 'invalid_input', `transferNoticeAcknowledged: data of ${a.country} kept in ${REGIONS[to]} is an international transfer; the notice must be acknowledged`, { field: 'transferNoticeAcknowledged' });
    if (!d.peerKey) throw new HttpError(503, 'region_unavailable', 'this deployment has no peer key: accounts cannot move between its regions');
    const moveId = randomUUID();
    const movedAt = now(d);
    const data = (await buildExport(d.db, { accountId: a.id, region: d.region, nowMs: d.clock(), emailThrottleKey: emailKey(d, a.email), throttleWindowMs: d.throttle.windowMs })).data;
    // Shares name the other party by email: the new region finds that person's account there, if any.
    const emailOf = async (id: string) => (await findAccountById(d.db, id))?.email ?? '';
    const share = async (s: Awaited<ReturnType<typeof listSharesGiven>>[number], other: string) => ({
      otherEmail: await emailOf(other), deviceId: s.device_id, deviceName: s.device_name, channels: s.channels ? (JSON.parse(s.channels) as number[]) : null,
      validFrom: s.valid_from, validUntil: s.valid_until, createdAt: s.created_at, revokedAt: s.revoked_at,
    });
    const transfer: TransferBody = {
      moveId, from: d.region, movedAt, passwordHash: a.password_hash, transferNoticeAt: international ? movedAt : null, client: input.client ?? c.auth.session.client,
      data,
      sharesGiven: await Promise.all((await listSharesGiven(d.db, a.id)).map((s) => share(s, s.recipient_id))),
      sharesReceived: await Promise.all((await listSharesReceived(d.db, a.id, { includeRevoked: true })).map((s) => share(s, s.owner_id))),
    };
    const answer = await postPeer(d, new URL(`${d.directory[to]}/v1/transfers`), transfer);
    // Until the new region says the account is complete there, nothing here changes.
    if (!answer) throw new HttpError(502, 'region_unavailable', `the ${REGIONS[to]} region did not answer; the account stays here unchanged`, { field: 'region' });
    if (answer.status !== 201) {
      const err = CloudError.safeParse(answer.json);
      if (err.success && err.data.error.code === 'email_taken')
        throw new HttpError(409, 'email_taken', `region: an account with this email already exists in ${REGIONS[to]}`, { field: 'region' });
      throw new HttpError(502, 'region_unavailable', `the ${REGIONS[to]} region refused the account (${answer.status}${err.success ? `: ${err.data.error.message}` : ''}); it stays here unchanged`, { field: 'region' });
    }
    const taken = TransferReply.parse(answer.json);
    const sessions = data.sessions.length;
    try {
      // Logged before the erasure, as any erasure request is (and erased with the rest of the account here).
      await logSignedIn(d, c, 'erasure_request');
      await eraseAccount(d.db, { accountId: a.id, emailThrottleKey: emailKey(d, a.email), receiptId: moveId, subject: subjectOf(d, a.id), region: d.region, now: movedAt });
    } catch (err) {
      // The account is complete there and still whole here: moving again finishes (the new region takes the same account again).
      d.log.error({ err: (err as Error).message, to }, 'region move: the account could not be erased here');
      throw new HttpError(500, 'move_unfinished', `the account is complete in ${REGIONS[to]} but could not be erased here yet; move it again to finish`, { field: 'region' });
    }
    await d.db.purgeDeleted();
    d.log.info({ to }, 'account moved to another region');
    return {
      status: 200,
      body: {
        receipt: { id: moveId, accountId: a.id, movedAt, from: d.region, to, carried: taken.carried, notCarried: { ...taken.notCarried, sessions } },
        signedIn: taken.signedIn,
      },
    };
  }),

  servePublic('POST /v1/transfers', async (d, c) => {
    checkPeer(d, c.req.headers[PEER_KEY_HEADER]);
    const body = await c.body();
    servedRegion(d, body.from, 'from');
    // An earlier move of this same account reached here, but the old region could not erase it: it asks again to finish.
    const earlier = await findAccountById(d.db, body.data.account.id);
    const before = earlier?.email === body.data.account.email
      ? (await listRegionMoves(d.db, earlier.id)).filter((m) => m.from_region === body.from).at(-1) : undefined;
    if (earlier && before) {
      const signedIn = await signedInHere(d, earlier.id, body.client);
      return { status: 201, body: { signedIn: { account: accountOut(earlier), ...signedIn }, carried: JSON.parse(before.carried) as MoveCounts, notCarried: { sharesGiven: 0, sharesReceived: 0 } } };
    }
    if (await findAccountByEmail(d.db, body.data.account.email))
      throw new HttpError(409, 'email_taken', `an account with this email already exists in ${REGIONS[d.region]}`, { field: 'email' });
    let r;
    try {
      r = await importAccount(d.db, { body, region: d.region, subject: subjectOf(d, body.data.account.id) });
    } catch (err) {
      if (err instanceof EmailTakenError) throw new HttpError(409, 'email_taken', err.message, { field: 'email' });
      throw err;
    }
    // A session here for the client that asked for the move; the old region's sessions end with the account there.
    const signedIn = await signedInHere(d, r.account.id, body.client);
    return {
      status: 201,
      body: {
        signedIn: { account: accountOut(r.account), ...signedIn },
        carried: r.carried,
        notCarried: r.notCarried,
      },
    };
  }, // Everything an account may hold, cloud storage's quota in base64 included.
  { maxBody: Math.ceil((STORAGE_QUOTA_BYTES * 4) / 3) + 64 * 1024 * 1024 }),
];
