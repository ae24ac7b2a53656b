// Failover recording: a primary station (a process) records two camsim cameras and serves desks over TLS on 127.0.0.2; a
// standby station (another process) adds it, is named its standby with a 3 s wait and fetches its cameras with their
// credentials. kill -9 of the primary: the standby records its cameras within the wait and a few seconds; the primary
// started again on its data folder: the standby hands them back once the primary records them itself, and the union of
// the two archives (the primary's timeline and the standby's `failover.coverage`) has no gap longer than the takeover.
// A desk (a third process) has added both: the primary's channels show the standby's recordings in the primary's gap,
// marked `standby`, while the primary is away and after; an export of that time on the desk is copied from the standby.
// A third camera of the primary the standby records itself as its own channel: left out of the takeover, and said so.
// Live: a desk's tile of the primary's camera open when it dies plays again from the standby once it takes over, a tile
// opened then too, and both come from the primary again once the desk reaches it.
// A primary that hangs with its connections open (SIGSTOP): the standby's and the desk's links say it does not answer
// (their wait for an answer shortened to NO_ANSWER_MS), the standby takes over, the desk's tiles play from it; SIGCONT:
// handed back, the tiles back on the primary.
import { spawnSync } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { siteChannelId } from '../../electron/contract';
import { DEFAULT_PASSWORD } from '../../scripts/camsim/fleet';
import { TEST_ADMIN } from '../helpers/auth';
import { startCamsim, type CamsimProcess } from '../helpers/camsim-process';
import { longestGap } from '../helpers/failover';
import { fileScope } from '../helpers/fixtures';
import { freeTcpPort } from '../helpers/in-process-station';
import { startStation, type StationProcess } from '../helpers/station-process';
import { addCamsimChannel } from '../helpers/station-setup';
import { wsClient, type WsClient } from '../helpers/ws-client';

const WAIT_S = 3;
const NO_ANSWER_MS = 5000;
const scope = fileScope();
let camsim: CamsimProcess, primary: StationProcess, standby: StationProcess, desk: StationProcess, p: WsClient, s: WsClient, d: WsClient;
/** The desk's page with live tiles (their media frames kept), and the media channel of the tile opened before the kill. */
let tiles: WsClient, before: number;
let ids: number[], siteId: number, fingerprint: string;
/** The primary's third camera, which the standby also records as its own channel (`ownShared`, named `OWN_NAME` there). */
let shared: number, ownShared: number, sharedName: string;
const OWN_NAME = 'Gate (own)';
/** The primary as a site of the desk, and its channels' ids there. */
let deskSite: number, onDesk: number[];
/** When the primary was killed, and how long the standby took to record its cameras (ms). */
let killedAt: number, takeoverMs: number;

type Span = { start: number; end: number; standby?: true };
const spansOf = async (ws: WsClient, channelIds: number[], from: number, to: number) =>
  (await ws.call<{ channelId: number; spans: Span[] }[]>('archive.timeline', { channelIds, from, to })).map((c) => c.spans);
/** Fragments of a tile that reached the desk after `since`, their stream times moving on. */
const movingSince = (channel: number, since: number) => {
  const times = tiles.frames.filter((f) => f.channel === channel && f.kind === 'fragment' && f.stamp && f.stamp.arrivedAt > since).map((f) => f.stamp!.time);
  return times.length > 5 && times.at(-1)! > times[0]!;
};
/** When a station's log shows a desk (the TLS transport) opening or closing live view there. */
const liveByDesk = async (ws: WsClient, kind: 'live.open' | 'live.close') => (await ws.call<{ transport: string; at: number }[]>('oplog.query', { kind }))
  .filter((e) => e.transport === 'remote').map((e) => e.at);
const siteState = async (ws: WsClient, id: number) => (await ws.call<{ id: number; state: string }[]>('sites.list', {})).find((x) => x.id === id)?.state;
const standbyOf = async () => (await s.call<{ id: number; standby?: { state: string; cameras: number; recording: number } }[]>('sites.list', {})).find((x) => x.id === siteId)?.standby;

