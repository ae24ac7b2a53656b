// A changed recordings folder applies at once: GStreamer's RTSP camera recorded by the station, the folder changed
// through settings.update while recording: the recorder closes its segment at the next keyframe and continues in
// the new folder with no gap; the old folder's recordings stay in the index and play, also after a restart. A folder
// that is a file, or cannot be written, is refused with an error naming it and nothing changes.
import { existsSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { probeFrames } from '../helpers/archive-media';
import { fileScope } from '../helpers/fixtures';
import { startGstCamera, type GstCamera } from '../helpers/gst-rtsp';
import { serveStation, servedStationDir, type ServedStation } from '../helpers/in-process-station';
import { wsClient, type WsClient } from '../helpers/ws-client';

const scope = fileScope();
let dir: string, served: ServedStation | undefined, cam: GstCamera, ws: WsClient;

async function start(): Promise<void> {
  served = await serveStation(dir, { media: { graceMs: 500, stallMs: 3000 }, recording: { statusEveryMs: 500 } });
  ws = await wsClient(`http://127.0.0.1:${served.server.port}/?token=${served.server.token}`);
}

async function stop(): Promise<void> {
  ws?.close();
  await served?.close();
}

beforeAll(async () => {
  dir = servedStationDir(scope, 'wp-root-');
  cam = scope.add(await startGstCamera());
  scope.defer(stop);
  await start();
}, 30_000);

const mp4s = (root: string) => (readdirSync(root, { recursive: true }) as string[]).filter((f) => f.endsWith('.mp4')).map((f) => join(root, f)).sort();

async function until<T>(what: string, probe: () => Promise<T | undefined> | T | undefined, ms = 20_000): Promise<T> {
  for (const end = Date.now() + ms; Date.now() < end; await new Promise((r) => setTimeout(r, 200))) {
    const v = await probe();
    if (v !== undefined && v !== false) return v;
  }
  throw new Error(`timed out waiting for ${what}`);
}

describe('changing the recordings folder while recording', () => {
  let channelId: number;
  const oldRoot = () => join(dir, 'data', 'recordings');
  const newRoot = () => join(dir, 'disk2', 'rec');
  let switchedAt = 0;

  it('refuses a folder that is a file or cannot be written, naming it and the real reason, and keeps the folder', async () => {
    const file = join(dir, 'a-file');
    writeFileSync(file, 'x');
    await expect(ws.call('settings.update', { recordingsDir: file })).rejects.toThrow(`settings.update: bad_input: Recordings folder: ${file} is not a folder.`);
    // /proc/1 is a folder nobody can create files in, root included: said as such, not as the errno (ENOENT) it gives.
    await expect(ws.call('settings.update', { recordingsDir: '/proc/1' })).rejects.toThrow('Recordings folder: /proc/1 is a system folder that cannot hold files; choose a folder on a disk.');
    // A folder that does not exist is made only when asked (a typo makes no folders anywhere).
    const typo = join(dir, 'no-such', 'rec');
    await expect(ws.call('settings.update', { recordingsDir: typo })).rejects.toThrow(`Recordings folder: ${typo} does not exist; create it first.`);
    expect(existsSync(join(dir, 'no-such'))).toBe(false);
    expect(await ws.call<{ recordingsDir: string }>('settings.get', {})).toMatchObject({ recordingsDir: oldRoot() });
  });

  it('closes the open segment at the next keyframe and continues in the new folder without a gap', async () => {
    channelId = (await ws.call<{ id: number }>('channels.addRtsp', { name: 'Dock', mainUrl: cam.url(), subUrl: null })).id;
    await ws.call('recording.setArchive', { segmentSeconds: 60, quotaBytes: null, freeFloorBytes: 0 });
    await ws.call('recording.setChannels', { channelIds: [channelId], mode: 'continuous', stream: 'main', schedule: '1'.repeat(336), preSeconds: 0, postSeconds: 0, retentionDays: null });
    await until('recording in the first folder', async () => mp4s(oldRoot()).length > 0 && (await ws.call<{ channels: { state: string }[] }>('recording.status', {})).channels[0]?.state === 'recording');
    await new Promise((r) => setTimeout(r, 5_000));
    switchedAt = Date.now();
    expect(await ws.call('settings.update', { recordingsDir: newRoot(), createFolder: true })).toMatchObject({ recordingsDir: newRoot() });
    // Segments are 60 s long: only the change of folder can roll this one (at the next keyframe, GOP ≤ 2 s).
    const first = await until('a segment in the new folder', () => mp4s(newRoot())[0], 10_000);
    const status = await ws.call<{ channels: { segmentPath?: string; segmentStart?: number }[] }>('recording.status', {});
    expect(status.channels[0]!.segmentStart! - switchedAt).toBeLessThan(3_000);
    expect(first).toContain(join(newRoot(), String(channelId)));
    await new Promise((r) => setTimeout(r, 4_000));
    const now = Date.now();
    const [tl] = await ws.call<{ spans: { start: number; end: number }[]; gaps: unknown[] }[]>('archive.timeline', { source: 'local', channelIds: [channelId], from: now - 120_000, to: now });
    // One recorded span across the change: the old folder's segment ends where the new folder's begins.
    expect(tl!.spans.filter((s) => s.start < switchedAt && s.end > switchedAt + 3_000)).toHaveLength(1);
    expect(tl!.gaps.filter((g: any) => g.end > switchedAt - 1000 && g.start < now - 2000)).toEqual([]);
    // The old folder's segment was closed whole.
    const old = mp4s(oldRoot());
    expect(old.length).toBeGreaterThanOrEqual(1);
    expect(probeFrames(old.at(-1)!)).toBeGreaterThan(100);
  }, 60_000);

  it('keeps the old folder’s recordings playable, also after a restart', async () => {
    const at = switchedAt - 3_000;
    const before = await ws.call<{ jpegBase64: string; at: number } | null>('archive.thumbnail', { source: 'local', channelId, at });
    expect(before).not.toBeNull();
    expect(Math.abs(before!.at - at)).toBeLessThan(2_500);
    await stop();
    await start();
    expect(await ws.call('settings.get', {})).toMatchObject({ recordingsDir: newRoot() });
    const after = await ws.call<{ jpegBase64: string; at: number } | null>('archive.thumbnail', { source: 'local', channelId, at });
    expect(after?.at).toBe(before!.at);
    const [tl] = await ws.call<{ spans: { start: number; end: number }[] }[]>('archive.timeline', { source: 'local', channelIds: [channelId], from: at - 60_000, to: Date.now() });
    expect(tl!.spans.some((s) => s.start <= at && s.end >= switchedAt + 3_000)).toBe(true);
    // Recording resumes in the new folder, and the old folder's file is untouched.
    const oldFiles = mp4s(oldRoot());
    await until('recording again in the new folder', async () => mp4s(newRoot()).length >= 2);
    expect(mp4s(oldRoot())).toEqual(oldFiles);
  }, 60_000);
});
