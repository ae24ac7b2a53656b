// GStreamer's RTSP server (software nobody here wrote) as a camera for tests.
import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { endProcess } from './child-process';
import { ROOT } from './station-process';

export interface GstCamera { port: number; url(credentials?: string): string; close(): Promise<void> }

/**
 * `audio`: the camera also sends G.711 A-law audio (a 440 Hz tone), as most security cameras do. `h265`: H.265 instead of
 * H.264. `auth`: the scheme offered when a user is given (default digest).
 */
export async function startGstCamera(user?: string, password?: string, port = 0, opts: { audio?: boolean; h265?: boolean; auth?: 'digest' | 'basic' } = {}): Promise<GstCamera> {
  const flags = [...(opts.audio ? ['--audio'] : []), ...(opts.h265 ? ['--h265'] : []), ...(opts.auth ? ['--auth', opts.auth] : [])];
  const p = spawn('/usr/bin/python3', [join(ROOT, 'tests/fixtures/gst-rtsp-server.py'), ...flags, String(port), ...(user ? [user, password ?? ''] : [])], { stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  const bound = await new Promise<number>((res, rej) => {
    const t = setTimeout(() => rej(new Error(`gst-rtsp-server did not start:\n${out}`)), 15_000);
    p.stdout.on('data', (d) => {
      out += d;
      const m = /READY (\d+)/.exec(out);
      if (m) { clearTimeout(t); res(Number(m[1])); }
    });
    p.stderr.on('data', (d) => (out += d));
    p.once('exit', (c) => { clearTimeout(t); rej(new Error(`gst-rtsp-server exited ${c}:\n${out}`)); });
  }).catch((err: unknown) => { p.kill('SIGKILL'); throw err; });
  return {
    port: bound,
    url: (credentials) => `rtsp://${credentials ? `${credentials}@` : ''}127.0.0.1:${bound}/test`,
    close: async () => void (await endProcess(p, 'SIGKILL')),
  };
}

/**
 * GStreamer's ONVIF RTSP server (GstRTSPOnvifServer) with an audio back channel on /test: what a client sends there is
 * decoded by GStreamer (rtppcmudepay, mulawdec) into `out` as 8 kHz mono S16LE.
 */
export async function startGstOnvifBackchannel(out: string): Promise<GstCamera> {
  const p = spawn('/usr/bin/python3', [join(ROOT, 'tests/fixtures/gst-onvif-backchannel.py'), '0', out], { stdio: ['ignore', 'pipe', 'pipe'] });
  let text = '';
  const bound = await new Promise<number>((res, rej) => {
    const t = setTimeout(() => rej(new Error(`gst-onvif-backchannel did not start:\n${text}`)), 15_000);
    p.stdout.on('data', (d) => { text += d; const m = /READY (\d+)/.exec(text); if (m) { clearTimeout(t); res(Number(m[1])); } });
    p.stderr.on('data', (d) => (text += d));
    p.once('exit', (c) => { clearTimeout(t); rej(new Error(`gst-onvif-backchannel exited ${c}:\n${text}`)); });
  }).catch((err: unknown) => { p.kill('SIGKILL'); throw err; });
  return {
    port: bound,
    url: () => `rtsp://127.0.0.1:${bound}/test`,
    close: async () => void (await endProcess(p, 'SIGKILL')),
  };
}

