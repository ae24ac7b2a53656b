import { spawn } from 'node:child_process';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEFAULT_PASSWORD, DEFAULT_USERNAME, startFleet, withCredentials, type Fleet } from '../../scripts/camsim/fleet';
import { digestFetch, soapCall } from '../../scripts/camsim/onvif/client';
import { NS, textAt } from '../../scripts/camsim/onvif/xml';

// The device half wired to the media half: URIs from the manifest and from ONVIF play in the
// system ffprobe, and ONVIF/Dahua snapshots are real pictures of the stream.

function ffprobe(url: string): Promise<{ code: number | null; out: string }> {
  return new Promise((resolve) => {
    const p = spawn('ffprobe', ['-v', 'error', '-rtsp_transport', 'tcp', '-select_streams', 'v:0', '-show_entries', 'stream=codec_name,width,height', '-of', 'csv=p=0', url]);
    let out = '';
    p.stdout.on('data', (d: Buffer) => (out += d.toString()));
    p.stderr.on('data', (d: Buffer) => (out += d.toString()));
    const t = setTimeout(() => p.kill('SIGKILL'), 40_000);
    p.on('close', (code) => {
      clearTimeout(t);
      resolve({ code, out: out.trim() });
    });
  });
}

/** Width and height from a JPEG's SOF marker. */
function jpegSize(b: Buffer): { width: number; height: number } | undefined {
  let i = 2;
  while (i + 9 < b.length) {
    if (b[i] !== 0xff) return undefined;
    const marker = b[i + 1] ?? 0;
    const len = b.readUInt16BE(i + 2);
    if (marker >= 0xc0 && marker <= 0xc3) return { height: b.readUInt16BE(i + 5), width: b.readUInt16BE(i + 7) };
    i += 2 + len;
  }
  return undefined;
}

let fleet: Fleet;
beforeAll(async () => {
  fleet = await startFleet({ devices: 1, channels: 1, subnet: '127.0.70' });
});
afterAll(async () => {
  await fleet?.close();
});

describe('camsim fleet with real video', () => {
  it('serves the ONVIF stream URI with digest auth to ffprobe, and refuses it without', async () => {
    const r = await soapCall(
      `${fleet.device(0).baseUrl}/onvif/media_service`,
      `<GetStreamUri xmlns="${NS.trt}"><StreamSetup><Stream xmlns="${NS.tt}">RTP-Unicast</Stream><Transport xmlns="${NS.tt}"><Protocol>RTSP</Protocol></Transport></StreamSetup><ProfileToken>ch1_sub</ProfileToken></GetStreamUri>`,
      { username: DEFAULT_USERNAME, password: DEFAULT_PASSWORD },
    );
    const uri = textAt(r.body, 'MediaUri', 'Uri') ?? '';
    const ok = await ffprobe(withCredentials(uri));
    expect(ok.code, ok.out).toBe(0);
    expect(ok.out).toBe('h264,640,360');
    const denied = await ffprobe(uri);
    expect(denied.code).not.toBe(0);
  }, 60_000);

  it('serves a real JPEG of the sub stream through ONVIF and snapshot.cgi', async () => {
    const d = fleet.device(0);
    for (const url of [`${d.baseUrl}/onvif/snapshot?channel=1&subtype=1`, `${d.baseUrl}/cgi-bin/snapshot.cgi?channel=1&subtype=1`]) {
      const res = await digestFetch(url, DEFAULT_USERNAME, DEFAULT_PASSWORD);
      expect(res.status).toBe(200);
      const jpeg = Buffer.from(await res.arrayBuffer());
      expect(jpegSize(jpeg)).toEqual({ width: 640, height: 360 });
    }
  }, 60_000);
});