beforeAll(async () => {
  const env = { WATCHPOST_SITE_NO_ANSWER_MS: String(NO_ANSWER_MS) };
  [camsim, primary, standby, desk] = await scope.all([startCamsim(['--devices', '1', '--channels', '3']), startStation(), startStation({ env }), startStation({ env })]);
  p = await wsClient(primary.url);
  s = await wsClient(standby.url);
  d = await wsClient(desk.url);
  tiles = await wsClient(desk.url, { media: true });
  scope.defer(() => { p.close(); s.close(); d.close(); tiles.close(); });
  const device = camsim.manifest.devices[0]!;
  ids = [];
  for (const ch of device.channels.slice(0, 2)) ids.push(await addCamsimChannel(p, ch.name, ch, device.credentials));
  const third = device.channels[2]!;
  sharedName = third.name;
  shared = await addCamsimChannel(p, third.name, third, device.credentials);
  ownShared = await addCamsimChannel(s, OWN_NAME, third, device.credentials);
  await s.call('recording.setChannels', { channelIds: [ownShared], mode: 'continuous', stream: 'sub', schedule: '1'.repeat(336), preSeconds: 0, postSeconds: 0, retentionDays: null });
  await p.call('recording.setArchive', { segmentSeconds: 2, quotaBytes: null, freeFloorBytes: 0 });
  await p.call('recording.setChannels', { channelIds: [...ids, shared], mode: 'continuous', stream: 'sub', schedule: '1'.repeat(336), preSeconds: 0, postSeconds: 0, retentionDays: null });
  const port = await freeTcpPort();
  fingerprint = (await p.call<{ fingerprint: string }>('sites.setServing', { enabled: true, host: '127.0.0.2', port })).fingerprint;
  const added = await s.call<{ id: number }>('sites.add', { name: 'Yard', host: '127.0.0.2', port, username: TEST_ADMIN.name, password: TEST_ADMIN.password });
  siteId = added.id;
  await s.call('sites.trust', { id: siteId, fingerprint });
  // The desk adds both stations (the standby serves desks too).
  const standbyPort = await freeTcpPort();
  const standbyFingerprint = (await s.call<{ fingerprint: string }>('sites.setServing', { enabled: true, host: '127.0.0.2', port: standbyPort })).fingerprint;
  [deskSite] = await Promise.all([addSite(d, 'Yard', port, fingerprint), addSite(d, 'Yard standby', standbyPort, standbyFingerprint)]);
  onDesk = ids.map((id) => siteChannelId(deskSite, id));
  await waitOnline(s, siteId);
}, 60_000);

async function waitOnline(ws: WsClient, id: number): Promise<void> {
  for (const until = Date.now() + 15_000; (await ws.call<{ id: number; state: string }[]>('sites.list', {})).find((x) => x.id === id)?.state !== 'online'; await new Promise((r) => setTimeout(r, 100))) {
    if (Date.now() > until) throw new Error(`station ${id} did not come online`);
  }
}

async function addSite(ws: WsClient, name: string, port: number, fp: string): Promise<number> {
  const { id } = await ws.call<{ id: number }>('sites.add', { name, host: '127.0.0.2', port, username: TEST_ADMIN.name, password: TEST_ADMIN.password });
  await ws.call('sites.trust', { id, fingerprint: fp });
  return id;
}

