// `npm run bench:events`: one JSON line. Device event -> row in the Events page (camsim ONVIF PullPoint -> station ->
// WebSocket -> Chromium), local motion detection CPU per 360p stream, and event inserts per second through EventService.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SignalBus } from '../../electron/core/signal-bus';
import { EventService } from '../../electron/core/events/event-service';
import { MotionDetector } from '../../electron/core/events/motion-detector';
import type { Logger } from '../../electron/core/log';
import { locateTool } from '../../electron/core/media/ffmpeg';
import type { HubConsumer } from '../../electron/core/media/stream-hub';
import { openDatabase } from '../../electron/core/storage/db';
import { nodeSecretStore } from '../../electron/core/storage/secrets';
import { DEFAULT_PASSWORD, DEFAULT_USERNAME, placeholderMedia, startFleet } from '../camsim/fleet';
import { launchChromium } from '../../tests/helpers/chromium';
import { startStation } from '../../tests/helpers/station-process';
import { wsClient } from '../../tests/helpers/ws-client';
import { measureCpu, percentile, tree } from './proc-cpu';

const UI_SAMPLES = 20;
const MOTION_STREAMS = 4;
const MOTION_SECONDS = 8;
const INSERTS = 5000;
const quiet = { info() {}, warn() {}, error() {}, debug() {}, flush() {}, child() { return quiet; } } as unknown as Logger;

async function eventToUi(): Promise<number> {
  const [fleet, station, browser] = await Promise.all([
    startFleet({ devices: 1, channels: 1, subnet: 'random', media: placeholderMedia }), startStation(), launchChromium(),
  ]);
  try {
    const ws = await wsClient(station.url);
    const ch = await ws.call<{ id: number }>('channels.addRtsp', { name: 'Bench', mainUrl: 'rtsp://u:p@127.0.0.1:9/none', subUrl: null });
    await ws.call('eventSources.add', { driver: 'onvif', url: `${fleet.device(0).baseUrl}/onvif/events_service`, username: DEFAULT_USERNAME, password: DEFAULT_PASSWORD, channelMap: { '1': ch.id } });
    for (let i = 0; i < 100 && (await ws.call<{ state: string }[]>('eventSources.list', {}))[0]?.state !== 'connected'; i++) await new Promise((r) => setTimeout(r, 100));
    const page = await browser.newPage();
    await page.goto(`${station.url}#/events`);
    await page.waitForSelector('.ev-filters');
    const samples: number[] = [];
    for (let i = 0; i < UI_SAMPLES; i++) {
      const value = 20 + i / 10;
      const t0 = performance.now();
      fleet.device(0).raiseEvent({ kind: 'temperature', channel: 1, value });
      await page.waitForFunction((v) => document.querySelector('.ev-row .ev-detail')?.textContent === `${v} °C`, value, { polling: 'raf', timeout: 10_000 });
      samples.push(performance.now() - t0);
      await new Promise((r) => setTimeout(r, 100));
    }
    ws.close();
    return percentile(samples, 50);
  } finally {
    await browser.close();
    await station.stop();
    await fleet.close();
  }
}

/** moof+mdat pairs of a fragmented MP4 after its init segment. */
function fragments(clip: Buffer): { init: Buffer; frags: Buffer[] } {
  const frags: Buffer[] = [];
  let off = 0;
  let initEnd = 0;
  let start = -1;
  while (off + 8 <= clip.length) {
    const size = clip.readUInt32BE(off);
    const type = clip.toString('latin1', off + 4, off + 8);
    if (type === 'moof') start = off;
    if (type === 'moov') initEnd = off + size;
    if (type === 'mdat' && start >= 0) (frags.push(clip.subarray(start, off + size)), (start = -1));
    off += size;
  }
  return { init: clip.subarray(0, initEnd), frags };
}

async function motionCpu(dir: string): Promise<number> {
  const ffmpeg = locateTool('ffmpeg', null, process.env).path;
  const out = join(dir, 'sub.mp4');
  // A 360p 25 fps sub stream with moving content, one fragment per second like a camera's sub stream at GOP 25.
  execFileSync(ffmpeg, ['-hide_banner', '-loglevel', 'error', '-f', 'lavfi', '-i', 'testsrc2=s=640x360:r=25', '-t', String(MOTION_SECONDS + 4),
    '-c:v', 'libx264', '-preset', 'ultrafast', '-g', '25', '-pix_fmt', 'yuv420p', '-movflags', 'frag_keyframe+empty_moov+default_base_moof', '-f', 'mp4', out]);
  const { init, frags } = fragments(readFileSync(out));
  const timers: NodeJS.Timeout[] = [];
  const hub = {
    attach(c: HubConsumer) {
      c.init(init, {} as never);
      frags.forEach((f, i) => timers.push(setTimeout(() => c.fragment(f, {} as never), i * 1000)));
      return () => {};
    },
  };
  const detectors = Array.from({ length: MOTION_STREAMS }, () => new MotionDetector({ hub, ffmpegPath: ffmpeg, sensitivity: 50, mask: '0'.repeat(144), onMotion: () => {} }));
  const stops = detectors.map((d) => d.start());
  await new Promise((r) => setTimeout(r, 1500));
  const pids = new Set(detectors.map((d) => d.pid).filter((p): p is number => p !== undefined));
  // The detectors' ffmpeg processes plus this process (frame differencing runs here; the bench does little else meanwhile).
  const cpu = await measureCpu(() => tree(process.pid).filter((p) => pids.has(p.pid) || p.pid === process.pid), MOTION_SECONDS - 2);
  timers.forEach(clearTimeout);
  await Promise.all(stops.map((s) => s()));
  return cpu / MOTION_STREAMS;
}

async function insertRate(dir: string): Promise<number> {
  const db = openDatabase(join(dir, 'station.db'));
  const svc = new EventService({
    db, signals: new SignalBus(), secrets: nodeSecretStore(dir), logger: quiet, recordingsDir: () => dir,
    live: { snapshot: () => Promise.reject(new Error('none')) }, recording: { trigger: async () => {}, eventEnded: () => {} },
  });
  await svc.start();
  const t0 = performance.now();
  for (let i = 0; i < INSERTS; i++) svc.ingest({ channelId: 1 + (i % 16), type: 'temperature', source: 'onvif', value: 20 + (i % 50) / 10 });
  const rate = INSERTS / ((performance.now() - t0) / 1000);
  await svc.dispose();
  db.close();
  return rate;
}

const dir = mkdtempSync(join(tmpdir(), 'wp-bench-events-'));
try {
  const events_insert_per_s = Math.round(await insertRate(dir));
  const motion_cpu_pct_per_stream = Math.round((await motionCpu(dir)) * 10) / 10;
  const event_to_ui_ms_p50 = Math.round(await eventToUi());
  console.log(JSON.stringify({ event_to_ui_ms_p50, motion_cpu_pct_per_stream, events_insert_per_s }));
} finally {
  rmSync(dir, { recursive: true, force: true });
}
