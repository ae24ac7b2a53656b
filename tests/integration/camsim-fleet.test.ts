import { spawn } from 'node:child_process';
import dgram from 'node:dgram';
import net from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startControlServer, type ControlServer } from '../../scripts/camsim/control';
import { decodeDhip, encodeDhip } from '../../scripts/camsim/dahua/dhip';
import type { DeviceEvent } from '../../scripts/camsim/device-types';
import { DEFAULT_PASSWORD, DEFAULT_USERNAME, placeholderMedia, startFleet, type Fleet, type FleetManifest } from '../../scripts/camsim/fleet';
import { soapCall } from '../../scripts/camsim/onvif/client';
import { NS, textAt } from '../../scripts/camsim/onvif/xml';
import type { MediaBackend, RtspServer } from '../../scripts/camsim/types';

const creds = { username: DEFAULT_USERNAME, password: DEFAULT_PASSWORD };
const TDS = `xmlns="${NS.tds}"`;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

// Counts what the faults ask of the RTSP server, around the placeholder that answers 503.
const rtspCalls: string[] = [];
const countingMedia: MediaBackend = {
  createStream: placeholderMedia.createStream,
  async startRtspServer(options) {
    const inner = await placeholderMedia.startRtspServer(options);
    const wrapped: RtspServer = {
      port: inner.port,
      dropAll: () => (rtspCalls.push('dropAll'), inner.dropAll()),
      setStalled: (on) => (rtspCalls.push(`setStalled:${on}`), inner.setStalled(on)),
      corruptNext: () => (rtspCalls.push('corruptNext'), inner.corruptNext()),
      setReplyDelay: (ms) => (rtspCalls.push(`setReplyDelay:${ms}`), inner.setReplyDelay(ms)),
      close: () => inner.close(),
    };
    return wrapped;
  },
};

async function rtspOptions(ip: string, port: number, timeoutMs = 500): Promise<string | 'closed' | 'timeout'> {
  return new Promise((resolve) => {
    const s = net.connect(port, ip);
    const t = setTimeout(() => {
      s.destroy();
      resolve('timeout');
    }, timeoutMs);
    s.on('data', (d) => {
      clearTimeout(t);
      s.destroy();
      resolve(d.toString());
    });
    s.on('error', () => {
      clearTimeout(t);
      resolve('closed');
    });
    s.write(`OPTIONS rtsp://${ip}/ RTSP/1.0\r\nCSeq: 1\r\n\r\n`);
  });
}

async function dhipSearch(ip: string, port: number): Promise<number> {
  const sock = dgram.createSocket('udp4');
  let n = 0;
  sock.on('message', (m) => decodeDhip(m) && n++);
  await new Promise<void>((r) => sock.bind(0, '127.0.0.1', () => r()));
  sock.send(encodeDhip({ method: 'DHDiscover.search', params: { mac: '' } }), port, ip);
  await sleep(200);
  await new Promise<void>((r) => sock.close(() => r()));
  return n;
}

describe('camsim CLI', () => {
  it('prints one JSON manifest, applies --fault flags, and exits cleanly on SIGTERM', async () => {
    // node --import tsx, not npx: a signal must reach camsim itself, not a wrapper that orphans it.
    const proc = spawn(
      process.execPath,
      ['--import', 'tsx', 'scripts/camsim/cli.ts', '--devices', '2', '--channels', '2', '--uninitialized', '1', '--nvr', '4', '--subnet', '127.0.65', '--control-port', '0', '--no-video', '--fault', 'cam-01:slow:300'],
      { stdio: ['ignore', 'pipe', 'pipe'] },
    );
    let out = '';
    let err = '';
    proc.stderr.on('data', (d: Buffer) => (err += d.toString()));
    const line = await new Promise<string>((resolve, reject) => {
      proc.stdout.on('data', (d: Buffer) => {
        out += d.toString();
        if (out.includes('\n')) resolve(out.slice(0, out.indexOf('\n')));
      });
      proc.on('exit', () => reject(new Error(`camsim exited: ${err}`)));
    });
    try {
      const m = JSON.parse(line) as FleetManifest;
      expect(m.devices.map((d) => [d.id, d.kind, d.initialized, d.channels.length])).toEqual([
        ['cam-01', 'camera', true, 2],
        ['cam-02', 'camera', false, 2],
        ['nvr-01', 'nvr', true, 4],
      ]);
      const cam = m.devices[0]!;
      expect(cam).toMatchObject({ ip: '127.0.65.1', onvif: { deviceService: 'http://127.0.65.1/onvif/device_service' } });
      expect(cam.credentials).toEqual(creds);
      expect(m.devices[1]!.credentials).toBeUndefined();
      expect(cam.mac).toMatch(/^02(:[0-9A-F]{2}){5}$/);
      expect(cam.channels[1]!.sub.rtsp).toBe('rtsp://127.0.65.1/cam/realmonitor?channel=2&subtype=1');
      expect(m.control).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
      const t0 = Date.now();
      expect((await soapCall(cam.onvif.deviceService, `<GetSystemDateAndTime ${TDS}/>`)).status).toBe(200);
      expect(Date.now() - t0).toBeGreaterThanOrEqual(290);
      const manifest = (await (await fetch(`${m.control}/manifest`)).json()) as FleetManifest;
      expect(manifest.devices).toHaveLength(3);
    } finally {
      proc.kill('SIGTERM');
    }
    const code = await new Promise<number | null>((r) => (proc.exitCode !== null ? r(proc.exitCode) : proc.on('exit', (c) => r(c))));
    expect(code).toBe(0);
    await expect(fetch('http://127.0.65.1/onvif/device_service', { method: 'POST', body: '' })).rejects.toThrow();
  }, 30_000);
});

