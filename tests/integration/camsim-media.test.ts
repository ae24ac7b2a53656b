// camsim's media half played by software nobody here wrote: the system ffprobe/ffmpeg.
import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import net from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseDahuaRealmonitor, startRtspServer, type CamsimRtspServer } from '../../scripts/camsim/rtsp/rtsp-server';
import type { Codec, Profile, SimStream, StreamSpec } from '../../scripts/camsim/types';
import { liveFfmpegCount, runFfmpeg } from '../../scripts/camsim/video/ffmpeg-process';
import { createSimStream } from '../../scripts/camsim/video/sim-stream';
import { readTimestampCode } from '../../scripts/camsim/video/timestamp-code';

const USER = 'admin';
const PASS = 'camsim-Pass1';

function spec(channel: number, profile: Profile, codec: Codec, live = false): StreamSpec {
  const main = profile === 'main';
  return { channel, channelName: `Test ch${channel}`, profile, codec, width: main ? 1920 : 640, height: main ? 1080 : 360, fps: 25, gopSeconds: 2, live };
}

// Channel 1: H.264 replayed; 2: H.265 replayed; 3: H.264 live; 4: H.264 replayed for faults.
const streams = new Map<string, SimStream>();
const clients = new Set<ChildProcessWithoutNullStreams>();
let server: CamsimRtspServer;
let lockServer: CamsimRtspServer;

function url(port: number, channel: number, subtype: number, creds = `${USER}:${PASS}@`): string {
  return `rtsp://${creds}127.0.0.1:${port}/cam/realmonitor?channel=${channel}&subtype=${subtype}`;
}

function run(cmd: string, args: string[], timeoutMs = 15_000): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const p = spawn(cmd, args);
    clients.add(p);
    let stdout = '';
    let stderr = '';
    p.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    p.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    const timer = setTimeout(() => p.kill('SIGKILL'), timeoutMs);
    p.on('close', (code) => {
      clearTimeout(timer);
      clients.delete(p);
      resolve({ code, stdout, stderr });
    });
  });
}

function ffprobe(target: string): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return run('ffprobe', ['-v', 'error', '-rtsp_transport', 'tcp', '-show_entries', 'stream=codec_name,width,height,r_frame_rate', '-of', 'json', target]);
}

/** A long-running ffmpeg client; `bytes` counts what it has written so far. */
function pull(target: string, args: string[]): { proc: ChildProcessWithoutNullStreams; bytes: () => number; stderr: () => string; exited: Promise<number | null> } {
  const proc = spawn('ffmpeg', ['-hide_banner', '-loglevel', 'info', '-rtsp_transport', 'tcp', '-i', target, ...args]);
  clients.add(proc);
  let bytes = 0;
  let stderr = '';
  proc.stdout.on('data', (d: Buffer) => (bytes += d.length));
  proc.stderr.on('data', (d: Buffer) => (stderr = (stderr + d.toString()).slice(-20_000)));
  const exited = new Promise<number | null>((resolve) => proc.on('close', (code) => {
    clients.delete(proc);
    resolve(code);
  }));
  return { proc, bytes: () => bytes, stderr: () => stderr, exited };
}

async function stop(p: { proc: ChildProcessWithoutNullStreams; exited: Promise<number | null> }): Promise<void> {
  p.proc.kill('SIGKILL');
  await p.exited;
}

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

async function waitFor(what: string, check: () => boolean, ms = 8000): Promise<void> {
  const end = Date.now() + ms;
  while (!check()) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await sleep(50);
  }
}

/** Y plane of a JPEG, scaled to 160x90 so pictures can be compared. */
async function grayOf(jpeg: Buffer): Promise<Uint8Array> {
  return runFfmpeg(['-nostdin', '-f', 'image2pipe', '-i', 'pipe:0', '-vf', 'scale=160:90', '-f', 'rawvideo', '-pix_fmt', 'gray', 'pipe:1'], jpeg);
}

/**
 * How far apart two pictures' column profiles are over the middle band (no text, no code strip):
 * panning shifts the scene's vertical bars, while objects moving in the scene average out.
 */
