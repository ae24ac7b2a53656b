// The face detector redaction uses (BlazeFace from @vladmandic/human on TensorFlow.js WASM, all from node_modules): the
// faces of a real photograph shipped in @vladmandic/face-api, none on camsim's test pattern, and a malformed frame refused.
// Then on a real recording: camsim pastes the same photographs into a camera's stream (--faces), the station records it
// over RTSP, and its export for disclosure blurs the faces it finds: recall against camsim's ground truth, each face's
// area blurred in the redacted file, the picture away from the photographs as recorded.
import { describe, expect, it } from 'vitest';
import { FaceDetectorUnavailable, loadFaceDetector, mergeBoxes, squareTiles } from '../../electron/core/redaction/faces';
import { camsimFrame, facePhotos, photoFrame, scoreFaces } from '../../scripts/bench/face-photos';
import { exportRedacted, measureRedactedFaces, recordFaces, watchDetector } from '../../scripts/bench/face-recording';
import { FACE_SLOTS } from '../../scripts/camsim/video/face-scene';
import { fileScope } from '../helpers/fixtures';

const scope = fileScope();

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

describe('faces on a camsim recording', () => {
  it('the station records a camera with people on it; its export for disclosure blurs their faces and nothing else', async () => {
    const watch = await watchDetector();
    try {
      const rec = scope.add(await recordFaces({ dataDir: scope.tempDir('wp-faces-rec-'), seconds: 4, stream: 'sub' }));
      // The ground truth camsim publishes: the package, the loop, each placement normalized to the picture.
      const ch = rec.fleet.manifest.devices[0]!.channels[0]!;
      expect(ch.faces).toMatchObject({ package: expect.stringMatching(/^@vladmandic\/face-api \d+\.\d+\.\d+ demo\/sample1-6\.jpg$/), loopSeconds: 12, slotSeconds: 1 });
      expect(ch.faces!.placements).toHaveLength(FACE_SLOTS);
      expect(ch.faces!.placements[0]!.x).toBeCloseTo(rec.scene.placements[0]!.x / rec.scene.width, 2);
      const { folder } = await exportRedacted(rec);
      const m = await measureRedactedFaces(folder, rec.scene, watch.calls);
      expect(m.unreadable).toBe(0);
      expect(m.frames).toBeGreaterThanOrEqual(75);
      expect(m.samples).toBeGreaterThanOrEqual(15);
      // The boxes the export blurred, at the frames it sampled, against the truth.
      expect(m.track.recall, JSON.stringify(m.track)).toBeGreaterThanOrEqual(0.8);
      // Frame by frame in the redacted file: the faces' areas lost their detail.
      expect(m.blurredRatio, `${m.blurred} of ${m.faces} faces blurred`).toBeGreaterThanOrEqual(0.8);
      // Away from the photographs the picture is the recording's (a false box now and then blurs a little of it).
      expect(m.awayFramesUntouched / m.awayFrames, `${m.awayFramesUntouched} of ${m.awayFrames} frames`).toBeGreaterThanOrEqual(0.8);
      expect(m.awayMeanAbsDiff).toBeLessThan(3);
    } finally {
      watch.stop();
    }
  }, 120_000);
});
