// Re-stamps a moof+mdat fragment (a copy): new decode time, durations scaled for slow/fast playback.
import { boxes, child, trunEntryBytes, type Box, type TrackInfo } from '../media/fmp4';

function readTfdt(buf: Buffer, tfdt: { start: number }): number {
  return buf[tfdt.start + 8] === 1 ? Number(buf.readBigUInt64BE(tfdt.start + 12)) : buf.readUInt32BE(tfdt.start + 12);
}

/**
 * Returns a copy of the fragment whose timeline starts at `baseDts` (video timescale) and every sample duration (and
 * composition offset) multiplied by `scale`. With `tracks` (the init's), each traf is re-stamped in its own timescale and
 * keeps its offset from the fragment's reference (the video traf, or the audio one in an audio-only fragment); without,
 * every traf gets baseDts.
 */
export function retimeFragment(src: Buffer, baseDts: number, scale = 1, tracks?: Pick<TrackInfo, 'trackId' | 'timescale' | 'audio'>): Buffer {
  const buf = Buffer.from(src);
  const moof = [...boxes(buf)].find((b) => b.type === 'moof');
  if (!moof) throw new Error('fragment has no moof');
  const trafs = [...boxes(buf, moof.start + 8, moof.start + moof.size)].filter((b) => b.type === 'traf');
  const timescaleOf = (traf: Box) => (tracks?.audio && readTrackId(buf, traf) === tracks.audio.trackId ? tracks.audio.timescale : tracks?.timescale ?? 1);
  // Reference instant (s): the video traf's decode time, else the first traf's.
  let refS: number | undefined;
  if (tracks) {
    const ref = trafs.find((t) => readTrackId(buf, t) === tracks.trackId) ?? trafs[0];
    const tfdt = ref && child(buf, ref, 'tfdt');
    if (tfdt) refS = readTfdt(buf, tfdt) / timescaleOf(ref);
  }
  for (const traf of trafs) {
    const tfdt = child(buf, traf, 'tfdt');
    if (tfdt) {
      let dts = baseDts;
      if (tracks && refS !== undefined) {
        const ts = timescaleOf(traf);
        dts = (baseDts / tracks.timescale + (readTfdt(buf, tfdt) / ts - refS) * scale) * ts;
      }
      dts = Math.max(0, Math.round(dts));
      if (buf[tfdt.start + 8] === 1) buf.writeBigUInt64BE(BigInt(dts), tfdt.start + 12);
      else buf.writeUInt32BE(dts % 2 ** 32, tfdt.start + 12);
    }
    if (scale === 1) continue;
    // Scaled values stay in their fields' ranges (a damaged duration times 16 would not fit 32 bits).
    const clamp = (v: number, lo: number, hi: number) => Math.min(hi, Math.max(lo, Math.round(v)));
    const s = (v: number) => clamp(v * scale, 1, 0xffffffff);
    const tfhd = child(buf, traf, 'tfhd');
    if (tfhd) {
      const f = buf.readUInt32BE(tfhd.start + 8) & 0xffffff;
      const at = tfhd.start + 16 + (f & 0x01 ? 8 : 0) + (f & 0x02 ? 4 : 0);
      if (f & 0x08) buf.writeUInt32BE(s(buf.readUInt32BE(at)), at);
    }
    for (const trun of boxes(buf, traf.start + 8, traf.start + traf.size)) {
      if (trun.type !== 'trun') continue;
      const version = buf[trun.start + 8]!;
      const f = buf.readUInt32BE(trun.start + 8) & 0xffffff;
      const n = buf.readUInt32BE(trun.start + 12);
      let p = trun.start + 16 + (f & 0x01 ? 4 : 0) + (f & 0x04 ? 4 : 0);
      // A damaged count would loop for seconds: without entries there is nothing to scale; with them they must fit.
      const entryBytes = trunEntryBytes(f);
      if (p + n * entryBytes > trun.start + trun.size) throw new Error('trun lists more samples than it holds');
      for (let i = 0; entryBytes && i < n; i++) {
        if (f & 0x100) { buf.writeUInt32BE(s(buf.readUInt32BE(p)), p); p += 4; }
        if (f & 0x200) p += 4;
        if (f & 0x400) p += 4;
        if (f & 0x800) {
          if (version === 1) buf.writeInt32BE(clamp(buf.readInt32BE(p) * scale, -(2 ** 31), 2 ** 31 - 1), p);
          else buf.writeUInt32BE(clamp(buf.readUInt32BE(p) * scale, 0, 0xffffffff), p);
          p += 4;
        }
      }
    }
  }
  return buf;
}

function readTrackId(buf: Buffer, traf: Box): number {
  const tfhd = child(buf, traf, 'tfhd');
  return tfhd ? buf.readUInt32BE(tfhd.start + 12) : 0;
}
