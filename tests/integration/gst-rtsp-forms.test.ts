// GStreamer's RTSP server (software nobody here wrote) in the forms real cameras use that camsim alone would not prove:
// H.265 with sprop-vps/sps/pps as rtph265pay writes them, and Basic instead of Digest. The station's own RTSP reader (live
// view and recording read through it) plays each, and a wrong Basic password is a refusal, not a stream.
import { describe, expect, it } from 'vitest';
import { openRtspSource } from '../../electron/core/media/rtsp-source';
import { fileScope } from '../helpers/fixtures';
import { startGstCamera } from '../helpers/gst-rtsp';

const scope = fileScope();

/** Opens `url` with the station's reader until four parts came (played) or it ended (its reason). */
function read(url: string): Promise<{ outcome: string; codec?: string }> {
  let codec: string | undefined;
  let parts = 0;
  return new Promise((resolve) => {
    const src = openRtspSource(url, {
      part: (p) => {
        if (p.kind === 'init') codec = (p.info as { codec?: string }).codec;
        if (++parts >= 4) { src.close(); resolve({ outcome: 'played', codec }); }
      },
      bytes: () => {}, closed: (why) => resolve({ outcome: why }), unsupported: (why) => resolve({ outcome: `unsupported: ${why}` }),
    }, { timeoutMs: 20_000 });
  });
}

/** Reads `url` until a fragment comes dated by the camera's clock (RTCP sender reports); that date against now. */
function firstCameraDate(url: string): Promise<{ capturedAt?: number; seenAt: number; fragments: number }> {
  let fragments = 0;
  return new Promise((resolve) => {
    const done = (capturedAt?: number) => { src.close(); clearTimeout(timer); resolve({ capturedAt, seenAt: Date.now(), fragments }); };
    const timer = setTimeout(() => done(), 15_000);
    const src = openRtspSource(url, {
      part: (p) => { if (p.kind === 'fragment' && ++fragments && p.info.capturedAt !== undefined) done(p.info.capturedAt); },
      bytes: () => {}, closed: () => done(), unsupported: () => done(),
    }, { timeoutMs: 20_000 });
  });
}

describe('the station\'s RTSP reader against GStreamer\'s RTSP server', () => {
  it('dates frames by the server\'s clock from its RTCP sender reports (the tile\'s camera latency)', async () => {
    const cam = scope.add(await startGstCamera('admin', 'Gst-sr-Pass', 0));
    const r = await firstCameraDate(cam.url('admin:Gst-sr-Pass'));
    expect(r.fragments).toBeGreaterThan(0);
    expect(r.capturedAt, 'no sender report within 15 s').toBeDefined();
    // Same machine, same clock: captured a little before it was read (the encoder's and the network's delay).
    expect(r.seenAt - r.capturedAt!).toBeGreaterThan(-100);
    expect(r.seenAt - r.capturedAt!).toBeLessThan(3000);
  }, 40_000);

  it('H.265 behind digest: init names hvc1/hev1, fragments follow', async () => {
    const cam = scope.add(await startGstCamera('admin', 'Gst-h265-Pass', 0, { h265: true }));
    const r = await read(cam.url('admin:Gst-h265-Pass'));
    expect(r.outcome).toBe('played');
    expect(r.codec).toMatch(/^(hvc1|hev1)\./);
  }, 40_000);

  it('Basic only: the right password plays, a wrong one is refused as unauthorized', async () => {
    const cam = scope.add(await startGstCamera('admin', 'Gst-basic-Pass', 0, { auth: 'basic' }));
    expect((await read(cam.url('admin:Gst-basic-Pass'))).outcome).toBe('played');
    expect((await read(cam.url('admin:wrong-Pass-1'))).outcome).toMatch(/401 Unauthorized/);
  }, 40_000);
});
