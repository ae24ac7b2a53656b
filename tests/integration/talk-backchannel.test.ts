// The station's ONVIF audio back channel client against software nobody here wrote: GStreamer's ONVIF RTSP server
// (GstRTSPOnvifServer, set up as its example test-onvif-backchannel is) takes the audio and decodes it itself; its plain
// RTSP server, which has no back channel, refuses the Require tag with 551 as the ONVIF Streaming Specification says.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { NoBackchannel, openBackchannel } from '../../electron/core/media/rtsp-backchannel';
import { fileScope } from '../helpers/fixtures';
import { startGstCamera, startGstOnvifBackchannel, type GstCamera } from '../helpers/gst-rtsp';

const scope = fileScope();
let onvif: GstCamera, plain: GstCamera, out: string;

beforeAll(async () => {
  out = join(scope.tempDir('wp-talk-'), 'heard.raw');
  [onvif, plain] = await scope.all([startGstOnvifBackchannel(out), startGstCamera(undefined, undefined, 0)]);
}, 30_000);

const tone = (n: number, from: number) => Int16Array.from({ length: n }, (_, i) => Math.round(8000 * Math.sin((2 * Math.PI * 440 * (from + i)) / 8000)));

describe('the ONVIF audio back channel against GStreamer', () => {
  it('1.5 s of a 440 Hz tone arrives whole at GStreamer\'s ONVIF server, at the level sent', { timeout: 20_000 }, async () => {
    const talk = await openBackchannel(onvif.url(), { timeoutMs: 10_000 });
    expect(talk.law).toBe('mu');
    // Sent as the page sends it: uneven blocks in real time (the client cuts them into 20 ms packets).
    for (let at = 0; at < 12_000; at += 680) {
      talk.send(tone(Math.min(680, 12_000 - at), at));
      await new Promise((r) => setTimeout(r, 85));
    }
    talk.close();
    const heard = async () => { try { return readFileSync(out); } catch { return Buffer.alloc(0); } };
    await expect.poll(async () => (await heard()).length, { timeout: 5000 }).toBe(12_000 * 2);
    const raw = await heard();
    const pcm = new Int16Array(raw.buffer, raw.byteOffset, raw.length / 2);
    const rms = Math.sqrt(pcm.reduce((s, v) => s + v * v, 0) / pcm.length);
    expect(rms / (8000 / Math.SQRT2)).toBeCloseTo(1, 1);
    // 440 Hz: 660 cycles in 1.5 s, so about 1320 sign changes (a wrong byte order or law would scatter them).
    let crossings = 0;
    for (let i = 1; i < pcm.length; i++) if ((pcm[i - 1]! < 0) !== (pcm[i]! < 0)) crossings++;
    expect(crossings).toBeGreaterThan(1300);
    expect(crossings).toBeLessThan(1340);
  });

  it('a server without a back channel answers the Require tag with 551: no talk, told apart from a network failure', { timeout: 20_000 }, async () => {
    await expect(openBackchannel(plain.url(), { timeoutMs: 10_000 })).rejects.toBeInstanceOf(NoBackchannel);
    await expect(openBackchannel('rtsp://127.0.0.1:1/test', { timeoutMs: 5000 })).rejects.not.toBeInstanceOf(NoBackchannel);
  });
});