describe('camsim faults through the control endpoint', () => {
  let fleet: Fleet;
  let control: ControlServer;
  const fault = (id: string, body: unknown) =>
    fetch(`${control.url}/devices/${id}/fault`, { method: 'POST', body: JSON.stringify(body) }).then(async (r) => ({ status: r.status, json: (await r.json()) as { ok: boolean } }));
  beforeAll(async () => {
    fleet = await startFleet({ devices: 2, channels: 1, subnet: '127.0.69', media: countingMedia, rebootMs: 300 });
    control = await startControlServer(fleet);
  });
  afterAll(async () => {
    await control?.close();
    await fleet?.close();
  });

  it('goes offline for N seconds: connections refused, no discovery replies, then back', async () => {
    const d = fleet.device(1);
    const { ip, ports } = fleet.manifest.devices[1]!;
    expect((await fault('cam-02', { type: 'offline', seconds: 0.6 })).json.ok).toBe(true);
    await expect(fetch(d.deviceServiceUrl, { method: 'POST', body: '' })).rejects.toThrow();
    expect(await rtspOptions(ip, ports.rtsp)).toBe('closed');
    expect(await dhipSearch(ip, ports.dhip)).toBe(0);
    await d.whenOnline(5000);
    expect(d.ports).toEqual(ports);
    expect((await soapCall(d.deviceServiceUrl, `<GetSystemDateAndTime ${TDS}/>`)).status).toBe(200);
    expect(await dhipSearch(ip, ports.dhip)).toBe(1);
  });

  it('reboots', async () => {
    const d = fleet.device(1);
    expect((await fault('cam-02', { type: 'reboot' })).status).toBe(200);
    expect(d.online).toBe(false);
    await d.whenOnline(5000);
    expect((await soapCall(d.deviceServiceUrl, `<GetSystemDateAndTime ${TDS}/>`)).status).toBe(200);
  });

  it('drops, stalls, corrupts and slows RTSP through the RtspServer', async () => {
    const { ip, ports } = fleet.manifest.devices[0]!;
    rtspCalls.length = 0;
    expect(await rtspOptions(ip, ports.rtsp)).toMatch(/^RTSP\/1\.0 /);
    await fault('cam-01', { type: 'stall', seconds: 0.4 });
    expect(await rtspOptions(ip, ports.rtsp, 250)).toBe('timeout');
    await sleep(300);
    expect(await rtspOptions(ip, ports.rtsp)).toMatch(/^RTSP\/1\.0 /);
    const held = net.connect(ports.rtsp, ip);
    await new Promise((r) => held.once('connect', r));
    const closed = new Promise((r) => held.once('close', r));
    await fault('cam-01', { type: 'drop-rtsp' });
    await closed;
    await fault('cam-01', { type: 'corrupt' });
    await fault('cam-01', { type: 'slow', ms: 250 });
    const t0 = Date.now();
    expect((await soapCall(fleet.device(0).deviceServiceUrl, `<GetSystemDateAndTime ${TDS}/>`)).status).toBe(200);
    expect(Date.now() - t0).toBeGreaterThanOrEqual(240);
    await fault('cam-01', { type: 'clear' });
    expect(rtspCalls).toEqual(['setStalled:true', 'setStalled:false', 'dropAll', 'corruptNext', 'setReplyDelay:250', 'setReplyDelay:0', 'setStalled:false']);
  });

  it('changes resolution mid-stream, as ONVIF and the manifest report', async () => {
    await fault('cam-01', { type: 'resolution', channel: 1, profile: 'main', width: 1280, height: 720 });
    expect(fleet.manifest.devices[0]!.channels[0]!.main).toMatchObject({ width: 1280, height: 720 });
    const r = await soapCall(`${fleet.device(0).baseUrl}/onvif/media_service`, `<GetProfile xmlns="${NS.trt}"><ProfileToken>ch1_main</ProfileToken></GetProfile>`, creds);
    expect(textAt(r.body, 'Profile', 'VideoEncoderConfiguration', 'Resolution', 'Width')).toBe('1280');
  });

  it('locks a client IP out on demand, and raises events and moves devices on request', async () => {
    const url = fleet.device(0).deviceServiceUrl;
    await fault('cam-01', { type: 'lockout', ip: '127.0.0.1', seconds: 5 });
    expect((await soapCall(url, `<GetDeviceInformation ${TDS}/>`, creds)).status).toBe(403);
    await fault('cam-01', { type: 'lockout' });
    expect((await soapCall(url, `<GetDeviceInformation ${TDS}/>`, creds)).status).toBe(200);

    const seen: DeviceEvent[] = [];
    const off = fleet.device(0).onEvent((e) => seen.push(e));
    const ev = await fetch(`${control.url}/devices/cam-01/events`, { method: 'POST', body: JSON.stringify({ kind: 'co2', value: 900 }) });
    off();
    expect(ev.status).toBe(200);
    expect(seen).toMatchObject([{ kind: 'co2', channel: 1, value: 900 }]);
    const bad = await fetch(`${control.url}/devices/cam-01/events`, { method: 'POST', body: JSON.stringify({ kind: 'co2' }) });
    expect(bad.status).toBe(400);
    expect((await fault('cam-01', { type: 'explode' })).status).toBe(400);

    const moved = await fetch(`${control.url}/devices/cam-02/address`, { method: 'POST', body: JSON.stringify({ ip: '127.0.69.50' }) });
    expect(((await moved.json()) as { device: { ip: string } }).device.ip).toBe('127.0.69.50');
  });
});
