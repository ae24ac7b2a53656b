// `npm run bench:faces`: one JSON line. The face detector (electron/core/redaction/faces.ts) on @vladmandic/face-api's six
// demo photographs (22 faces) pasted into 1280×720 camsim frames at half and a third of the frame's width:
// face_recall, face_precision (see face-photos.ts for how a face counts as found), and redact_fps_720p_faces, the
// detector's frames a second on those 720p frames (detection only; bench:redact adds the blur and the encoder);
// face_recall_h264 / face_precision_h264: the same frames after H.264 at a camera's bit rate, as a recorded stream has them.
// Then on a real recording (face-recording.ts; `--no-recorded` leaves it out): camsim --faces pastes the same photographs
// into a 1080p camera stream, another photograph, place and size every second over a 12 s loop; the station records it
// over RTSP for a whole loop and its own "Export for disclosure" with faces runs over the recorded range.
// face_recall_recorded / face_precision_recorded: the boxes the export blurred at the frames it sampled (5 a second)
// against camsim's ground truth (face_samples_recorded frames, face_sample_faces_recorded faces on them);
// face_false_off_photo_recorded: false boxes lying off the photographs (on the pattern or the camera's labels);
// face_blurred_recorded: the share of faces, frame by frame in the redacted file (face_frames_recorded frames,
// face_frame_faces_recorded faces), whose area lost its detail; face_away_untouched_recorded: the share of frames (clear of
// a change of photograph) that away from the photographs stay as recorded; face_export_s_recorded: the export's wall time.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadFaceDetector, type FaceBox } from '../../electron/core/redaction/faces';
import { camsimFrame, compositeFrames, facePhotos, scoreFaces, throughH264 } from './face-photos';
import { exportRedacted, measureRedactedFaces, recordFaces, watchDetector } from './face-recording';

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

export interface RecordedFigures {
  face_recorded_stream: string;
  face_recorded_s: number;
  face_recall_recorded: number;
  face_precision_recorded: number;
  face_samples_recorded: number;
  face_sample_faces_recorded: number;
  face_false_off_photo_recorded: number;
  face_blurred_recorded: number;
  face_frames_recorded: number;
  face_frame_faces_recorded: number;
  face_away_untouched_recorded: number;
  face_export_s_recorded: number;
}

/** A camsim camera with faces recorded by the station for `seconds`, exported for disclosure with faces, measured. */
export async function benchRecordedFaces(seconds = 13, stream: 'main' | 'sub' = 'main'): Promise<RecordedFigures> {
  const dir = mkdtempSync(join(tmpdir(), 'wp-bench-faces-rec-'));
  const watch = await watchDetector();
  try {
    const rec = await recordFaces({ dataDir: join(dir, 'data'), seconds, stream });
    try {
      const { folder, ms } = await exportRedacted(rec);
      const m = await measureRedactedFaces(folder, rec.scene, watch.calls);
      return {
        face_recorded_stream: `${rec.scene.width}x${rec.scene.height} ${stream}`,
        face_recorded_s: round((rec.to - rec.from) / 1000, 1),
        face_recall_recorded: round(m.track.recall),
        face_precision_recorded: round(m.track.precision),
        face_samples_recorded: m.samples,
        face_sample_faces_recorded: m.sampleFaces,
        face_false_off_photo_recorded: m.falseOffPhoto,
        face_blurred_recorded: round(m.blurredRatio),
        face_frames_recorded: m.frames,
        face_frame_faces_recorded: m.faces,
        face_away_untouched_recorded: round(m.awayFrames ? m.awayFramesUntouched / m.awayFrames : 0),
        face_export_s_recorded: round(ms / 1000, 1),
      };
    } finally {
      await rec.close();
    }
  } finally {
    watch.stop();
    rmSync(dir, { recursive: true, force: true });
  }
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
  const figures = await benchFaces();
  console.log(JSON.stringify(process.argv.includes('--no-recorded') ? figures : { ...figures, ...(await benchRecordedFaces()) }));
}
