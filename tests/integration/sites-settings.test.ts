// Many stations, one desk: another station's recording settings, read and changed from a desk through its link (issue 14).
// A station Yard serving desks over TLS on 127.0.0.2 and two desks that both added it. Both read a channel's settings and
// both change them: the second change is refused with `settings.changedMeanwhile` by Yard, the first stands, and read
// again the second goes through, changing only what it names (Yard signals each change, and desk 2 hears it through its
// link); a desk and Yard's own page on its archive limits likewise.
// Yard's own rights apply (an account there without Recording settings is refused, in words naming the station and the
// account); one call changes one station's channels; "Record now" marks the channel there; a station not connected is
// refused at once, the desk answering its own calls.
import { beforeAll, describe, expect, it } from 'vitest';
import { siteChannelId } from '../../electron/contract';
import { TEST_ADMIN } from '../helpers/auth';
import { fileScope } from '../helpers/fixtures';
import { freeTcpPort, mediaClient, serveStation, servedStationDir, type MediaClient } from '../helpers/in-process-station';

const scope = fileScope();
const WEEKDAYS = ('1'.repeat(48 * 5) + '0'.repeat(48 * 2));
let r: MediaClient, d1: MediaClient, d2: MediaClient;
let port: number, site1: number, site2: number, gate: number, yard: number, own: number;

const ok = (res: any) => {
  if (!res.ok) throw new Error(res.error.message);
  return res.value;
};
const refusal = (res: any) => (res.ok ? null : { code: res.error.code, reason: res.error.reason, params: res.error.params });
const stale = { code: 'conflict', reason: 'settings.changedMeanwhile', params: { field: 'revision' } };
const online = (d: MediaClient, id: number) => expect.poll(async () => ok(await d.call('sites.list', {})).find((s: any) => s.id === id)?.state, { timeout: 10_000 });
const onYard = async () => ok(await r.call('recording.config', {}));

async function addYard(d: MediaClient, fingerprint: string): Promise<number> {
  const { id } = ok(await d.call('sites.add', { name: 'Yard', host: '127.0.0.2', port, username: TEST_ADMIN.name, password: TEST_ADMIN.password }));
  ok(await d.call('sites.trust', { id, fingerprint }));
  return id;
}

beforeAll(async () => {
  const opts = { heartbeatMs: 60_000 };
  const [yardStation, desk1, desk2] = await Promise.all([
    serveStation(servedStationDir(scope, 'wp-ss-yard-'), opts), serveStation(servedStationDir(scope, 'wp-ss-d1-'), opts), serveStation(servedStationDir(scope, 'wp-ss-d2-'), opts),
  ]);
  for (const s of [yardStation, desk1, desk2]) scope.add(s);
  [r, d1, d2] = await Promise.all([mediaClient(scope, yardStation.server), mediaClient(scope, desk1.server), mediaClient(scope, desk2.server)]);
  // Channels whose camera never answers: their settings are what is under test, not their recordings.
  gate = ok(await r.call('channels.addRtsp', { name: 'Gate', mainUrl: 'rtsp://127.0.0.1:9/gate', subUrl: null })).id;
  yard = ok(await r.call('channels.addRtsp', { name: 'Shed', mainUrl: 'rtsp://127.0.0.1:9/shed', subUrl: null })).id;
  own = ok(await d1.call('channels.addRtsp', { name: 'Desk door', mainUrl: 'rtsp://127.0.0.1:9/desk', subUrl: null })).id;
  port = await freeTcpPort();
  const { fingerprint } = ok(await r.call('sites.setServing', { enabled: true, host: '127.0.0.2', port }));
  [site1, site2] = await Promise.all([addYard(d1, fingerprint), addYard(d2, fingerprint)]);
}, 30_000);

