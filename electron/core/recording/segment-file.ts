// Segment files on disk: where they go, and what a file holds (read back from its own boxes).
import { closeSync, ftruncateSync, openSync, readFileSync } from 'node:fs';
import { isAbsolute, join, resolve } from 'node:path';
import { boxes, readInit, readMoof, type TrackInfo } from '../media/fmp4';
import type { StreamKind } from './segment-index';

const pad = (n: number, w = 2) => String(n).padStart(w, '0');

/**
 * A segment's file. Paths in the index are relative to the recordings folder; a segment left in an earlier folder
 * (the folder was changed) keeps its absolute path, so both stay playable.
 */
export function segmentFile(root: string, path: string): string {
  return isAbsolute(path) ? path : resolve(root, path);
}

/** `<channel>/<YYYY-MM-DD>/<HH>/c<channel>-<stream>-<YYYYMMDDTHHMMSSmmmZ>.mp4`, in UTC; the name alone gives channel, stream and start. */
export function segmentRelPath(channelId: number, stream: StreamKind, startMs: number): string {
  const d = new Date(startMs);
  const day = `${d.getUTCFullYear()}-${pad(d.getUTCMonth() + 1)}-${pad(d.getUTCDate())}`;
  const stamp = `${d.getUTCFullYear()}${pad(d.getUTCMonth() + 1)}${pad(d.getUTCDate())}T${pad(d.getUTCHours())}${pad(d.getUTCMinutes())}${pad(d.getUTCSeconds())}${pad(d.getUTCMilliseconds(), 3)}Z`;
  return join(String(channelId), day, pad(d.getUTCHours()), `c${channelId}-${stream}-${stamp}.mp4`);
}

const NAME = /^c(\d+)-(main|sub)-(\d{4})(\d{2})(\d{2})T(\d{2})(\d{2})(\d{2})(\d{3})Z\.mp4$/;

export function parseSegmentName(name: string): { channelId: number; stream: StreamKind; startMs: number } | undefined {
  const m = NAME.exec(name);
  if (!m) return undefined;
  const [, ch, stream, y, mo, d, h, mi, s, ms] = m;
  return { channelId: Number(ch), stream: stream as StreamKind, startMs: Date.UTC(+y!, +mo! - 1, +d!, +h!, +mi!, +s!, +ms!) };
}

export interface ScannedSegment {
  track: TrackInfo;
  initBytes: number;
  /** End of the last whole moof+mdat: a crash-cut tail is beyond it. */
  validBytes: number;
  fileBytes: number;
  fragments: number;
  baseDts: number;
  /** Decode time just after the last whole fragment. */
  endDts: number;
  keyframes: { dts: number; byte: number }[];
}

/** Reads a segment file's init and every whole fragment; undefined if it has no init or no keyframe to start from. */
export function scanSegment(path: string): ScannedSegment | undefined {
  let buf: Buffer;
  try { buf = readFileSync(path); } catch { return undefined; }
  let track: TrackInfo | undefined;
  let initBytes = 0;
  let validBytes = 0;
  let moofAt = -1;
  let fragments = 0;
  let videoSeen = false;
  let baseDts = 0;
  let endDts = 0;
  const keyframes: { dts: number; byte: number }[] = [];
  try {
    for (const b of boxes(buf)) {
      if (!track) {
        if (b.type === 'moov') {
          initBytes = b.start + b.size;
          track = readInit(buf.subarray(0, initBytes));
          validBytes = initBytes;
        }
        continue;
      }
      if (b.type === 'moof') moofAt = b.start;
      else if (b.type === 'mdat' && moofAt >= 0) {
        const info = readMoof(buf, { type: 'moof', start: moofAt, size: b.start - moofAt, headerSize: 8 }, track);
        // Audio-only fragments hold no video timing.
        if (info.video) {
          if (!videoSeen) baseDts = info.baseDecodeTime;
          videoSeen = true;
          if (info.keyframe) keyframes.push({ dts: info.baseDecodeTime, byte: moofAt });
          endDts = info.baseDecodeTime + info.duration;
        }
        fragments++;
        validBytes = b.start + b.size;
        moofAt = -1;
      }
    }
  } catch {
    // A damaged box ends the readable part; what came before stays.
  }
  if (!track || keyframes.length === 0 || keyframes[0]!.byte !== initBytes) return undefined;
  return { track, initBytes, validBytes, fileBytes: buf.length, fragments, baseDts, endDts, keyframes };
}

/** Cuts a file back to its last whole fragment. */
export function trimSegment(path: string, validBytes: number): void {
  const fd = openSync(path, 'r+');
  try { ftruncateSync(fd, validBytes); } finally { closeSync(fd); }
}
