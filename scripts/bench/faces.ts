// `npm run bench:faces`: one JSON line. The face detector (electron/core/redaction/faces.ts) on @vladmandic/face-api's six
// demo photographs (22 faces) pasted into 1280×720 camsim frames at half and a third of the frame's width:
// face_recall, face_precision (see face-photos.ts for how a face counts as found), and redact_fps_720p_faces, the
// detector's frames a second on those 720p frames (detection only; bench:redact adds the blur and the encoder);
// face_recall_h264 / face_precision_h264: the same frames after H.264 at a camera's bit rate, as a recorded stream has them.
import { loadFaceDetector, type FaceBox } from '../../electron/core/redaction/faces';
import { camsimFrame, compositeFrames, facePhotos, scoreFaces, throughH264 } from './face-photos';

export interface FaceFigures {
  face_recall: number;
  face_precision: number;
  redact_fps_720p_faces: number;
  face_recall_h264: number;
  face_precision_h264: number;
  face_detector: string;
  face_load_ms: number;
  face_false_boxes_on_pattern: number;
}

export async function benchFaces(rounds = 3): Promise<FaceFigures> {
  const t0 = performance.now();
  const detector = await loadFaceDetector();
  const loadMs = performance.now() - t0;
  const photos = facePhotos();
  const frames = [...(await compositeFrames(photos, 1 / 2)), ...(await compositeFrames(photos, 1 / 3))];
  const boxes: FaceBox[][] = [];
  for (const f of frames) boxes.push(await detector.detect(f.frame));
  const score = scoreFaces(frames.map((f) => f.faces), boxes);
  const coded = await throughH264(frames);
  const codedBoxes: FaceBox[][] = [];
  for (const f of coded) codedBoxes.push(await detector.detect(f.frame));
  const codedScore = scoreFaces(coded.map((f) => f.faces), codedBoxes);
  const pattern = await detector.detect(await camsimFrame());
  const start = performance.now();
  for (let r = 0; r < rounds; r++) for (const f of frames) await detector.detect(f.frame);
  const fps = (rounds * frames.length) / ((performance.now() - start) / 1000);
  return {
    face_recall: round(score.recall),
    face_precision: round(score.precision),
    redact_fps_720p_faces: round(fps, 1),
    face_recall_h264: round(codedScore.recall),
    face_precision_h264: round(codedScore.precision),
    face_detector: `${detector.name} ${detector.version}`,
    face_load_ms: Math.round(loadMs),
    face_false_boxes_on_pattern: pattern.length,
  };
}

const round = (v: number, digits = 3) => Number(v.toFixed(digits));

if (import.meta.url === `file://${process.argv[1]}`) {
  console.log(JSON.stringify(await benchFaces()));
}