describe('failover recording', () => {
  it('a standby fetches the cameras its primary records; their credentials only over the TLS link, kept as secrets', async () => {
    const site = await s.call<{ standby: { state: string; cameras: number; waitSeconds: number } }>('sites.setStandby', { id: siteId, enabled: true, waitSeconds: WAIT_S });
    expect(site.standby).toMatchObject({ waitSeconds: WAIT_S, cameras: 3 });
    // The third camera is one the standby records itself: it says so from the pairing on.
    await expect.poll(standbyOf, { timeout: 5000 }).toMatchObject({ state: 'watching', cameras: 3, recording: 0, recordedHere: [{ name: sharedName, ownName: OWN_NAME }] });
    // Asked on the loopback page (not a standby's TLS link), the camera list is refused.
    await expect(p.call('failover.pairing', {})).rejects.toThrow(/only to a standby station over its TLS link/);
    // The cameras' password is in the standby's secret store (encrypted), never in its database or log.
    for (const f of ['station.db', 'station.db-wal', 'logs/station.log']) {
      let text = '';
      try { text = readFileSync(join(standby.dataDir, f)).toString('latin1'); } catch { continue; }
      expect(text, f).not.toContain(DEFAULT_PASSWORD);
    }
    // The primary records both before it goes away; the desk's tile of the first camera plays through the primary.
    await expect.poll(async () => (await p.call<{ channels: { state: string }[] }>('recording.status', {})).channels.filter((c) => c.state === 'recording').length, { timeout: 15_000 }).toBe(3);
    before = (await tiles.call<{ channel: number }>('live.open', { streamId: `${onDesk[0]}/main` })).channel;
    await expect.poll(() => movingSince(before, 0), { timeout: 15_000 }).toBe(true);
  });

  it('kill -9 of the primary: the standby records its cameras within the wait and a few seconds', { timeout: 30_000 }, async () => {
    await new Promise((r) => setTimeout(r, 2000));
    killedAt = Date.now();
    primary.proc.kill('SIGKILL');
    const onStandby = ids.map((id) => siteChannelId(siteId, id));
    await expect.poll(async () => {
      const spans = await spansOf(s, onStandby, killedAt - 60_000, Date.now() + 1000);
      return spans.every((list) => list.some((x) => x.standby && x.end > killedAt));
    }, { timeout: (WAIT_S + 10) * 1000, interval: 200 }).toBe(true);
    takeoverMs = Date.now() - killedAt;
    expect(takeoverMs).toBeLessThan((WAIT_S + 5) * 1000);
    // Two taken over; the third, recorded here already as its own channel, not opened a second time.
    expect(await standbyOf()).toMatchObject({ state: 'recording', recording: 2, recordedHere: [{ name: sharedName, ownName: OWN_NAME }] });
    expect(await s.call<unknown[]>('failover.live', { fingerprint })).toHaveLength(2);
    const [twice, own] = await spansOf(s, [siteChannelId(siteId, shared), ownShared], killedAt - 60_000, Date.now() + 1000);
    expect(twice!.filter((x) => x.standby)).toEqual([]);
    expect(own!.some((x) => x.end > killedAt)).toBe(true);
    // Live: the desk's tile open before plays again, from the standby, within the takeover and a few seconds; so does a
    // tile opened now (the standby's log has the desk's opens).
    await expect.poll(() => movingSince(before, killedAt + takeoverMs), { timeout: 8000, interval: 200 }).toBe(true);
    expect(Date.now() - killedAt).toBeLessThan((WAIT_S + 10) * 1000);
    const after = (await tiles.call<{ channel: number }>('live.open', { streamId: `${onDesk[1]}/sub` })).channel;
    await expect.poll(() => movingSince(after, killedAt), { timeout: 8000, interval: 200 }).toBe(true);
    expect((await liveByDesk(s, 'live.open')).filter((at) => at > killedAt).length).toBeGreaterThanOrEqual(2);
    // On the desk, the primary's channels say it is away, and still draw what the standby records meanwhile.
    await expect.poll(async () => {
      const list = await d.call<{ spans: Span[]; unavailable?: unknown }[]>('archive.timeline', { channelIds: onDesk, from: killedAt - 60_000, to: Date.now() + 1000 });
      return list.every((c) => c.unavailable !== undefined && c.spans.some((x) => x.standby && x.end > killedAt));
    }, { timeout: 10_000, interval: 250 }).toBe(true);
  });

  it('the primary back: the standby hands its cameras back, and the two archives together have no gap longer than the takeover', { timeout: 45_000 }, async () => {
    // The primary starts again on its data folder (its own recorders with it); the standby records meanwhile.
    // The standby alone records for at least 3 s (a moment of the primary's gap to play back on it, below).
    await new Promise((r) => setTimeout(r, Math.max(0, killedAt + takeoverMs + 3000 - Date.now())));
    const restartedAt = Date.now();
    primary = scope.add(await startStation({ dataDir: primary.dataDir }));
    const p2 = await wsClient(primary.url);
    scope.defer(() => p2.close());
    await expect.poll(async () => (await standbyOf())?.state, { timeout: 30_000, interval: 250 }).toBe('watching');
    const handedBackAt = Date.now();
    expect(await standbyOf()).toMatchObject({ recording: 0 });
    const from = killedAt - 4000;
    const to = handedBackAt - 500;
    const own = await spansOf(p2, ids, from, to);
    const cover = await s.call<{ channelId: number; spans: Span[] }[]>('failover.coverage', { fingerprint, channelIds: ids, from, to });
    for (const [i, id] of ids.entries()) {
      expect(cover[i]!.channelId).toBe(id);
      expect(cover[i]!.spans.length, `channel ${id}: the standby recorded it`).toBeGreaterThan(0);
      const longest = longestGap([...own[i]!, ...cover[i]!.spans], from, to);
      expect(longest, `channel ${id}: longest gap ${longest} ms, takeover ${takeoverMs} ms`).toBeLessThanOrEqual(takeoverMs);
    }
    // A user of the standby who may play back only the first camera there is told of that camera's coverage only.
    const one = { name: 'nightdesk', password: 'Camera-side-42' };
    await s.call('users.create', { ...one, roleId: 'operator', channels: [siteChannelId(siteId, ids[0]!)], mustChangePassword: false });
    const s1 = await wsClient(standby.url, { signIn: false });
    scope.defer(() => s1.close());
    await s1.call('auth.signIn', one);
    const theirs = await s1.call<{ channelId: number; spans: Span[] }[]>('failover.coverage', { fingerprint, channelIds: ids, from, to });
    expect(theirs.map((c) => c.channelId)).toEqual([ids[0]]);
    // The standby's own timeline marks them as its failover recordings.
    const marked = await spansOf(s, ids.map((id) => siteChannelId(siteId, id)), from, to);
    for (const list of marked) expect(list.some((x) => x.standby)).toBe(true);
    // Only its own recordings are marked so, not the primary's spans that overlap a takeover (the hand-back's overlap).
    // (Read together: the standby's last segment may still be closing, moving its end, between two reads.)
    await expect.poll(async () => {
      const [mine] = await spansOf(s, [siteChannelId(siteId, ids[0]!)], from, to);
      const [told] = await s.call<{ spans: Span[] }[]>('failover.coverage', { fingerprint, channelIds: [ids[0]], from, to });
      return JSON.stringify(mine!.filter((x) => x.standby).map(({ start, end }) => ({ start, end }))) === JSON.stringify(told!.spans);
    }, { timeout: 5000, interval: 250 }).toBe(true);

    // Playback there follows that timeline: in the primary's gap the standby's own recording, read from its own archive
    // (before, the site's copy alone: the primary's next recording, past the gap); before the gap the primary's, copied.
    const mine = own[0]!.filter((x) => x.end > from && x.start < to).sort((a, b) => a.start - b.start);
    const gap = mine.slice(1).map((x, i) => ({ start: mine[i]!.end, end: x.start })).sort((a, b) => (b.end - b.start) - (a.end - a.start))[0]!;
    const sb = marked[0]!.find((x) => x.standby && x.end > gap.start && x.start < gap.end)!;
    // Paused, a session sends up to a second past its instant: the primary's next recording lies further on.
    const at = Math.max(gap.start, sb.start) + 200;
    expect(Math.min(gap.end, sb.end) - at, 'a time in the primary\'s gap that the standby recorded').toBeGreaterThan(1200);
    const sm = await wsClient(standby.url, { media: true });
    scope.defer(() => sm.close());
    const channel = siteChannelId(siteId, ids[0]!);
    const pb = await sm.call<{ state: { sessionId: number }; channels: { channel: number }[] }>('playback.open', { source: 'local', channelIds: [channel], at, paused: true });
    const fragments = () => sm.frames.filter((f) => f.channel === pb.channels[0]!.channel && f.kind === 'fragment').length;
    await expect.poll(fragments, { timeout: 10_000 }).toBeGreaterThan(0);
    const inGap = fragments();
    await sm.call('playback.seek', { sessionId: pb.state.sessionId, at: killedAt - 3000 });
    await expect.poll(fragments, { timeout: 10_000 }).toBeGreaterThan(inGap);
    await sm.call('playback.close', { sessionId: pb.state.sessionId });
    // The standby's copy of the site's archive holds the primary's segments only: its own were never copied.
    const copies = readdirSync(join(standby.dataDir, 'site-archives', String(siteId), 'files', String(channel)));
    expect(copies.length).toBeGreaterThan(0);
    expect(copies.filter((f) => !/^\d+\.mp4$/.test(f))).toEqual([]);

    // The desk: the primary's own recordings and, in its gap, the standby's marked as such, with no gap longer than the takeover.
    await d.call('sites.retry', { id: deskSite });
    await waitOnline(d, deskSite);
    // Its live tiles moved back to the primary once the desk reached it (opened there, closed on the standby: both logs say
    // so) and play on.
    await expect.poll(async () => (await liveByDesk(p2, 'live.open')).filter((at) => at > restartedAt).length, { timeout: 8000, interval: 250 }).toBeGreaterThanOrEqual(2);
    await expect.poll(async () => (await liveByDesk(s, 'live.close')).filter((at) => at > restartedAt).length, { timeout: 8000, interval: 250 }).toBeGreaterThanOrEqual(2);
    const movedAt = Date.now();
    await expect.poll(() => movingSince(before, movedAt), { timeout: 8000, interval: 250 }).toBe(true);
    let onDeskSpans: Span[][] = [];
    await expect.poll(async () => {
      onDeskSpans = await spansOf(d, onDesk, from, to);
      return onDeskSpans.map((list) => list.some((x) => x.standby) && longestGap(list, from, to) <= takeoverMs);
    }, { timeout: 10_000, interval: 500 }).toEqual(ids.map(() => true));
    // An export of the standby's part on the desk: copied from the standby (the primary has nothing then), playable.
    const standbySpan = onDeskSpans[0]!.filter((x) => x.standby).sort((a, b) => (b.end - b.start) - (a.end - a.start))[0]!;
    const mid = Math.round((standbySpan.start + standbySpan.end) / 2);
    const { exportId, folder } = await d.call<{ exportId: number; folder: string }>('export.start', { channelIds: [onDesk[0]], from: mid - 1500, to: mid + 1500 });
    await expect.poll(() => d.events.find((e) => e.name === 'export.progress' && e.payload.exportId === exportId && e.payload.state !== 'running')?.payload, { timeout: 15_000 })
      .toMatchObject({ state: 'done' });
    const files = readdirSync(folder).filter((f) => f.endsWith('.mp4'));
    expect(files).toHaveLength(1);
    const probe = spawnSync('ffprobe', ['-v', 'error', '-count_frames', '-select_streams', 'v:0', '-show_entries', 'stream=nb_read_frames', '-of', 'csv=p=0', join(folder, files[0]!)]);
    expect(Number(probe.stdout.toString().trim()), probe.stderr.toString()).toBeGreaterThan(10);
  });

  it('a primary that hangs with its connections open (SIGSTOP): not answering, taken over, live from the standby; SIGCONT: handed back', { timeout: 60_000 }, async () => {
    const hung = primary.proc;
    // A stopped station would not end with the file: continued first.
    scope.defer(() => hung.kill('SIGCONT'));
    const stoppedAt = Date.now();
    hung.kill('SIGSTOP');
    // Both links stay open; each says the station does not answer (not that it is gone), and the standby records.
    await expect.poll(() => siteState(s, siteId), { timeout: NO_ANSWER_MS + 5000, interval: 200 }).toBe('not_answering');
    await expect.poll(() => siteState(d, deskSite), { timeout: NO_ANSWER_MS + 5000, interval: 200 }).toBe('not_answering');
    await expect.poll(async () => (await standbyOf())?.state, { timeout: 15_000, interval: 200 }).toBe('recording');
    const tookOverAt = Date.now();
    // Noticed within the ping's hang (5 s) or the link's wait, the takeover's wait counted from the unanswered ping.
    expect(tookOverAt - stoppedAt).toBeLessThan(Math.max(5000, NO_ANSWER_MS) + WAIT_S * 1000 + 5000);
    // The desk's tile plays again, from the standby.
    await expect.poll(() => movingSince(before, tookOverAt), { timeout: 15_000, interval: 200 }).toBe(true);
    expect((await liveByDesk(s, 'live.open')).some((at) => at > stoppedAt)).toBe(true);

    const contAt = Date.now();
    hung.kill('SIGCONT');
    await expect.poll(() => siteState(d, deskSite), { timeout: NO_ANSWER_MS + 10_000, interval: 200 }).toBe('online');
    await expect.poll(async () => (await standbyOf())?.state, { timeout: 30_000, interval: 250 }).toBe('watching');
    // The desk's tiles left the standby for the primary again, and play on.
    await expect.poll(async () => (await liveByDesk(s, 'live.close')).filter((at) => at > contAt).length, { timeout: 8000, interval: 250 }).toBeGreaterThanOrEqual(2);
    const backAt = Date.now();
    await expect.poll(() => movingSince(before, backAt), { timeout: 8000, interval: 250 }).toBe(true);
  });
});
