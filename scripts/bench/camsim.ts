// npm run bench:camsim — how much of a machine camsim's media half takes: 8 devices serve 64 sub +
// 16 main streams (replayed loops) to 80 real ffmpeg clients; camsim's own CPU and RSS are measured
// over a window and printed as one JSON line. Progress goes to stderr.
import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { parseDahuaRealmonitor, startRtspServer, type CamsimRtspServer } from '../camsim/rtsp/rtsp-server';
import type { Codec, Profile, SimStream, StreamSpec } from '../camsim/types';
import { createSimStream } from '../camsim/video/sim-stream';

const { values: args } = parseArgs({
  options: {
    devices: { type: 'string', default: '8' },
    sub: { type: 'string', default: '8' },
    main: { type: 'string', default: '2' },
    codec: { type: 'string', default: 'h264' },
    seconds: { type: 'string', default: '25' },
  },
});

const DEVICES = Number(args.devices);
const SUB_PER_DEVICE = Number(args.sub);
const MAIN_PER_DEVICE = Number(args.main);
const CODEC = args.codec as Codec;
const WINDOW_S = Number(args.seconds);
const USER = 'admin';
const PASS = 'Bench-Pass1';
const CLK_TCK = 100;

const log = (msg: string): void => void process.stderr.write(`[bench:camsim] ${msg}\n`);
const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

interface BenchDevice {
  server: CamsimRtspServer;
  streams: Map<string, SimStream>;
}

function spec(device: number, channel: number, profile: Profile): StreamSpec {
  const main = profile === 'main';
  return {
    channel,
    channelName: `Bench cam ${device + 1}.${channel}`,
    profile,
    codec: CODEC,
    width: main ? 1920 : 640,
    height: main ? 1080 : 360,
    fps: 25,
    gopSeconds: 2,
    live: false,
  };
}

/** utime+stime of a process in clock ticks, or 0 once it is gone. */
function procTicks(pid: number): number {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return Number(fields[11]) + Number(fields[12]);
  } catch {
    return 0;
  }
}