function middleDiff(a: Uint8Array, b: Uint8Array): number {
  let sum = 0;
  for (let x = 0; x < 160; x++) {
    let ca = 0;
    let cb = 0;
    for (let y = 30; y < 75; y++) {
      ca += a[y * 160 + x]!;
      cb += b[y * 160 + x]!;
    }
    sum += Math.abs(ca - cb) / 45;
  }
  const diff = sum / 160;
  if (process.env.CAMSIM_TEST_DEBUG) console.log('middleDiff', diff.toFixed(1));
  return diff;
}

/** How much the middle of the picture differs from `before`, snapshot after snapshot until over 30 or `ms` have passed. */
async function movedFrom(stream: SimStream, before: Uint8Array, ms: number): Promise<number> {
  let moved = 0;
  for (const end = Date.now() + ms; moved < 30 && Date.now() < end; ) {
    await sleep(200);
    moved = middleDiff(before, await grayOf(await stream.snapshotJpeg()));
  }
  return moved;
}

beforeAll(async () => {
  const make = (s: StreamSpec): SimStream => createSimStream(s);
  for (const [ch, codec, live] of [[1, 'h264', false], [2, 'h265', false], [3, 'h264', true], [4, 'h264', false]] as const) {
    streams.set(`${ch}/sub`, make(spec(ch, 'sub', codec, live)));
  }
  streams.set('1/main', make(spec(1, 'main', 'h264')));
  const resolve = (path: string): SimStream | undefined => {
    const d = parseDahuaRealmonitor(path);
    return d ? streams.get(`${d.channel}/${d.subtype === 0 ? 'main' : 'sub'}`) : undefined;
  };
  server = await startRtspServer({ host: '127.0.0.1', port: 0, realm: 'Login to CAMSIM01', passwordOf: (u) => (u === USER ? PASS : undefined), resolve });
  lockServer = await startRtspServer({ host: '127.0.0.1', port: 0, realm: 'Login to CAMSIM02', passwordOf: (u) => (u === USER ? PASS : undefined), resolve });
  // Loops encode once per machine (cached on disk); wait here so tests time only the serving.
  await Promise.all([...streams.values()].filter((s) => !s.spec.live).map((s) => s.parameterSets()));
}, 90_000);

afterAll(async () => {
  for (const c of clients) c.kill('SIGKILL');
  await server?.close();
  await lockServer?.close();
  await Promise.all([...streams.values()].map((s) => s.close()));
  expect(liveFfmpegCount()).toBe(0);
});