describe('another station\'s recording settings, from two desks', () => {
  it('the second of two desks changing the same channel is refused by that station; the first change stands', async () => {
    await online(d1, site1).toBe('online');
    await online(d2, site2).toBe('online');
    const g1 = siteChannelId(site1, gate), g2 = siteChannelId(site2, gate);
    const [a, b] = [ok(await d1.call('sites.recordingConfig', { id: site1 })), ok(await d2.call('sites.recordingConfig', { id: site2 }))];
    // Yard's settings and revision as its own page reads them.
    expect(a.revision).toBe(b.revision);
    expect(a.revision).toBe((await onYard()).revision);
    const first = ok(await d1.call('recording.setChannels', { channelIds: [g1], mode: 'schedule', schedule: WEEKDAYS, retentionDays: 12, revision: a.revision }));
    expect(first).toEqual([expect.objectContaining({ channelId: g1, mode: 'schedule', retentionDays: 12 })]);
    // Yard signals the change to its own pages, and through its link to desk 2's (whose Storage page reads it again).
    await expect.poll(() => r.events.some((e) => e.name === 'recording.changed' && e.payload.revision > a.revision), { timeout: 5000 }).toBe(true);
    await expect.poll(() => d2.events.find((e) => e.name === 'sites.recordingChanged' && e.payload.revision > b.revision)?.payload, { timeout: 5000 })
      .toEqual({ siteId: site2, revision: a.revision + 1 });
    // Desk 2 read them before that change: Yard refuses it and stores nothing.
    expect(refusal(await d2.call('recording.setChannels', { channelIds: [g2], mode: 'continuous', retentionDays: 40, revision: b.revision }))).toEqual(stale);
    const there = (await onYard()).channels.find((c: any) => c.channelId === gate);
    expect(there).toMatchObject({ mode: 'schedule', schedule: WEEKDAYS, retentionDays: 12 });
    // The desks keep no settings of their own for it (nothing recorded twice).
    expect(ok(await d1.call('recording.config', {})).channels.filter((c: any) => c.channelId >= 1_000_000)).toEqual([]);
    // Read again, desk 2 sees desk 1's change under its own ids, and its change (one field) goes through on top of it.
    const again = ok(await d2.call('sites.recordingConfig', { id: site2 }));
    expect(again.revision).toBeGreaterThan(b.revision);
    expect(again.channels.find((c: any) => c.channelId === g2)).toMatchObject({ mode: 'schedule', retentionDays: 12 });
    ok(await d2.call('recording.setChannels', { channelIds: [g2], retentionDays: 40, revision: again.revision }));
    expect((await onYard()).channels.find((c: any) => c.channelId === gate)).toMatchObject({ mode: 'schedule', schedule: WEEKDAYS, retentionDays: 40 });
    // Another channel nobody changed since takes desk 1's stale revision.
    ok(await d1.call('recording.setChannels', { channelIds: [siteChannelId(site1, yard)], preSeconds: 4, revision: a.revision }));
    expect((await onYard()).channels.find((c: any) => c.channelId === yard)).toMatchObject({ preSeconds: 4 });
    // What its recorders do (Gate's, set to record), under the desk's ids.
    const status = ok(await d1.call('sites.recordingStatus', { id: site1 }));
    expect(status.channels.map((c: any) => c.channelId)).toEqual([g1]);
    // "Record now" on a remote channel marks it there.
    ok(await d1.call('recording.trigger', { channelId: siteChannelId(site1, yard), kind: 'manual' }));
    const [marks] = ok(await r.call('archive.timeline', { channelIds: [yard], from: Date.now() - 60_000, to: Date.now() + 1000 }));
    expect(marks.events).toEqual([expect.objectContaining({ kind: 'manual' })]);
  });

  it('a desk and that station\'s own page on its archive limits: the stale one is refused, the first stands', async () => {
    const read = ok(await d1.call('sites.recordingConfig', { id: site1 }));
    const mine = await onYard();
    ok(await r.call('recording.setArchive', { ...mine.archive, segmentSeconds: 7, revision: mine.revision }));
    expect(refusal(await d1.call('sites.setArchive', { id: site1, ...read.archive, segmentSeconds: 9, revision: read.revision }))).toEqual(stale);
    expect((await onYard()).archive.segmentSeconds).toBe(7);
    const now = ok(await d1.call('sites.recordingConfig', { id: site1 }));
    expect(ok(await d1.call('sites.setArchive', { id: site1, ...now.archive, segmentSeconds: 9, revision: now.revision }))).toMatchObject({ segmentSeconds: 9 });
    expect((await onYard()).archive.segmentSeconds).toBe(9);
  });

  it('one call changes one station\'s channels', async () => {
    const read = ok(await d1.call('sites.recordingConfig', { id: site1 }));
    expect(refusal(await d1.call('recording.setChannels', { channelIds: [own, siteChannelId(site1, gate)], preSeconds: 2, revision: read.revision })))
      .toEqual({ code: 'bad_input', reason: 'site.oneStation', params: { field: 'channelIds' } });
    expect((await onYard()).channels.find((c: any) => c.channelId === gate).preSeconds).not.toBe(2);
  });

  it('that station\'s rights apply: an account there without Recording settings is refused, in words naming it', async () => {
    ok(await r.call('users.create', { name: 'desk-viewer', password: 'Viewer-pass-42', roleId: 'viewer', channels: null, mustChangePassword: false }));
    ok(await d2.call('sites.setCredentials', { id: site2, username: 'desk-viewer', password: 'Viewer-pass-42' }));
    await online(d2, site2).toBe('online');
    const refused = { code: 'forbidden', reason: 'site.missingRight', params: { name: 'Yard', user: 'desk-viewer', right: 'recordingSettings' } };
    const read = await d2.call('sites.recordingConfig', { id: site2 });
    expect(refusal(read)).toEqual(refused);
    expect(read.error.message).toMatch(/^Station “Yard” refused: the account “desk-viewer” .* does not have the right “Recording settings” there\./);
    const before = await onYard();
    expect(refusal(await d2.call('recording.setChannels', { channelIds: [siteChannelId(site2, gate)], mode: 'off', revision: before.revision }))).toEqual(refused);
    expect(refusal(await d2.call('sites.setArchive', { id: site2, ...before.archive, segmentSeconds: 11, revision: before.revision }))).toEqual(refused);
    expect(await onYard()).toEqual(before);
  });

  it('a station not connected is refused at once, while the desk answers its own calls', async () => {
    ok(await r.call('sites.setServing', { enabled: false, host: '127.0.0.2', port }));
    await online(d1, site1).not.toBe('online');
    const t0 = Date.now();
    const [config, change, mine] = await Promise.all([
      d1.call('sites.recordingConfig', { id: site1 }),
      d1.call('recording.setChannels', { channelIds: [siteChannelId(site1, gate)], mode: 'off', revision: 0 }),
      d1.call('recording.config', {}),
    ]);
    expect(Date.now() - t0).toBeLessThan(1000);
    for (const res of [config, change]) expect(res.error).toMatchObject({ code: 'unavailable', reason: 'site.notConnected', params: { name: 'Yard' } });
    expect(mine.ok).toBe(true);
    expect((await onYard()).channels.find((c: any) => c.channelId === gate).mode).toBe('schedule');
  });
});
