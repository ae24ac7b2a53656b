// ONVIF Profile G as the station reads it for edge backfill (devices/drivers/onvif-replay.ts, onvif.ts localClockOffset)
// and the card sources it makes (recording/backfill.ts): proven on a Hikvision camera's own answers
// (tests/fixtures/devices/hikvision/recordings.xml, recording-search-results.xml, replay-uri.xml; where they come from is
// in that folder's SOURCES.md: a Hikvision camera's replies logged in a public gSOAP ONVIF client) and on camsim's shapes.
import { describe, expect, it } from 'vitest';
import { localClockOffset, measuredZone } from '../../electron/core/devices/drivers/onvif';
import { parseRecordings, parseReplayUri, parseSearchResults, pickRecording, type Recording } from '../../electron/core/devices/drivers/onvif-replay';
import { at, parseUntrustedXml } from '../../electron/core/net/xml';
import { cardSource, dahuaPlayback, zoneOffsetMs } from '../../electron/core/recording/backfill';
import { ChannelRecordingConfig } from '../../electron/contract';
import { fixture } from '../helpers/device-fixtures';

const body = (xml: string, op: string) => at(parseUntrustedXml(xml), 'Envelope', 'Body', op);

describe('ONVIF Profile G replies (a Hikvision camera)', () => {
  it('reads GetRecordings: the token, its source and track types', () => {
    expect(parseRecordings(body(fixture('hikvision', 'recordings.xml'), 'GetRecordingsResponse'))).toEqual([
      { token: 'OnvifRecordingToken_1', sourceId: 'SourceId_1', tracks: ['Video', 'Audio', 'Metadata'] },
    ]);
  });

  it('reads GetRecordingSearchResults: the state and each recording', () => {
    expect(parseSearchResults(body(fixture('hikvision', 'recording-search-results.xml'), 'GetRecordingSearchResultsResponse'))).toEqual({
      state: 'Completed', recordings: [{ token: 'OnvifRecordingToken_1', sourceId: 'SourceId_1', tracks: ['Video', 'Audio', 'Metadata'] }],
    });
  });

  it('reads GetReplayUri with its escaped query, and refuses what is not RTSP', () => {
    expect(parseReplayUri(body(fixture('hikvision', 'replay-uri.xml'), 'GetReplayUriResponse')))
      .toBe('rtsp://49.235.201.96:554/Streaming/Tracks/101?transportmode=unicast&replaymode=onvifreplay');
    expect(parseReplayUri({ Uri: 'http://cam/replay' })).toBeUndefined();
    expect(parseReplayUri({})).toBeUndefined();
  });

  it('picks a single camera\'s only recording whatever its source id (Hikvision\'s SourceId_1 is not its video source token)', () => {
    const recs = parseRecordings(body(fixture('hikvision', 'recordings.xml'), 'GetRecordingsResponse'));
    expect(pickRecording(recs, 1, 'main', 'VideoSource_1')?.token).toBe('OnvifRecordingToken_1');
    expect(pickRecording(recs, 1, 'sub', 'VideoSource_1')?.token).toBe('OnvifRecordingToken_1');
  });
});

describe('choosing a channel\'s recording', () => {
  const rec = (token: string, sourceId: string, tracks = ['Video']): Recording => ({ token, sourceId, tracks });
  // camsim: two recordings per channel, main then sub, their source the channel's video source.
  const camsim = [rec('rec_ch1_main', 'vs1'), rec('rec_ch1_sub', 'vs1'), rec('rec_ch2_main', 'vs2'), rec('rec_ch2_sub', 'vs2')];

  it('by the channel\'s video source: the first for main, the second for sub', () => {
    expect(pickRecording(camsim, 2, 'main', 'vs2')?.token).toBe('rec_ch2_main');
    expect(pickRecording(camsim, 2, 'sub', 'vs2')?.token).toBe('rec_ch2_sub');
    expect(pickRecording([rec('r1', 'vs1')], 1, 'sub', 'vs1')?.token).toBe('r1');
  });

  it('without a match by source: the channel\'s place in the list; never a recording without video', () => {
    const nvr = [rec('a', 'x'), rec('b', 'y'), rec('c', 'z')];
    expect(pickRecording(nvr, 2, 'main', 'VideoSource_2')?.token).toBe('b');
    expect(pickRecording(nvr, 4, 'main')).toBeUndefined();
    expect(pickRecording([rec('audio', 'vs1', ['Audio'])], 1, 'main', 'vs1')).toBeUndefined();
  });
});

describe('the device\'s local clock', () => {
  const sdt = (utc: Date, local: Date) => {
    const f = (d: Date) => ({ year: d.getUTCFullYear(), month: d.getUTCMonth() + 1, day: d.getUTCDate(), hour: d.getUTCHours(), minute: d.getUTCMinutes(), second: d.getUTCSeconds() });
    const [head, tail] = fixture('hikvision', 'system-date-and-time.xml').split('<tt:LocalDateTime>') as [string, string];
    const fill = (s: string, t: Record<string, number>) => s.replace(/\{\{(\w+)\}\}/g, (_m, k: string) => String(t[k]));
    return body(`${fill(head, f(utc))}<tt:LocalDateTime>${fill(tail, f(local))}`, 'GetSystemDateAndTimeResponse');
  };
  const now = Date.UTC(2026, 11, 2, 23, 30, 0);

  it('is its zone from GetSystemDateAndTime (CST-8: eight hours ahead), plus its clock\'s error when past 2 s', () => {
    expect(localClockOffset(sdt(new Date(now), new Date(now + 8 * 3_600_000)), now)).toBe(8 * 3_600_000);
    expect(localClockOffset(sdt(new Date(now + 1000), new Date(now + 1000 + 8 * 3_600_000)), now)).toBe(8 * 3_600_000);
    expect(localClockOffset(sdt(new Date(now + 30_000), new Date(now + 30_000 - 5 * 3_600_000)), now)).toBe(-5 * 3_600_000 + 30_000);
    expect(localClockOffset({}, now)).toBeNull();
  });

  it('measured against this host\'s clock (Dahua getCurrentTime) is rounded to the quarter hour only when that is all it is', () => {
    expect(measuredZone(9 * 3_600_000 + 1200)).toBe(9 * 3_600_000);
    expect(measuredZone(-(5 * 3_600_000 + 1800_000) - 900)).toBe(-(5 * 3_600_000 + 1800_000));
    expect(measuredZone(3_600_000 + 45_000)).toBe(3_600_000 + 45_000);
  });
});

