// Device sharing: given by email to an account of this region, listed both ways, revoked by the owner.
import { createHash } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import { SHARE_WATCH_WAIT_MS } from '../../electron/contract/cloud';
import { REGIONS, isoAt } from '../domain';
import { HttpError } from '../http/http-error';
import { findAccountByEmail, findAccountById } from '../repo/accounts';
import { createShare, listSharesGiven, listSharesReceived, pickUpShare, revokeShare, shareStatesGiven } from '../repo/shares';
import { shareOut } from '../replies';
import { refuseIfRestricted } from './purpose-gate';
import { now, serve, type RouteDef } from './route';

/** How often a waiting watch reads the account's shares again (a revoke may come through another instance). */
const WATCH_CHECK_MS = 500;

export const shareRoutes: RouteDef[] = [
  serve('POST /v1/shares', async (d, c) => {
    refuseIfRestricted(c.auth.account);
    const input = await c.body();
    const recipient = await findAccountByEmail(d.db, input.recipientEmail);
    if (!recipient) throw new HttpError(404, 'recipient_not_found', `no account with that email in ${REGIONS[d.region]}`, { field: 'recipientEmail' });
    if (recipient.id === c.auth.account.id)
      throw new HttpError(400, 'invalid_input', 'recipientEmail: cannot share a device with yourself', { field: 'recipientEmail' });
    if (input.validUntil && Date.parse(input.validUntil) <= d.clock())
      throw new HttpError(400, 'invalid_input', 'validUntil: is already past', { field: 'validUntil' });
    const share = await createShare(d.db, {
      ownerId: c.auth.account.id,
      recipientId: recipient.id,
      deviceId: input.deviceId,
      deviceName: input.deviceName,
      channels: input.channels ?? null,
      validFrom: input.validFrom ? isoAt(Date.parse(input.validFrom)) : null,
      validUntil: input.validUntil ? isoAt(Date.parse(input.validUntil)) : null,
      rights: input.rights ?? ['live'],
      historySeconds: input.historySeconds ?? null,
      station: input.station ?? null,
      credential: input.credential ?? null,
      now: now(d),
    });
    // The recipient is told by mail too, where the service sends mail: who shared what, never the credential.
    const until = share.valid_until ? ` until ${share.valid_until}` : '';
    await d.mail?.send({
      accountId: recipient.id, kind: 'share_received', recipient: recipient.email, subject: 'Watchpost: cameras shared with you',
      body: `Hello ${recipient.nickname},\n\n${c.auth.account.nickname} (${c.auth.account.email}) shared "${share.device_name}" with you` +
        ` (${(input.rights ?? ['live']).join(', ')})${until}.\n\nOpen Devices → Shared with me on your Watchpost station to add it.\n`,
    });
    return { status: 201, body: { share: { ...shareOut(share), recipientEmail: recipient.email } } };
  }),
  serve('GET /v1/shares', async (d, c) => {
    const given = await listSharesGiven(d.db, c.auth.account.id);
    const out = [];
    for (const s of given) {
      const r = await findAccountById(d.db, s.recipient_id);
      out.push({ ...shareOut(s), recipientEmail: r?.email ?? null, recipientNickname: r?.nickname ?? null });
    }
    return { status: 200, body: { shares: out } };
  }),
  serve('GET /v1/shares/received', async (d, c) => {
    const nowMs = d.clock();
    const received = await listSharesReceived(d.db, c.auth.account.id, { includeRevoked: true });
    return {
      status: 200,
      body: {
        shares: received.map((s) => {
          const ended = !!s.revoked_at || (!!s.valid_until && Date.parse(s.valid_until) <= nowMs);
          const active = !ended && (!s.valid_from || Date.parse(s.valid_from) <= nowMs);
          // The credential is delivered only while it may still open something (the sharer's station checks the window),
          // and only until the recipient's station picked it up (POST …/pickup).
          return { ...shareOut(s), ownerNickname: s.owner_nickname, active, credential: ended ? null : s.credential };
        }),
      },
    };
  }),
  // A long poll: answered when the shares' states differ from the version the station has, or after the wait. It reads
  // the database again every half second rather than listening in this process, so a revoke through any instance
  // of the deployment (or an erasure) is seen; it stops when the station hangs up.
  serve('GET /v1/shares/watch/:version', async (d, c) => {
    const until = Date.now() + SHARE_WATCH_WAIT_MS;
    for (;;) {
      // Hung up (the station went, or this service is closing): nobody to answer, and the database may be closing.
      if (c.req.socket.destroyed) return { status: 200, body: { version: c.params.version!, shares: [] } };
      const states = await shareStatesGiven(d.db, c.auth.account.id);
      const version = createHash('sha256').update(JSON.stringify(states)).digest('hex').slice(0, 32);
      if (version !== c.params.version || Date.now() + WATCH_CHECK_MS > until) {
        return { status: 200, body: { version, shares: states.map((s) => ({ id: s.id, revokedAt: s.revoked_at })) } };
      }
      await sleep(WATCH_CHECK_MS);
    }
  }),
  // The credential is held only until the recipient's station has it (GET above, then this): from then on the cloud's
  // copy is gone and a leak of its database opens nothing. The station keeps it in its own secret store.
  serve('POST /v1/shares/:id/pickup', async (d, c) => {
    if (!(await pickUpShare(d.db, c.auth.account.id, c.params.id!))) throw new HttpError(404, 'not_found', 'no such share received');
    return { status: 204 };
  }),
  serve('DELETE /v1/shares/:id', async (d, c) => {
    const s = await revokeShare(d.db, c.auth.account.id, c.params.id!, now(d));
    if (!s) throw new HttpError(404, 'not_found', 'no such active share of yours');
    return { status: 200, body: { share: shareOut(s) } };
  }),
];
