// The binary media frame both transports carry: init with its meta, fragments with and without the station's stamp.
import { describe, expect, it } from 'vitest';
import { decodeMediaFrame, encodeMediaFrame, encodeMediaFrameHead } from '../../electron/contract';

describe('media frames', () => {
  const payload = new Uint8Array([1, 2, 3, 4, 5]);

  it('carry a live fragment\'s stamp (station arrival, stream time) exactly, and the payload after it', () => {
    const stamp = { arrivedAt: 1_764_670_000_123.25, time: 12_345.68 };
    const f = decodeMediaFrame(encodeMediaFrame({ channel: 7, kind: 'fragment', keyframe: true, stamp, payload }));
    expect(f).toMatchObject({ channel: 7, kind: 'fragment', keyframe: true, stamp });
    expect([...f.payload]).toEqual([...payload]);
    expect(encodeMediaFrameHead({ channel: 7, kind: 'fragment', keyframe: false, stamp, payload }).length).toBe(22);
  });

  it('carry the camera\'s capture time beside the stamp where the stream gave one', () => {
    const stamp = { arrivedAt: 1_764_670_000_123.25, time: 12.5, capturedAt: 1_764_670_000_041.5 };
    const head = encodeMediaFrameHead({ channel: 3, kind: 'fragment', keyframe: false, stamp, payload });
    expect(head.length).toBe(30);
    const f = decodeMediaFrame(encodeMediaFrame({ channel: 3, kind: 'fragment', keyframe: false, stamp, payload }));
    expect(f.stamp).toEqual(stamp);
    expect([...f.payload]).toEqual([...payload]);
    expect(() => decodeMediaFrame(head.subarray(0, 26))).toThrow(/stamp/);
  });

  it('leave the stamp out where there is none (replayed GOP, playback) and never on an init', () => {
    const plain = decodeMediaFrame(encodeMediaFrame({ channel: 1, kind: 'fragment', keyframe: false, payload }));
    expect(plain.stamp).toBeUndefined();
    expect([...plain.payload]).toEqual([...payload]);
    const init = decodeMediaFrame(encodeMediaFrame({ channel: 1, kind: 'init', keyframe: false, meta: { codec: 'avc1.4d401e', width: 640, height: 360 }, stamp: { arrivedAt: 1, time: 2 }, payload }));
    expect(init.stamp).toBeUndefined();
    expect(init.meta).toEqual({ codec: 'avc1.4d401e', width: 640, height: 360 });
    expect([...init.payload]).toEqual([...payload]);
  });

  it('refuse a stamped fragment cut short', () => {
    const head = encodeMediaFrameHead({ channel: 1, kind: 'fragment', keyframe: false, stamp: { arrivedAt: 1, time: 2 }, payload });
    expect(() => decodeMediaFrame(head.subarray(0, 14))).toThrow(/stamp/);
  });
});
