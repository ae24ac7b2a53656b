import { execFile } from 'node:child_process';
import { fail, type StationError, type StreamProbe } from '../../contract';
import { openRtspSource } from '../media/rtsp-source';
import { classifyFailure } from '../media/stream-hub';

// Trying a camera's stream before it is saved: opened the way live view opens it, closed at its first picture's parameters.

const CODECS: Record<string, string> = { h264: 'H.264', h265: 'H.265', hevc: 'H.265', mjpeg: 'MJPEG', mpeg4: 'MPEG-4' };
const AUDIO: Record<string, string> = { pcm_alaw: 'G.711 A-law', pcm_mulaw: 'G.711 µ-law', aac: 'AAC', adpcm_g726: 'G.726', opus: 'Opus' };
const codecName = (c: string) => CODECS[c.toLowerCase()] ?? c.toUpperCase();

/** A probe that found no stream: why, in English and as a refusal any language can word. */
const refused = (e: StationError): StreamProbe => ({ ok: false, reason: e.message, error: e.info });

/** Why a stream at `where` (host:port) could not be opened. */
function failure(where: string, raw: string, timeoutMs: number): StreamProbe {
  const f = classifyFailure(raw);
  return refused(
    f.state === 'auth_failed' ? fail('stream.wrongPassword', { where })
    : f.reason === 'connection refused' ? fail('stream.connectionRefused', { where })
    : f.reason === 'connection timed out' ? fail('stream.timeout', { where, seconds: Math.round(timeoutMs / 1000) })
    : f.reason === 'host unreachable' ? fail('stream.noRoute', { where })
    : f.reason === 'the camera has no such stream' ? fail('stream.noSuchPath', { where })
    : fail('stream.notOpened', { where }, f.reason.replace(/\.$/, '')));
}

/** ffprobe's reading of the stream (for what the station reads through ffmpeg: audio, other codecs, RTSPS). */
function viaFfprobe(ffprobe: string, url: string, where: string, timeoutMs: number): Promise<StreamProbe> {
  const args = ['-v', 'error', '-rtsp_transport', 'tcp', '-timeout', String(timeoutMs * 1000), '-show_entries', 'stream=codec_type,codec_name,width,height', '-of', 'json', url];
  return new Promise((resolve) => {
    execFile(ffprobe, args, { timeout: timeoutMs + 2000, maxBuffer: 256 * 1024 }, (err, stdout, stderr) => {
      if (err) return resolve(failure(where, stderr || (err.killed ? 'Connection timed out' : err.message), timeoutMs));
      let streams: { codec_type?: string; codec_name?: string; width?: number; height?: number }[] = [];
      try { streams = (JSON.parse(stdout) as { streams?: typeof streams }).streams ?? []; } catch { /* no JSON: no streams */ }
      const video = streams.find((s) => s.codec_type === 'video');
      const audio = streams.find((s) => s.codec_type === 'audio');
      if (!video?.codec_name) return resolve(refused(fail('stream.noVideo', { where })));
      resolve({
        ok: true, codec: codecName(video.codec_name), ...(video.width && video.height ? { width: video.width, height: video.height } : {}),
        ...(audio?.codec_name ? { audio: AUDIO[audio.codec_name] ?? audio.codec_name } : {}),
      });
    });
  });
}

/**
 * Opens `url` (credentials in it) with the station's own RTSP reader until its init segment gives codec and picture size, or
 * with ffprobe when the reader hands the stream to ffmpeg; at most `timeoutMs` (+ ffprobe's own) and then closed.
 */
export async function probeStream(url: string, o: { ffprobePath?: () => string; timeoutMs?: number } = {}): Promise<StreamProbe> {
  const timeoutMs = o.timeoutMs ?? 6000;
  const u = new URL(url);
  const where = `${u.hostname}:${u.port || (u.protocol === 'rtsps:' ? 322 : 554)}`;
  const ffprobe = (why: string): Promise<StreamProbe> => {
    let path: string;
    try { path = o.ffprobePath?.() ?? 'ffprobe'; } catch (err) {
      return Promise.resolve(refused(fail('stream.needsFfprobe', { where }, `${why}; ${(err as Error).message}`)));
    }
    return viaFfprobe(path, url, where, timeoutMs);
  };
  if (u.protocol === 'rtsps:') return ffprobe('it is RTSPS');
  const first = await new Promise<{ init?: { codec: string; width: number; height: number }; failed?: string; unsupported?: string }>((resolve) => {
    let settled = false;
    const done = (r: { init?: { codec: string; width: number; height: number }; failed?: string; unsupported?: string }) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      source.close();
      resolve(r);
    };
    const timer = setTimeout(() => done({ failed: 'Connection timed out' }), timeoutMs);
    const source = openRtspSource(url, {
      part: (p) => { if (p.kind === 'init') done({ init: { codec: p.info.kind, width: p.info.width, height: p.info.height } }); },
      bytes: () => undefined,
      closed: (reason) => done({ failed: reason }),
      unsupported: (why) => done({ unsupported: why }),
    }, { timeoutMs });
  });
  if (first.init) return { ok: true, codec: codecName(first.init.codec), width: first.init.width, height: first.init.height };
  if (first.unsupported) return ffprobe(first.unsupported);
  return failure(where, first.failed ?? 'the stream ended', timeoutMs);
}
