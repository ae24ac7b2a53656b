// StreamHub with real ffmpeg processes reading real files; stalls staged with a real child process.
import { execFileSync, spawn } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pino from 'pino';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { Fmp4Reader, type FragmentInfo, type TrackInfo } from '../../electron/core/media/fmp4';
import { backoffMs, classifyFailure, StreamHub, type HubConsumer, type StreamStatus, type UpstreamSink } from '../../electron/core/media/stream-hub';

const log = pino({ level: 'silent' });
const dir = mkdtempSync(join(tmpdir(), 'wp-hub-'));
const clip = join(dir, 'clip.mp4');
let fmp4: Buffer;
const hubs: StreamHub[] = [];
afterEach(() => { for (const h of hubs.splice(0)) h.close(); });

beforeAll(() => {
  // 6 s, keyframe every 1 s, 25 fps: a stand-in camera that ffmpeg reads in real time (-re).
  execFileSync('ffmpeg', ['-hide_banner', '-loglevel', 'error', '-f', 'lavfi', '-i', 'testsrc2=size=320x180:rate=25', '-t', '6',
    '-c:v', 'libx264', '-preset', 'ultrafast', '-g', '25', '-pix_fmt', 'yuv420p', '-y', clip]);
  fmp4 = execFileSync('ffmpeg', ['-hide_banner', '-loglevel', 'error', '-i', clip, '-c', 'copy', '-f', 'mp4',
    '-movflags', 'frag_keyframe+empty_moov+default_base_moof+frag_every_frame', 'pipe:1'], { maxBuffer: 1 << 26 });
});

class Recorder implements HubConsumer {
  inits: TrackInfo[] = [];
  frags: FragmentInfo[] = [];
  bytes: Buffer[] = [];
  constructor(private readonly backlogBytes = () => 0) {}
  init(data: Buffer, info: TrackInfo) { this.inits.push(info); this.bytes.push(data); }
  fragment(data: Buffer, info: FragmentInfo) { this.frags.push(info); this.bytes.push(data); }
  backlog() { return this.backlogBytes(); }
}

function hub(url: string, extra: Partial<ConstructorParameters<typeof StreamHub>[0]> = {}) {
  const statuses: StreamStatus[] = [];
  const h = new StreamHub({ id: 't', url, ffmpegPath: 'ffmpeg', logger: log, onStatus: (s) => statuses.push(s), ...extra });
  hubs.push(h);
  return { h, statuses };
}

