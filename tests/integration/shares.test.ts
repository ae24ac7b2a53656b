// Hardware Share, the scope of a share's credential: a cloud on loopback (SQLite), a sharer station serving desks over TLS
// on 127.0.0.2 and a recipient station, both in this process. The credential the cloud delivers opens exactly the shared
// channel and rights on the sharer's desk server (a raw TLS WebSocket plays the recipient's station here, so each refusal
// is seen as it comes), playback only inside the history window; revoking or the window's end closes its connection.
// Talk is a right of its own: refused in words without it, and with it the recipient's station talks through the shared
// camera's speaker (camsim in this process, a Dahua camera behind the sharer; it reports what it heard).
import Database from 'better-sqlite3';
import { beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { SHARE_USER_BASE, StationError, WS_PATH, type CallName, type GivenShare } from '../../electron/contract';
import { ClientSession } from '../../electron/core/client-session';
import type { Station } from '../../electron/core/station';
import { DEFAULT_PASSWORD, DEFAULT_USERNAME, placeholderMedia, startFleet } from '../../scripts/camsim/fleet';
import { startCloudInTempDir } from '../helpers/cloud-service';
import { fileScope } from '../helpers/fixtures';
import { freeTcpPort, serveStation, servedStationDir } from '../helpers/in-process-station';
import { stationCall } from '../helpers/station-call';
import { apiFor } from './cloud-helpers';

const scope = fileScope();
const own = new ClientSession('shares-test');
const PASSWORD = 'correct horse battery';
const email = (who: string) => `${who}.${process.pid}@example.test`;
const call = <K extends CallName>(st: Station, name: K, input: unknown = {}) => stationCall(st, own, name, input);
const refusal = async (p: Promise<unknown>) => {
  try {
    await p;
  } catch (err) {
    return (err as StationError).info;
  }
  throw new Error('not refused');
};

/** 0.5 s of a 440 Hz tone as talk.audio takes it (8 kHz 16-bit little-endian PCM, base64). */
const halfSecond = () => {
  const b = Buffer.alloc(8000);
  for (let i = 0; i < 4000; i++) b.writeInt16LE(Math.round(8000 * Math.sin((2 * Math.PI * 440 * i) / 8000)), i * 2);
  return b.toString('base64');
};

let cloudUrl: string, cloudDb: string, sharer: Station, recipient: Station, port: number, shared: number, other: number;

/** A recipient's station as the sharer's desk server sees it: TLS, no page, calls as JSON text frames. */
async function peer(): Promise<{ call(name: string, input?: unknown): Promise<any>; closed: Promise<number>; ws: WebSocket }> {
  const ws = new WebSocket(`wss://127.0.0.2:${port}${WS_PATH}`, { rejectUnauthorized: false });
  scope.add(ws);
  await new Promise((r, j) => { ws.once('open', r); ws.once('error', j); });
  const pending = new Map<number, (v: unknown) => void>();
  let id = 1;
  ws.on('message', (data, binary) => {
    if (binary) return;
    const f = JSON.parse(data.toString());
    if (f.t === 'result') pending.get(f.id)?.(f.result);
  });
  const closed = new Promise<number>((r) => ws.once('close', () => r(Date.now())));
  return { ws, closed, call: (name, input = {}) => new Promise((r) => { const n = id++; pending.set(n, r); ws.send(JSON.stringify({ t: 'call', id: n, name, input })); }) };
}

/** The credential of a share as the cloud delivers it to the recipient's account. */
async function credentialOf(cloudId: string): Promise<string | null> {
  const api = apiFor(cloudUrl);
  const token = (await api.call('POST', '/v1/auth/login', { body: { email: email('bob'), password: PASSWORD } })).body.token;
  return (await api.call('GET', '/v1/shares/received', { token })).body.shares.find((s: any) => s.id === cloudId)?.credential ?? null;
}

beforeAll(async () => {
  ({ cloud: { url: cloudUrl }, dbPath: cloudDb } = await startCloudInTempDir(scope, 'wp-share-cloud-', { region: 'de', throttle: { signupsPerClient: 1000 } }));
  const opts = { cloudUrl, heartbeatMs: 60_000, privacy: { retryCapMs: 400, syncEveryMs: 60_000 } };
  const [a, b] = await Promise.all([serveStation(servedStationDir(scope, 'wp-share-a-'), opts), serveStation(servedStationDir(scope, 'wp-share-b-'), opts)]);
  [sharer, recipient] = [scope.add(a).station, scope.add(b).station];
  for (const [st, who] of [[sharer, 'alice'], [recipient, 'bob']] as const) {
    await call(st, 'privacy.signUp', { email: email(who), password: PASSWORD, nickname: who === 'alice' ? 'Alice' : 'Bob', country: 'DE', dateOfBirth: '1990-05-17' });
  }
  shared = (await call(sharer, 'channels.addRtsp', { name: 'Gate', mainUrl: 'rtsp://127.0.0.1:9/gate', subUrl: null })).id;
  other = (await call(sharer, 'channels.addRtsp', { name: 'Office', mainUrl: 'rtsp://127.0.0.1:9/office', subUrl: null })).id;
  port = await freeTcpPort();
}, 60_000);

describe('hardware share', () => {
  const base = () => ({ recipientEmail: email('bob'), channelIds: [shared], rights: ['live', 'playback'], historyHours: 1 });
  let share: GivenShare;
  /** The first share's credential, read before the recipient's station picks it up (the cloud forgets it then). */
  let secret: string;

  it('refuses bad input naming the field: serving off, self-share, unknown recipient, an end already past, a channel not here', async () => {
    expect(await refusal(call(sharer, 'shares.create', base()))).toMatchObject({ reason: 'share.servingOff' });
    await call(sharer, 'sites.setServing', { enabled: true, host: '127.0.0.2', port });
    expect(await refusal(call(sharer, 'shares.create', { ...base(), recipientEmail: email('alice') }))).toMatchObject({ reason: 'share.selfShare', params: { field: 'recipientEmail' } });
    expect(await refusal(call(sharer, 'shares.create', { ...base(), recipientEmail: email('nobody') }))).toMatchObject({ reason: 'share.unknownRecipient', params: { field: 'recipientEmail' } });
    expect(await refusal(call(sharer, 'shares.create', { ...base(), validUntil: Date.now() - 1000 }))).toMatchObject({ reason: 'share.untilPast', params: { field: 'validUntil' } });
    expect(await refusal(call(sharer, 'shares.create', { ...base(), channelIds: [999] }))).toMatchObject({ reason: 'share.unknownChannel', params: { field: 'channelIds' } });
    expect(await refusal(call(sharer, 'shares.create', { ...base(), recipientEmail: 'not an email' }))).toMatchObject({ params: { field: 'recipientEmail' } });
    expect(await call(sharer, 'shares.list')).toEqual([]);
  });

  it('the credential opens exactly the shared channel and rights, playback inside the history window', async () => {
    share = await call(sharer, 'shares.create', base());
    expect(share).toMatchObject({ state: 'active', channelIds: [shared], rights: ['live', 'playback'], historySeconds: 3600, lastUsedAt: null });
    secret = (await credentialOf(share.cloudId))!;
    expect(secret).toMatch(/^[A-Za-z0-9_-]{43}$/);
    // Not from the station's own page, and not with a wrong secret.
    expect(await refusal(call(sharer, 'auth.signInShare', { share: share.cloudId, secret }))).toMatchObject({ reason: 'share.remoteOnly' });
    const p = await peer();
    expect((await p.call('auth.signInShare', { share: share.cloudId, secret: secret.replace(/^./, (c) => (c === 'A' ? 'B' : 'A')) })).error.reason).toBe('share.wrongCredential');
    const signedIn = await p.call('auth.signInShare', { share: share.cloudId, secret });
    expect(signedIn.ok).toBe(true);
    expect(signedIn.value.state.me).toMatchObject({ id: SHARE_USER_BASE + share.id, rights: ['live', 'playback'], channels: [shared] });
    // Only the shared channel is listed, without the camera's address.
    const list = (await p.call('channels.list')).value;
    expect(list.map((c: any) => c.id)).toEqual([shared]);
    expect(list[0].mainUrl).not.toContain('127.0.0.1');
    // Another channel, a right not given, the station's other business: refused, each with its reason.
    expect((await p.call('live.open', { streamId: `${other}/main` })).error).toMatchObject({ reason: 'auth.missingChannelRight', params: { channel: other } });
    expect((await p.call('live.ptz.stop', { channelId: shared })).error).toMatchObject({ reason: 'auth.missingRight', params: { right: 'ptz' } });
    // A stream asked with its sound, audio not given: the picture alone.
    const opened = await p.call('live.open', { streamId: `${shared}/main`, audio: true });
    expect(opened.ok).toBe(true);
    expect((await p.call('live.close', { channel: opened.value.channel })).ok).toBe(true);
    for (const name of ['settings.get', 'sites.list', 'users.list', 'devices.list', 'shares.list']) {
      expect((await p.call(name)).error, name).toMatchObject({ reason: 'share.notShared', params: { call: name } });
    }
    // Playback: a range reaching back past the window is cut to it; one wholly before it, or an instant before it, refused.
    const now = Date.now();
    expect((await p.call('archive.timeline', { channelIds: [shared], from: now - 86_400_000, to: now })).ok).toBe(true);
    expect((await p.call('archive.segments', { channelId: shared, from: now - 86_400_000, to: now - 7_200_000 })).error).toMatchObject({ reason: 'share.beforeHistory', params: { hours: 1 } });
    expect((await p.call('archive.thumbnail', { channelId: shared, at: now - 7_200_000 })).error).toMatchObject({ reason: 'share.beforeHistory' });
    expect((await p.call('archive.timeline', { source: 'elsewhere', channelIds: [shared], from: now - 1000, to: now })).error).toMatchObject({ reason: 'share.notShared' });
    // The sharer sees it used.
    const used = (await call(sharer, 'shares.list'))[0]!;
    expect(used.uses).toBe(1);
    expect(used.lastUsedAt).toBeGreaterThanOrEqual(now - 5000);
    p.ws.close();
  });

  it('the recipient adds it as a site: the shared channel appears under the sharer\'s station, nothing else', async () => {
    const received = await call(recipient, 'shares.received');
    expect(received).toEqual([expect.objectContaining({ id: share.cloudId, ownerNickname: 'Alice', active: true, addable: true, siteId: null, rights: ['live', 'playback'] })]);
    const site = await call(recipient, 'shares.addReceived', { id: share.cloudId });
    expect(site.fingerprint).toBe((await call(sharer, 'sites.serving')).fingerprint);
    await expect.poll(async () => (await call(recipient, 'sites.list'))[0]?.state, { timeout: 10_000 }).toBe('online');
    expect((await call(recipient, 'channels.list')).filter((c) => c.site).map((c) => c.name)).toEqual(['Gate']);
    expect((await call(recipient, 'shares.received'))[0]!.siteId).toBe(site.id);
    // Talk is not given: pressing Talk on the shared camera is refused by the sharer's station, in words.
    const gate = (await call(recipient, 'channels.list')).find((c) => c.site)!;
    expect(await refusal(call(recipient, 'talk.start', { channelId: gate.id }))).toMatchObject({ reason: 'share.noTalk', code: 'forbidden' });
    // Picked up: the recipient's station holds the credential, the cloud no longer does.
    expect(await credentialOf(share.cloudId)).toBeNull();
    // A pick-up that never reached the cloud (here: the cloud's copy put back) is told again with the next list.
    const db = new Database(cloudDb);
    try {
      db.prepare('UPDATE shares SET credential = ? WHERE id = ?').run(secret, share.cloudId);
    } finally {
      db.close();
    }
    expect(await credentialOf(share.cloudId)).toBe(secret);
    await call(recipient, 'shares.received');
    expect(await credentialOf(share.cloudId)).toBeNull();
    // Added twice is the same site.
    expect((await call(recipient, 'shares.addReceived', { id: share.cloudId })).id).toBe(site.id);
  });

  it('revoking ends it at once: its connections close, the recipient\'s site says why, the cloud and both lists show it', async () => {
    const p = await peer();
    expect((await p.call('auth.signInShare', { share: share.cloudId, secret })).ok).toBe(true);
    const t0 = Date.now();
    const revoked = await call(sharer, 'shares.revoke', { id: share.id });
    expect(revoked).toMatchObject({ state: 'revoked', revokedAt: expect.any(Number) });
    expect((await p.closed) - t0).toBeLessThan(1000);
    await expect.poll(async () => (await call(recipient, 'sites.list'))[0], { timeout: 5000 }).toMatchObject({ state: 'auth_failed', reason: 'This share was revoked by its owner.' });
    expect(await credentialOf(share.cloudId)).toBeNull();
    expect((await call(recipient, 'shares.received'))[0]).toMatchObject({ active: false, revokedAt: expect.any(Number), addable: false });
    const again = await peer();
    expect((await again.call('auth.signInShare', { share: share.cloudId, secret })).error.reason).toBe('share.revoked');
    again.ws.close();
  });

  it('a share whose window ends closes its connections within a second or two, and refuses after; one not begun waits', async () => {
    const ending = await call(sharer, 'shares.create', { ...base(), validUntil: Date.now() + 1500 });
    const secret = (await credentialOf(ending.cloudId))!;
    const p = await peer();
    expect((await p.call('auth.signInShare', { share: ending.cloudId, secret })).ok).toBe(true);
    const closedAt = await p.closed;
    expect(closedAt - ending.validUntil!).toBeLessThan(2000);
    const again = await peer();
    expect((await again.call('auth.signInShare', { share: ending.cloudId, secret })).error.reason).toBe('share.ended');
    again.ws.close();
    // One whose window has not begun: refused for now, as a passing state (the recipient's station tries again later).
    const later = await call(sharer, 'shares.create', { ...base(), validFrom: Date.now() + 3_600_000 });
    expect(await refusal(call(sharer, 'shares.create', { ...base(), validFrom: Date.now() + 3_600_000, validUntil: Date.now() + 60_000 }))).toMatchObject({ reason: 'share.untilBeforeFrom', params: { field: 'validUntil' } });
    const pending = await peer();
    expect((await pending.call('auth.signInShare', { share: later.cloudId, secret: (await credentialOf(later.cloudId))! })).error).toMatchObject({ reason: 'share.notYet', code: 'unavailable' });
    pending.ws.close();
    expect((await call(sharer, 'shares.list')).map((s) => s.state)).toEqual(['pending', 'ended', 'revoked']);
  });

  it('a share revoked elsewhere (through the cloud, not on this station) closes its connections within 5 s', async () => {
    const elsewhere = await call(sharer, 'shares.create', base());
    const secret = (await credentialOf(elsewhere.cloudId))!;
    const p = await peer();
    expect((await p.call('auth.signInShare', { share: elsewhere.cloudId, secret })).ok).toBe(true);
    // The station's watch has taken the cloud's first answer and now waits on it (a revoke before that is seen too).
    await new Promise((r) => setTimeout(r, 300));
    const api = apiFor(cloudUrl);
    const token = (await api.call('POST', '/v1/auth/login', { body: { email: email('alice'), password: PASSWORD } })).body.token;
    const t0 = Date.now();
    expect((await api.call('DELETE', `/v1/shares/${elsewhere.cloudId}`, { token })).status).toBe(200);
    const ms = (await p.closed) - t0;
    expect(ms).toBeLessThan(5000);
    expect((await call(sharer, 'shares.list')).find((s) => s.id === elsewhere.id)).toMatchObject({ state: 'revoked' });
    const again = await peer();
    expect((await again.call('auth.signInShare', { share: elsewhere.cloudId, secret })).error.reason).toBe('share.revoked');
    again.ws.close();
  });

  it('with the talk right, the recipient\'s station talks through the shared camera\'s speaker: camsim hears it whole', { timeout: 30_000 }, async () => {
    const fleet = scope.add(await startFleet({ devices: 1, channels: 1, subnet: 'random', media: placeholderMedia }));
    const m = fleet.manifest.devices[0]!;
    const dev = await call(sharer, 'devices.add', { address: m.ip, httpPort: m.ports.http, name: 'Porch', username: DEFAULT_USERNAME, password: DEFAULT_PASSWORD, driver: 'dahua' });
    const porch = dev.channels[0]!.channelId;
    const given = await call(sharer, 'shares.create', { ...base(), channelIds: [porch], rights: ['live', 'talk'] });
    expect(given.rights).toEqual(['live', 'talk']);
    // Carried through the cloud: the recipient's station lists the right, and its site's sign-in holds it.
    expect((await call(recipient, 'shares.received')).find((s) => s.id === given.cloudId)).toMatchObject({ rights: ['live', 'talk'] });
    // The first share's station, revoked, goes first: a station is in the site list once.
    for (const old of await call(recipient, 'sites.list')) await call(recipient, 'sites.remove', { id: old.id });
    const site = await call(recipient, 'shares.addReceived', { id: given.cloudId });
    const onRecipient = async () => (await call(recipient, 'channels.list')).find((c) => c.site?.id === site.id);
    // The speaker is asked of the camera on the sharer's station in the background; the recipient's tile then has Talk.
    await expect.poll(async () => (await onRecipient())?.speaker, { timeout: 10_000 }).toBe(true);
    const channelId = (await onRecipient())!.id;
    expect(await call(recipient, 'talk.start', { channelId })).toEqual({ via: 'dahua' });
    for (let i = 0; i < 2; i++) await call(recipient, 'talk.audio', { channelId, pcm: halfSecond() });
    expect(await call(recipient, 'talk.stop', { channelId })).toMatchObject({ via: 'dahua' });
    const heard = () => fleet.device(0).channels[0]!.talks.at(-1);
    await expect.poll(() => heard()?.endedAt, { timeout: 5000 }).toBeGreaterThan(0);
    // One second of the 440 Hz tone at 8000 of 32768: an RMS of 0.173 of full scale.
    expect(heard()).toMatchObject({ via: 'dahua', durationMs: 1000 });
    expect(heard()!.rms).toBeCloseTo(0.173, 2);
  });

  it('erasing an account takes its shares with it on the station: the shares given, the stations added from shares', async () => {
    expect((await call(recipient, 'sites.list')).map((s) => s.username)).toEqual([expect.stringMatching(/^share:/)]);
    await call(recipient, 'privacy.erase', { password: PASSWORD, recordings: 'keep' });
    expect(await call(recipient, 'sites.list')).toEqual([]);
    await call(sharer, 'privacy.erase', { password: PASSWORD, recordings: 'keep' });
    expect(await call(sharer, 'shares.list')).toEqual([]);
  });
});
