// Edge backfill from cameras added as devices: an ONVIF camera whose live URL is not Dahua's (camsim's Hikvision flavour,
// /Streaming/Channels/…) is filled through ONVIF Profile G (GetRecordings → GetReplayUri → RTSP PLAY with
// `Require: onvif-replay` and a clock Range), and a Dahua-driver camera in another time zone through Dahua's playback
// URL, whose start and end times are the camera's local clock (asked in UTC, the card would lack all of it).
import { describe, expect, it } from 'vitest';
import { cardOutage, frameHoles, type OutageReport } from '../helpers/backfill';

const DOWN_MS = 8000;

function expectFilled(r: OutageReport): void {
  expect(r.fillMs).toBeLessThan(120_000);
  expect(r.timeline.gaps.filter((g) => g.end > r.down && g.start < r.up && (g.reason === 'camera_offline' || g.reason === 'not_on_card'))).toEqual([]);
  expect(r.fillRatio).toBeGreaterThan(0.98);
  expect(r.filledMs).toBeGreaterThan(DOWN_MS - 4000);
  expect(r.segmentsFromCamera).toBeGreaterThan(0);
  // Playback runs across the outage with no missing second, time never going back.
  expect(r.frames[0]!).toBeLessThan(r.down - 2000);
  expect(r.frames.at(-1)!).toBeGreaterThan(r.up + 2000);
  const { holes, backMs } = frameHoles(r.frames);
  expect(holes).toEqual([]);
  expect(backMs).toBeLessThan(100);
}

describe('edge backfill from devices', () => {
  it('fills an ONVIF camera\'s outage through Profile G replay (its live URL has no Dahua playback form)', async () => {
    expectFilled(await cardOutage({ downMs: DOWN_MS, via: 'onvif', flavour: 'hikvision', subnet: '127.0.95' }));
  }, 180_000);

  it('asks a Dahua camera nine hours ahead of UTC for the outage in its own local time', async () => {
    expectFilled(await cardOutage({ downMs: DOWN_MS, via: 'dahua', tz: 'JST-9', subnet: '127.0.96' }));
  }, 180_000);
});
