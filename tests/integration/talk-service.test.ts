// Talk in the station (live/talk-service.ts) against camsim: which channels have a speaker, one voice per speaker, a
// window that goes away mid-talk (the talk ends, the operation log says so), a channel added by URL (its DESCRIBE says), and
// a channel without a speaker.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Channel } from '../../electron/contract';
import { ClientSession } from '../../electron/core/client-session';
import type { Station } from '../../electron/core/station';
import { withCredentials } from '../../scripts/camsim/fleet';
import { startCamsim, type CamsimProcess } from '../helpers/camsim-process';
import { fileScope } from '../helpers/fixtures';
import { startStationIn } from '../helpers/in-process-station';
import { stationCall } from '../helpers/station-call';

const scope = fileScope();
const admin = new ClientSession('talk-admin');
let camsim: CamsimProcess, st: Station, camera: Channel, rtspOnly: Channel, nvrByUrl: Channel;

/** 0.5 s of a 440 Hz tone as talk.audio takes it (8 kHz 16-bit little-endian PCM, base64). */
const halfSecond = () => {
  const b = Buffer.alloc(8000);
  for (let i = 0; i < 4000; i++) b.writeInt16LE(Math.round(8000 * Math.sin((2 * Math.PI * 440 * i) / 8000)), i * 2);
  return b.toString('base64');
};
const refusal = (p: Promise<unknown>) => p.then(() => 'no refusal', (err: { reason?: string; message?: string }) => err.reason ?? err.message);

beforeAll(async () => {
  [camsim, { st }] = await Promise.all([startCamsim(['--devices', '1', '--channels', '1', '--nvr', '1']), startStationIn(scope, scope.tempDir('wp-talk-'))]);
  const d = camsim.manifest.devices[0]!;
  await stationCall(st, admin, 'devices.add', { address: d.ip, httpPort: d.ports.http, ...d.credentials });
  rtspOnly = await stationCall(st, admin, 'channels.addRtsp', { name: 'Gate by URL', mainUrl: withCredentials(d.channels[0]!.sub.rtsp), subUrl: null, allowSameUrl: true });
  // An NVR's channel has no speaker (camsim answers the back channel's DESCRIBE with 551).
  const nvr = camsim.manifest.devices.find((x) => x.kind === 'nvr')!;
  nvrByUrl = await stationCall(st, admin, 'channels.addRtsp', { name: 'NVR by URL', mainUrl: withCredentials(nvr.channels[0]!.sub.rtsp, nvr.credentials), subUrl: null });
  // The speaker is asked of the device in the background once it is added.
  for (const until = Date.now() + 10_000; !camera && Date.now() < until; await new Promise((r) => setTimeout(r, 100))) {
    camera = (await stationCall(st, admin, 'channels.list')).find((c) => c.device && c.speaker)!;
  }
}, 60_000);
afterAll(() => camsim?.stop());

describe('talk in the station', () => {
  it('lists the speaker of a device\'s channel and of one added by URL (asked by its DESCRIBE); none on an NVR, where talk is refused', async () => {
    expect(camera.speaker).toBe(true);
    const speakerOf = async (id: number) => (await stationCall(st, admin, 'channels.list')).find((c) => c.id === id)!.speaker;
    await expect.poll(() => speakerOf(rtspOnly.id), { timeout: 10_000 }).toBe(true);
    expect(await speakerOf(nvrByUrl.id)).toBe(false);
    expect(await refusal(stationCall(st, admin, 'talk.start', { channelId: nvrByUrl.id }))).toBe('talk.noSpeaker');
    const s = new ClientSession('talk-url');
    expect(await stationCall(st, s, 'talk.start', { channelId: rtspOnly.id })).toEqual({ via: 'onvif' });
    await stationCall(st, s, 'talk.stop', { channelId: rtspOnly.id });
  });

  it('one voice per speaker; a window that goes away mid-talk ends it, and the operation log says so', { timeout: 30_000 }, async () => {
    const a = new ClientSession('talk-a'), b = new ClientSession('talk-b');
    expect(await stationCall(st, a, 'talk.start', { channelId: camera.id })).toEqual({ via: 'onvif' });
    expect(await refusal(stationCall(st, b, 'talk.start', { channelId: camera.id }))).toBe('talk.busy');
    expect(await refusal(stationCall(st, b, 'talk.audio', { channelId: camera.id, pcm: halfSecond() }))).toBe('talk.notTalking');
    for (let i = 0; i < 2; i++) await stationCall(st, a, 'talk.audio', { channelId: camera.id, pcm: halfSecond() });
    a.close();
    const last = async () => (await camsim.talks('cam-01'))[0]!.talks.at(-1)!;
    await expect.poll(async () => (await last()).endedAt, { timeout: 5000 }).toBeGreaterThan(0);
    expect((await last()).durationMs).toBe(1000);
    const rows = await stationCall(st, admin, 'oplog.query', { kind: 'talk.ended', limit: 5 });
    expect(rows.map((r) => ({ channelId: r.channelId, ...JSON.parse(r.detail) }))).toContainEqual(expect.objectContaining({ channelId: camera.id, via: 'onvif', ended: 'the page went away' }));
    // The speaker is free again.
    expect(await stationCall(st, b, 'talk.start', { channelId: camera.id })).toEqual({ via: 'onvif' });
    await stationCall(st, b, 'talk.audio', { channelId: camera.id, pcm: halfSecond() });
    expect((await stationCall(st, b, 'talk.stop', { channelId: camera.id })).via).toBe('onvif');
    expect(await refusal(stationCall(st, b, 'talk.stop', { channelId: camera.id }))).toBe('talk.notTalking');
  });
});
