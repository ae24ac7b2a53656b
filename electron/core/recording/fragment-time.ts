// Re-stamps a moof+mdat fragment (a copy): new decode time, durations scaled for slow/fast playback.
import { boxes, child } from '../media/fmp4';

/** Returns a copy of the fragment with tfdt = baseDts and every sample duration (and composition offset) multiplied by `scale`. */
export function retimeFragment(src: Buffer, baseDts: number, scale = 1): Buffer {
  const buf = Buffer.from(src);
  const moof = [...boxes(buf)].find((b) => b.type === 'moof');
  if (!moof) throw new Error('fragment has no moof');
  for (const traf of boxes(buf, moof.start + 8, moof.start + moof.size)) {
    if (traf.type !== 'traf') continue;
    const tfdt = child(buf, traf, 'tfdt');
    if (tfdt) {
      const dts = Math.max(0, Math.round(baseDts));
      if (buf[tfdt.start + 8] === 1) buf.writeBigUInt64BE(BigInt(dts), tfdt.start + 12);
      else buf.writeUInt32BE(dts % 2 ** 32, tfdt.start + 12);
    }
    if (scale === 1) continue;
    const s = (v: number) => Math.max(1, Math.round(v * scale));
    const tfhd = child(buf, traf, 'tfhd');
    if (tfhd) {
      const f = buf.readUInt32BE(tfhd.start + 8) & 0xffffff;
      let at = tfhd.start + 16 + (f & 0x01 ? 8 : 0) + (f & 0x02 ? 4 : 0);
      if (f & 0x08) buf.writeUInt32BE(s(buf.readUInt32BE(at)), at);
      at += 0;
    }
    for (const trun of boxes(buf, traf.start + 8, traf.start + traf.size)) {
      if (trun.type !== 'trun') continue;
      const version = buf[trun.start + 8]!;
      const f = buf.readUInt32BE(trun.start + 8) & 0xffffff;
      const n = buf.readUInt32BE(trun.start + 12);
      let p = trun.start + 16 + (f & 0x01 ? 4 : 0) + (f & 0x04 ? 4 : 0);
      for (let i = 0; i < n; i++) {
        if (f & 0x100) { buf.writeUInt32BE(s(buf.readUInt32BE(p)), p); p += 4; }
        if (f & 0x200) p += 4;
        if (f & 0x400) p += 4;
        if (f & 0x800) {
          if (version === 1) buf.writeInt32BE(Math.round(buf.readInt32BE(p) * scale), p);
          else buf.writeUInt32BE(Math.round(buf.readUInt32BE(p) * scale), p);
          p += 4;
        }
      }
    }
  }
  return buf;
}
