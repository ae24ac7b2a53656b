// The face detector redaction uses (BlazeFace from @vladmandic/human on TensorFlow.js WASM, all from node_modules): the
// faces of a real photograph shipped in @vladmandic/face-api, none on camsim's test pattern, and a malformed frame refused.
import { describe, expect, it } from 'vitest';
import { FaceDetectorUnavailable, loadFaceDetector, mergeBoxes, squareTiles } from '../../electron/core/redaction/faces';
import { camsimFrame, facePhotos, photoFrame, scoreFaces } from '../../scripts/bench/face-photos';

describe('face detector', () => {
  it('finds each face of a shipped photograph, and none on the camsim test pattern', async () => {
    const detector = await loadFaceDetector();
    expect(detector.name).toBe('human-blazeface');
    expect(detector.version).toMatch(/^\d+\.\d+\.\d+$/);
    const photo = await photoFrame(facePhotos()[0]!, 1280);
    const boxes = await detector.detect(photo.frame);
    const score = scoreFaces([photo.faces], [boxes]);
    expect(score).toMatchObject({ faces: 3, found: 3, boxes: 3, trueBoxes: 3 });
    for (const b of boxes) {
      expect(b.x).toBeGreaterThanOrEqual(0);
      expect(b.x + b.w).toBeLessThanOrEqual(1);
      expect(b.score).toBeGreaterThan(0.5);
    }
    expect(await detector.detect(await camsimFrame())).toEqual([]);
  }, 60_000);

  it('a model that cannot be read is refused as FaceDetectorUnavailable, and the shipped one still loads', async () => {
    const e = await loadFaceDetector({ modelsDir: '/nonexistent/models' }).then(() => null, (err: unknown) => err);
    expect(e).toBeInstanceOf(FaceDetectorUnavailable);
    expect((e as Error).message).toMatch(/^face detector not available: ENOENT.*blazeface\.json/);
    expect((await loadFaceDetector()).name).toBe('human-blazeface');
  }, 60_000);

  it('refuses a frame whose bytes are not width × height RGB', async () => {
    const detector = await loadFaceDetector();
    await expect(detector.detect({ data: new Uint8Array(10), width: 4, height: 4 })).rejects.toThrow(/RGB24/);
  }, 60_000);

  it('covers a wide frame with overlapping squares and keeps one box where they overlap', () => {
    expect(squareTiles(1280, 720)).toEqual([{ x: 0, y: 0, side: 720 }, { x: 560, y: 0, side: 720 }]);
    expect(squareTiles(720, 720)).toEqual([{ x: 0, y: 0, side: 720 }]);
    const face = { x: 0.5, y: 0.2, w: 0.1, h: 0.2, score: 0.9 };
    const twin = { x: 0.51, y: 0.21, w: 0.1, h: 0.19, score: 0.7 };
    const other = { x: 0.7, y: 0.2, w: 0.1, h: 0.2, score: 0.8 };
    expect(mergeBoxes([twin, face, other])).toEqual([face, other]);
  });
});