async function main(): Promise<void> {
  const devices: BenchDevice[] = [];
  const clients: ChildProcessWithoutNullStreams[] = [];
  try {
    const tPrepare = Date.now();
    for (let d = 0; d < DEVICES; d++) {
      const streams = new Map<string, SimStream>();
      for (let ch = 1; ch <= SUB_PER_DEVICE; ch++) streams.set(`${ch}/sub`, createSimStream(spec(d, ch, 'sub')));
      for (let ch = 1; ch <= MAIN_PER_DEVICE; ch++) streams.set(`${ch}/main`, createSimStream(spec(d, ch, 'main')));
      const server = await startRtspServer({
        host: '127.0.0.1',
        port: 0,
        realm: `Login to BENCH${d + 1}`,
        passwordOf: (u) => (u === USER ? PASS : undefined),
        resolve: (path) => {
          const p = parseDahuaRealmonitor(path);
          return p ? streams.get(`${p.channel}/${p.subtype === 0 ? 'main' : 'sub'}`) : undefined;
        },
      });
      devices.push({ server, streams });
    }
    const all = devices.flatMap((d) => [...d.streams.values()]);
    log(`preparing ${all.length} loops (encoded once, then cached on disk)`);
    await Promise.all(all.map((s) => s.parameterSets()));
    const prepareS = (Date.now() - tPrepare) / 1000;
    log(`loops ready in ${prepareS.toFixed(1)} s; starting ${all.length} ffmpeg clients`);

    for (const dev of devices) {
      for (const key of dev.streams.keys()) {
        const [ch, profile] = key.split('/');
        const url = `rtsp://${USER}:${PASS}@127.0.0.1:${dev.server.port}/cam/realmonitor?channel=${ch}&subtype=${profile === 'main' ? 0 : 1}`;
        const c = spawn('ffmpeg', ['-hide_banner', '-loglevel', 'error', '-nostdin', '-rtsp_transport', 'tcp', '-i', url, '-c', 'copy', '-f', 'null', '-']);
        c.stderr.on('data', () => {});
        c.stdout.on('data', () => {});
        clients.push(c);
        // Staggered, so 80 handshakes do not land in the same instant on a 2-core machine.
        await sleep(50);
      }
    }
    const playing = (): number => devices.reduce((n, d) => n + d.server.stats().playingSessions, 0);
    const deadline = Date.now() + 60_000;
    while (playing() < all.length && Date.now() < deadline) await sleep(200);
    log(`${playing()} of ${all.length} sessions playing; settling 3 s, then measuring ${WINDOW_S} s`);
    await sleep(3000);

    const sum = (f: (s: ReturnType<CamsimRtspServer['stats']>) => number): number => devices.reduce((n, d) => n + f(d.server.stats()), 0);
    const cpu0 = process.cpuUsage();
    const t0 = process.hrtime.bigint();
    const bytes0 = sum((s) => s.bytesSent);
    const frames0 = sum((s) => s.framesSent);
    const dropped0 = sum((s) => s.framesDropped);
    const clientTicks0 = clients.reduce((n, c) => n + procTicks(c.pid ?? 0), 0);
    let rssPeak = 0;
    const end = Date.now() + WINDOW_S * 1000;
    while (Date.now() < end) {
      await sleep(500);
      rssPeak = Math.max(rssPeak, process.memoryUsage().rss);
    }
    const cpu = process.cpuUsage(cpu0);
    const elapsedS = Number(process.hrtime.bigint() - t0) / 1e9;
    const clientTicks = clients.reduce((n, c) => n + procTicks(c.pid ?? 0), 0) - clientTicks0;
    const framesSent = sum((s) => s.framesSent) - frames0;
    const cpuPct = ((cpu.user + cpu.system) / 1e6 / elapsedS) * 100;
    const streamsPlaying = playing();
    const result = {
      streams: all.length,
      streams_playing: streamsPlaying,
      sub_streams: DEVICES * SUB_PER_DEVICE,
      main_streams: DEVICES * MAIN_PER_DEVICE,
      codec: CODEC,
      window_s: Number(elapsedS.toFixed(1)),
      camsim_cpu_pct_total: Number(cpuPct.toFixed(2)),
      camsim_cpu_pct_per_stream: Number((cpuPct / all.length).toFixed(3)),
      camsim_cpu_user_pct: Number(((cpu.user / 1e6 / elapsedS) * 100).toFixed(2)),
      camsim_cpu_system_pct: Number(((cpu.system / 1e6 / elapsedS) * 100).toFixed(2)),
      camsim_rss_mb: Math.round(process.memoryUsage().rss / 2 ** 20),
      camsim_rss_peak_mb: Math.round(rssPeak / 2 ** 20),
      served_mbit_s: Number((((sum((s) => s.bytesSent) - bytes0) * 8) / 1e6 / elapsedS).toFixed(1)),
      served_fps_per_stream: Number((framesSent / elapsedS / Math.max(1, streamsPlaying)).toFixed(2)),
      frames_dropped: sum((s) => s.framesDropped) - dropped0,
      clients_alive: clients.filter((c) => c.exitCode === null && c.signalCode === null).length,
      clients_cpu_pct_total: Number(((clientTicks / CLK_TCK / elapsedS) * 100).toFixed(1)),
      loops_prepare_s: Number(prepareS.toFixed(1)),
      target_cpu_pct_total: 25,
    };
    process.stdout.write(`${JSON.stringify(result)}\n`);
  } finally {
    const exits = clients.map((c) => (c.exitCode !== null || c.signalCode !== null ? Promise.resolve() : new Promise<void>((r) => c.once('close', () => r()))));
    for (const c of clients) c.kill('SIGKILL');
    await Promise.all(exits);
    await Promise.all(devices.map((d) => d.server.close()));
    await Promise.all(devices.flatMap((d) => [...d.streams.values()].map((s) => s.close())));
  }
}

main().then(
  () => process.exit(0),
  (err: unknown) => {
    process.stderr.write(`[bench:camsim] failed: ${err instanceof Error ? err.stack : String(err)}\n`);
    process.exit(1);
  },
);