describe('card sources', () => {
  const start = Date.UTC(2026, 11, 2, 23, 15, 0);
  const end = start + 60_000;

  it('Dahua\'s playback URL names the camera\'s local time', () => {
    const u = new URL(dahuaPlayback('rtsp://admin:pw@10.0.0.5/cam/realmonitor?channel=2&subtype=1', start, end, 9 * 3_600_000)!.url);
    expect(u.pathname).toBe('/cam/playback');
    expect(u.searchParams.get('channel')).toBe('2');
    expect(u.searchParams.get('subtype')).toBe('1');
    expect(u.searchParams.get('starttime')).toBe('2026_12_03_08_15_00');
    expect(u.searchParams.get('endtime')).toBe('2026_12_03_08_16_01');
    expect(dahuaPlayback('rtsp://10.0.0.5/Streaming/Channels/101', start, end)).toBeUndefined();
  });

  it('a Profile G replay URI gets the live URL\'s credentials, Require: onvif-replay and a UTC clock Range', () => {
    const src = cardSource('rtsp://admin:p%40ss@10.0.0.5/Streaming/Channels/102', { replayUri: 'rtsp://10.0.0.5:554/Streaming/Tracks/101?transportmode=unicast&replaymode=onvifreplay', localOffsetMs: 8 * 3_600_000 }, start, end)!;
    expect(src.url).toBe('rtsp://admin:p%40ss@10.0.0.5:554/Streaming/Tracks/101?transportmode=unicast&replaymode=onvifreplay');
    expect(src.headers).toEqual({ Require: 'onvif-replay' });
    expect(src.play).toEqual({ Range: 'clock=20261202T231500.000Z-20261202T231600.000Z', 'Rate-Control': 'no' });
    // No replay URI: the Dahua URL in local time; neither: nothing.
    expect(cardSource('rtsp://10.0.0.5/cam/realmonitor?channel=1&subtype=0', { localOffsetMs: 3_600_000 }, start, end)!.url).toContain('starttime=2026_12_03_00_15_00');
    expect(cardSource('rtsp://10.0.0.5/Streaming/Channels/102', undefined, start, end)).toBeUndefined();
  });

  it('a channel added by URL: its camera clock\'s zone (UTC unless set) gives the offset its Dahua playback URL is built with', () => {
    const url = 'rtsp://admin:pw@10.0.0.5/cam/realmonitor?channel=1&subtype=0';
    const startOf = (zone: string, at: number) => new URL(cardSource(url, { localOffsetMs: zoneOffsetMs(zone, at) }, at, at + 60_000)!.url).searchParams.get('starttime');
    // 23:15 UTC on 2 December: UTC as is; Kolkata 5 h 30 ahead; Kathmandu 5 h 45; New York 5 h behind (no DST in December).
    expect(startOf('UTC', start)).toBe('2026_12_02_23_15_00');
    expect(startOf('Asia/Kolkata', start)).toBe('2026_12_03_04_45_00');
    expect(startOf('Asia/Kathmandu', start)).toBe('2026_12_03_05_00_00');
    expect(startOf('America/New_York', start)).toBe('2026_12_02_18_15_00');
    // Its daylight saving time as the zone keeps it: 4 h behind in July; Berlin 2 h ahead in July, 1 h in December.
    const july = Date.UTC(2026, 6, 1, 12, 0, 30, 250);
    expect(startOf('America/New_York', july)).toBe('2026_07_01_08_00_30');
    expect(zoneOffsetMs('Europe/Berlin', july)).toBe(2 * 3_600_000);
    expect(zoneOffsetMs('Europe/Berlin', start)).toBe(3_600_000);
    expect(zoneOffsetMs('Asia/Kolkata', july)).toBe(5.5 * 3_600_000);
  });

  it('the setting takes a zone name this runtime knows, or UTC; anything else is refused naming the field', () => {
    const base = { channelId: 1, mode: 'continuous', stream: 'main', schedule: '1'.repeat(336), preSeconds: 0, postSeconds: 0, retentionDays: null, motionGrid: true, backfill: true };
    expect(ChannelRecordingConfig.safeParse({ ...base, cardTimeZone: 'Asia/Kolkata' }).success).toBe(true);
    expect(ChannelRecordingConfig.safeParse({ ...base, cardTimeZone: 'UTC' }).success).toBe(true);
    const bad = ChannelRecordingConfig.safeParse({ ...base, cardTimeZone: 'UTC+3' });
    expect(bad.success).toBe(false);
    expect(bad.error!.issues[0]).toMatchObject({ path: ['cardTimeZone'], message: 'field.notZoneName' });
  });
});
