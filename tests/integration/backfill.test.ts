// Edge backfill end to end: a camsim camera keeps recording to its card while it refuses the station (offline through
// the fault API); once it is back the station fetches the missing range from the card (Dahua's /cam/playback), writes it
// as segments marked from the camera, and the archive plays across the outage. A part the card lacks (its card-gap
// fault) stays a gap with the reason not_on_card. The camera, added by RTSP URL, keeps Tokyo's time on its clock and the
// channel's setting says so: the playback URL names the outage in that local time (asked in UTC, the card would lack it
// all). (The 60 s outage is bench:faults' backfill section.)
import { describe, expect, it } from 'vitest';
import { openRtspSource, type RtspResponse } from '../../electron/core/media/rtsp-source';
import { onvifReplay } from '../../electron/core/recording/backfill';
import { startFleet, withCredentials } from '../../scripts/camsim/fleet';
import { cardOutage, frameHoles } from '../helpers/backfill';

const DOWN_MS = 20_000;

describe('edge backfill', () => {
  it('fills a 20 s outage from the camera card (playback crosses it with no missing second); a part the card lacks stays a gap with its reason', async () => {
    const r = await cardOutage({ downMs: DOWN_MS, lose: { from: 8000, to: 12_000 }, subnet: '127.0.93', tz: 'JST-9', cardTimeZone: 'Asia/Tokyo' });
    expect(r.fillMs).toBeLessThan(120_000);
    const lost = r.lost!;

    // The card's hole is one gap with its reason, where the card lacks it (the card resumes at its next keyframe).
    const lacking = r.timeline.gaps.filter((g) => g.reason === 'not_on_card');
    expect(lacking).toHaveLength(1);
    expect(Math.abs(lacking[0]!.start - lost.start)).toBeLessThan(1000);
    expect(lacking[0]!.end).toBeGreaterThanOrEqual(lost.end - 300);
    expect(lacking[0]!.end - lost.end).toBeLessThan(2500);
    expect(r.timeline.gaps.filter((g) => g.reason === 'camera_offline' && g.end > r.down && g.start < r.up)).toHaveLength(0);

    // Everything else of the outage is filled, drawn as from the camera, on both sides of the hole.
    // All the card held of the outage is in the archive now (filled, or recorded live at its edges).
    expect(r.fillRatio).toBeGreaterThan(0.98);
    expect(r.filledMs).toBeGreaterThan(DOWN_MS - r.lackingMs - 4000);
    expect(r.timeline.filled.some((f) => f.start <= r.down + 300 && f.end >= lost.start - 1000)).toBe(true);
    expect(r.timeline.filled.some((f) => f.start <= lost.end + 2500 && f.end >= r.up - 2500)).toBe(true);
    expect(r.segmentsFromCamera).toBeGreaterThan(1);

    // The archive reads across the outage frame after frame: no second missing but the card's hole, time never back.
    expect(r.frames[0]!).toBeLessThan(r.down - 2000);
    expect(r.frames.at(-1)!).toBeGreaterThan(r.up + 2000);
    const { holes, backMs } = frameHoles(r.frames);
    expect(backMs).toBeLessThan(100);
    expect(holes).toHaveLength(1);
    expect(holes[0]![0]).toBeLessThanOrEqual(lacking[0]!.start + 100);
    expect(holes[0]![1]).toBeGreaterThanOrEqual(lacking[0]!.end - 100);
  }, 240_000);

  it('serves the card as ONVIF Profile G replay: PLAY (with Require: onvif-replay) with a clock Range gives that range, from its keyframe, as fast as it is read, then ends', async () => {
    const fleet = await startFleet({ devices: 1, channels: 1, subnet: '127.0.94', ports: 'ephemeral' });
    try {
      const url = withCredentials(fleet.manifest.devices[0]!.channels[0]!.sub.rtsp);
      const stream = fleet.device(0).stream(1, 'sub')!;
      await stream.parameterSets();
      await new Promise((r) => setTimeout(r, 7000));
      const replay = url.replace(/\/cam\/realmonitor\?.*$/, '/onvif/replay/rec_ch1_sub');
      const start = Date.now() - 6000;
      const end = start + 4000;
      const src = onvifReplay(replay, start, end);
      // Without `Require: onvif-replay` the replay URI is not played (camsim is strict, so the station's header is tested).
      const refused = await new Promise<string>((resolve) => {
        const s = openRtspSource(src.url, { part: () => {}, bytes: () => {}, closed: resolve, unsupported: resolve }, { timeoutMs: 5000, play: src.play, playing: () => resolve('played') });
        setTimeout(() => { s.close(); resolve('no answer'); }, 8000).unref();
      });
      expect(refused).toMatch(/551/);
      const t0 = Date.now();
      const got = await new Promise<{ played: RtspResponse; frames: { dts: number; key: boolean }[]; why: string }>((resolve, reject) => {
        let played: RtspResponse | undefined;
        const frames: { dts: number; key: boolean }[] = [];
        const s = openRtspSource(src.url, {
          part: (p) => { if (p.kind === 'fragment') frames.push({ dts: p.info.baseDecodeTime, key: p.info.keyframe }); },
          bytes: () => {},
          closed: (why) => (played ? resolve({ played, frames, why }) : reject(new Error(why))),
          unsupported: (why) => reject(new Error(why)),
        }, { timeoutMs: 10_000, headers: src.headers, play: src.play, playing: (r) => { played = r; } });
        setTimeout(() => { s.close(); reject(new Error('the replay did not end')); }, 20_000).unref();
      });
      // As fast as read: 4 s of video in well under 4 s.
      expect(Date.now() - t0).toBeLessThan(3000);
      const range = /clock=(\d{8}T\d{6}(?:\.\d+)?Z)-(\d{8}T\d{6}(?:\.\d+)?Z)/.exec(got.played.headers.get('range')?.[0] ?? '');
      expect(range).not.toBeNull();
      const iso = (c: string) => Date.parse(c.replace(/^(\d{4})(\d{2})(\d{2})T(\d{2})(\d{2})(\d{2})/, '$1-$2-$3T$4:$5:$6'));
      const from = iso(range![1]!);
      expect(from).toBeLessThanOrEqual(start);
      expect(start - from).toBeLessThan(2000);
      expect(got.frames[0]!.key).toBe(true);
      // Every frame from the keyframe to the range's end, 25 a second.
      const lastMs = (got.frames.at(-1)!.dts * 1000) / 90_000;
      expect(from + lastMs).toBeLessThan(end);
      expect(from + lastMs).toBeGreaterThan(end - 200);
      expect(got.frames.length).toBe(Math.round(lastMs / 40) + 1);
    } finally {
      await fleet.close();
    }
  }, 60_000);
});