describe('StreamHub', () => {
  it('fans one upstream out; a late viewer gets init + the cached GOP from a keyframe at once', async () => {
    const { h, statuses } = hub(clip);
    const a = new Recorder();
    h.attach(a);
    await expect.poll(() => a.frags.length, { timeout: 10_000 }).toBeGreaterThan(40);
    expect(statuses.map((s) => s.state)).toEqual(['connecting', 'live']);
    expect(a.inits[0]).toMatchObject({ kind: 'h264', width: 320, height: 180 });
    const b = new Recorder();
    h.attach(b);
    // Immediately, before any new fragment: init + GOP starting with a keyframe.
    expect(b.inits).toHaveLength(1);
    expect(b.frags.length).toBeGreaterThan(0);
    expect(b.frags[0]!.keyframe).toBe(true);
    expect(b.frags.length).toBeLessThanOrEqual(25);
    await expect.poll(() => b.frags.length, { timeout: 5000 }).toBeGreaterThan(30);
    expect(h.stats.upstreamStarts).toBe(1);
    // What a viewer got is a playable fMP4 stream: init, then whole fragments.
    const parts = new Fmp4Reader().push(Buffer.concat(b.bytes));
    expect(parts[0]!.kind).toBe('init');
    expect(parts.length).toBe(1 + b.frags.length);
  });

  it('stops the upstream a grace period after the last consumer leaves, and restarts on demand', async () => {
    const { h, statuses } = hub(clip, { graceMs: 300 });
    const a = new Recorder();
    const off = h.attach(a);
    await expect.poll(() => a.frags.length, { timeout: 10_000 }).toBeGreaterThan(5);
    off();
    expect(h.status.state).toBe('live');
    await expect.poll(() => h.status.state, { timeout: 3000 }).toBe('idle');
    const n = a.frags.length;
    await new Promise((r) => setTimeout(r, 300));
    expect(a.frags.length).toBe(n);
    const b = new Recorder();
    h.attach(b);
    await expect.poll(() => b.frags.length, { timeout: 10_000 }).toBeGreaterThan(5);
    expect(h.stats.upstreamStarts).toBe(2);
    expect(statuses.map((s) => s.state)).toContain('idle');
  });

  it('skips a slow viewer to the next keyframe without slowing the others', async () => {
    const { h } = hub(clip, { maxBacklogBytes: 1000 });
    let slowBacklog = 0;
    const slow = new Recorder(() => slowBacklog);
    const fast = new Recorder();
    h.attach(fast);
    h.attach(slow);
    await expect.poll(() => fast.frags.length, { timeout: 10_000 }).toBeGreaterThan(5);
    slowBacklog = 1_000_000;
    const at = slow.frags.length;
    await expect.poll(() => fast.frags.length, { timeout: 10_000 }).toBeGreaterThan(60);
    expect(slow.frags.length).toBe(at);
    slowBacklog = 0;
    await expect.poll(() => slow.frags.length, { timeout: 5000 }).toBeGreaterThan(at);
    // It resumes exactly at a keyframe.
    expect(slow.frags[at]!.keyframe).toBe(true);
  });

  it('goes on for every other consumer when one throws (a recorder on a full disk)', () => {
    const parts = new Fmp4Reader().push(fmp4);
    let sink: UpstreamSink | undefined;
    const { h, statuses } = hub('x', { open: (s) => { sink = s; return { close() {} }; } });
    const broken = new Recorder();
    broken.fragment = () => { throw new Error('database or disk is full'); };
    const viewer = new Recorder();
    h.attach(broken);
    h.attach(viewer);
    for (const p of parts) sink!.part(p);
    expect(viewer.frags.length).toBe(parts.length - 1);
    expect(statuses.at(-1)!.state).toBe('live');
  });

  it('reports why an upstream failed and when it retries', { timeout: 60_000 }, async () => {
    const { h } = hub(join(dir, 'missing.mp4'));
    h.attach(new Recorder());
    await expect.poll(() => h.status.state, { timeout: 15_000 }).toBe('offline');
    expect(h.status.reason).toMatch(/No such file/);
    expect(h.status.failures).toBe(1);
    expect(h.status.retryAt! - Date.now()).toBeLessThanOrEqual(1000);
    await expect.poll(() => h.status.failures, { timeout: 20_000 }).toBe(2);
  });

  it('detects a stall and swaps in a new connection only once it delivers', { timeout: 60_000 }, async () => {
    const staged = join(dir, 'staged.fmp4');
    writeFileSync(staged, fmp4);
    let spawned = 0;
    const pids: number[] = [];
    // First connection: sends the stream once then goes silent (socket open, no data). Later ones: stream normally.
    const fakeCamera = `const fs=require('fs');const b=fs.readFileSync(${JSON.stringify(staged)});` +
      `let i=0;const t=setInterval(()=>{const n=Math.min(b.length,i+20000);process.stdout.write(b.subarray(i,n));i=n;` +
      `if(i>=b.length){clearInterval(t);if(process.argv[1]==='stall')setInterval(()=>{},1e9);else process.exit(0)}},40)`;
    const { h, statuses } = hub('staged', {
      stallMs: 3000,
      spawn: () => {
        const p = spawn(process.execPath, ['-e', fakeCamera, spawned++ === 0 ? 'stall' : 'ok']);
        pids.push(p.pid!);
        return p;
      },
    });
    const v = new Recorder();
    h.attach(v);
    await expect.poll(() => statuses.map((s) => s.state), { timeout: 30_000 }).toContain('stalled');
    await expect.poll(() => statuses.at(-1)?.state, { timeout: 20_000 }).toBe('live');
    expect(spawned).toBe(2);
    // The stalled process was killed once the replacement delivered.
    await expect.poll(() => { try { process.kill(pids[0]!, 0); return true; } catch { return false; } }, { timeout: 3000 }).toBe(false);
    const before = v.frags.length;
    await expect.poll(() => v.frags.length, { timeout: 5000 }).toBeGreaterThan(before);
  });
});

describe('supervision rules', () => {
  it('backs off 1 s ×5, 5 s ×5, 10 s ×10, then 60 s', () => {
    expect([1, 5, 6, 10, 11, 20, 21, 99].map(backoffMs)).toEqual([1000, 1000, 5000, 5000, 10000, 10000, 60000, 60000]);
  });

  it('reads the reason from ffmpeg stderr, and never leaks credentials into it', () => {
    expect(classifyFailure('[rtsp @ 0x5] method DESCRIBE failed: 401 Unauthorized\nrtsp://admin:pw@127.0.1.2/x: Server returned 401 Unauthorized'))
      .toEqual({ state: 'auth_failed', reason: 'the camera refused the credentials' });
    expect(classifyFailure('rtsp://127.0.1.2:554/x: Connection refused')).toEqual({ state: 'offline', reason: 'connection refused' });
    expect(classifyFailure('[rtsp] method DESCRIBE failed: 404 Not Found')).toEqual({ state: 'offline', reason: 'the camera has no such stream' });
    expect(classifyFailure('rtsp://admin:pw@h/x: Operation timed out').reason).toBe('connection timed out');
    expect(classifyFailure('something odd rtsp://admin:pw@h/x').reason).toBe('something odd rtsp://***:***@h/x');
  });
});