describe('camsim RTSP played by ffprobe/ffmpeg', () => {
  it('serves H.264 sub and main streams at their sizes and 25 fps', async () => {
    const sub = await ffprobe(url(server.port, 1, 1));
    expect(sub.stderr).toBe('');
    expect(JSON.parse(sub.stdout).streams).toEqual([{ codec_name: 'h264', width: 640, height: 360, r_frame_rate: '25/1' }]);
    const main = await ffprobe(url(server.port, 1, 0));
    expect(JSON.parse(main.stdout).streams).toEqual([{ codec_name: 'h264', width: 1920, height: 1080, r_frame_rate: '25/1' }]);
  });

  it('serves H.265', async () => {
    const r = await ffprobe(url(server.port, 2, 1));
    expect(JSON.parse(r.stdout).streams).toEqual([{ codec_name: 'hevc', width: 640, height: 360, r_frame_rate: '25/1' }]);
  });

  it('falls back from UDP to TCP interleaved (461 for UDP)', async () => {
    const r = await run('ffprobe', ['-v', 'error', '-show_entries', 'stream=codec_name', '-of', 'csv=p=0', url(server.port, 1, 1)]);
    expect(r.stdout.trim()).toBe('h264');
  });

  it('refuses missing and wrong credentials and unknown paths', async () => {
    const none = await ffprobe(url(server.port, 1, 1, ''));
    expect(none.code).not.toBe(0);
    expect(none.stderr).toContain('401');
    const wrong = await ffprobe(url(server.port, 1, 1, `${USER}:nope@`));
    expect(wrong.stderr).toContain('401');
    const missing = await ffprobe(url(server.port, 9, 1));
    expect(missing.stderr).toContain('404');
  });

  it('locks an IP out after 5 failed logins, even with the right password', async () => {
    for (let i = 0; i < 5; i++) expect((await ffprobe(url(lockServer.port, 1, 1, `${USER}:bad${i}@`))).stderr).toContain('401');
    const locked = await ffprobe(url(lockServer.port, 1, 1));
    expect(locked.code).not.toBe(0);
    expect(locked.stderr).toContain('403');
  });

  it('a live stream carries its capture time in the timestamp code', async () => {
    const frames: (number | null)[] = [];
    const received: number[] = [];
    const size = 640 * 360;
    const p = pull(url(server.port, 3, 1), ['-frames:v', '15', '-f', 'rawvideo', '-pix_fmt', 'gray', 'pipe:1']);
    let buf = Buffer.alloc(0);
    p.proc.stdout.on('data', (d: Buffer) => {
      buf = Buffer.concat([buf, d]);
      while (buf.length >= size) {
        frames.push(readTimestampCode(buf.subarray(0, size), 640, 360));
        received.push(Date.now());
        buf = buf.subarray(size);
      }
    });
    expect(await p.exited).toBe(0);
    expect(frames).toHaveLength(15);
    frames.forEach((code, i) => {
      expect(code).not.toBeNull();
      const latency = received[i]! - code!;
      expect(latency).toBeGreaterThan(0);
      expect(latency).toBeLessThan(3000);
    });
    // Capture times rise frame by frame, about 40 ms apart (a busy machine makes single steps uneven).
    const steps = frames.slice(1).map((c, i) => c! - frames[i]!);
    expect(steps.every((s) => s > 0)).toBe(true);
    expect(frames[14]! - frames[0]!).toBeGreaterThanOrEqual(14 * 20);
  });

  it('two clients of one live stream share one encoder', async () => {
    const a = pull(url(server.port, 3, 1), ['-c', 'copy', '-f', 'h264', 'pipe:1']);
    const b = pull(url(server.port, 3, 1), ['-c', 'copy', '-f', 'h264', 'pipe:1']);
    await waitFor('both clients receiving', () => a.bytes() > 20_000 && b.bytes() > 20_000);
    expect(liveFfmpegCount()).toBe(1);
    expect(server.stats().playingSessions).toBe(2);
    await Promise.all([stop(a), stop(b)]);
  });

  it('snapshots are real JPEGs of the current picture, and setPan moves the picture', async () => {
    const stream = streams.get('1/sub')!;
    const first = await stream.snapshotJpeg();
    expect(first.subarray(0, 2)).toEqual(Buffer.from([0xff, 0xd8]));
    const full = await runFfmpeg(['-nostdin', '-f', 'image2pipe', '-c:v', 'mjpeg', '-i', 'pipe:0', '-f', 'rawvideo', '-pix_fmt', 'gray', 'pipe:1'], first);
    expect(full.length).toBe(640 * 360);
    const before = await grayOf(first);
    await sleep(300);
    const still = middleDiff(before, await grayOf(await stream.snapshotJpeg()));
    stream.setPan(1, 0);
    const moved = await movedFrom(stream, before, 10_000);
    expect(still).toBeLessThan(15);
    expect(moved).toBeGreaterThan(30);
    stream.setPan(0, 0);
  });

  it('live setPan moves the picture without restarting the encoder', async () => {
    const stream = streams.get('3/sub')!;
    const before = await grayOf(await stream.snapshotJpeg());
    const encoders = liveFfmpegCount();
    stream.setPan(-1, 0);
    const moved = await movedFrom(stream, before, 15_000);
    expect(moved).toBeGreaterThan(30);
    expect(liveFfmpegCount()).toBe(encoders);
  });

  it('setResolution: a playing client sees the new size mid-stream', async () => {
    const stream = streams.get('4/sub')!;
    const p = pull(url(server.port, 4, 1), ['-vf', 'showinfo', '-f', 'null', '-']);
    await waitFor('first frames', () => p.stderr().includes(' s:640x360 '));
    stream.setResolution(320, 180);
    await waitFor('new resolution', () => p.stderr().includes(' s:320x180 '), 15_000);
    expect(stream.spec.width).toBe(320);
    const r = await ffprobe(url(server.port, 4, 1));
    expect(JSON.parse(r.stdout).streams[0]).toMatchObject({ width: 320, height: 180 });
    await stop(p);
    stream.setResolution(640, 360);
  });

  it('stall: the socket stays open with no data; unstalling resumes', async () => {
    const p = pull(url(server.port, 1, 1), ['-c', 'copy', '-f', 'h264', 'pipe:1']);
    await waitFor('data', () => p.bytes() > 10_000);
    server.setStalled(true);
    await sleep(300);
    const atStall = p.bytes();
    await sleep(1000);
    expect(p.bytes()).toBe(atStall);
    expect(p.proc.exitCode).toBeNull();
    server.setStalled(false);
    await waitFor('data again', () => p.bytes() > atStall + 5000, 5000);
    await stop(p);
  });

  it('corruptNext: the client decodes a damaged frame', async () => {
    const p = pull(url(server.port, 1, 1), ['-f', 'null', '-']);
    await waitFor('playing', () => server.stats().playingSessions >= 1 && p.stderr().includes('Stream mapping'));
    await sleep(500);
    const before = p.stderr().length;
    server.corruptNext();
    await waitFor('a decoder complaint', () => /error|invalid|corrupt|conceal|unhandled|missing/i.test(p.stderr().slice(before)), 5000);
    await stop(p);
  });

  it('setReplyDelay delays every answer', async () => {
    server.setReplyDelay(400);
    const started = Date.now();
    const reply = await new Promise<string>((resolve, reject) => {
      const s = net.connect(server.port, '127.0.0.1', () => s.write('OPTIONS rtsp://127.0.0.1/ RTSP/1.0\r\nCSeq: 1\r\n\r\n'));
      s.on('data', (d) => {
        resolve(d.toString());
        s.destroy();
      });
      s.on('error', reject);
    });
    server.setReplyDelay(0);
    expect(reply).toMatch(/^RTSP\/1\.0 200 OK\r\nCSeq: 1\r\n/);
    expect(reply).toContain('Public: OPTIONS, DESCRIBE, SETUP, PLAY');
    expect(Date.now() - started).toBeGreaterThanOrEqual(380);
  });

  it('a client that stops reading drops to keyframes, then is cut off, without holding up others', async () => {
    const tight = await startRtspServer(
      { host: '127.0.0.1', port: 0, realm: 'r', resolve: (p) => (p.includes('subtype=0') ? streams.get('1/main') : undefined) },
      { highWaterBytes: 32 * 1024, maxBehindMs: 1000 },
    );
    try {
      const target = `rtsp://127.0.0.1:${tight.port}/cam/realmonitor?channel=1&subtype=0`;
      const slow = net.connect(tight.port, '127.0.0.1');
      let text = '';
      slow.on('data', (d: Buffer) => {
        text += d.toString('latin1');
        const session = /Session: (\d+)/.exec(text)?.[1];
        if (session && !text.includes('CSeq: 2')) slow.write(`PLAY ${target}/ RTSP/1.0\r\nCSeq: 2\r\nSession: ${session}\r\n\r\n`);
        // Once playing, read nothing more: the kernel buffers fill and camsim's queue grows.
        if (text.includes('RTP-Info')) slow.pause();
      });
      slow.on('error', () => {});
      slow.write(`SETUP ${target}/trackID=0 RTSP/1.0\r\nCSeq: 1\r\nTransport: RTP/AVP/TCP;unicast;interleaved=0-1\r\n\r\n`);
      const fast = pull(target, ['-c', 'copy', '-f', 'h264', 'pipe:1']);
      await waitFor('the slow session to fall behind', () => tight.stats().framesDropped > 0, 20_000);
      const atDrop = fast.bytes();
      await waitFor('the slow session to be cut off', () => tight.stats().slowDisconnects === 1, 20_000);
      // The cut session leaves the playing set once its socket has closed.
      await waitFor('only the fast session to be playing', () => tight.stats().playingSessions === 1, 5000);
      expect(tight.stats().playingSessions).toBe(1);
      slow.destroy();
      await waitFor('the fast client to keep receiving', () => fast.bytes() > atDrop + 200_000, 5000);
      expect(fast.proc.exitCode).toBeNull();
      await stop(fast);
    } finally {
      await tight.close();
    }
  }, 45_000);

  it('dropAll: a playing ffmpeg sees the end of the stream', async () => {
    const p = pull(url(server.port, 1, 1), ['-c', 'copy', '-f', 'h264', 'pipe:1']);
    await waitFor('data', () => p.bytes() > 10_000);
    server.dropAll();
    const code = await Promise.race([p.exited, sleep(8000).then(() => 'still running' as const)]);
    expect(code).not.toBe('still running');
    // The server forgets a connection when its socket's close event comes, which a loaded machine may run after ffmpeg's exit.
    await waitFor('no connection left', () => server.stats().connections === 0, 3000);
  });
});
