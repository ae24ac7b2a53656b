// Cases the fuzzer found (tests/fuzz/targets.ts), each kept as a test beside the fix it led to.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { parseDahuaLine } from '../../electron/core/events/dahua-attach';
import { readMoof } from '../../electron/core/media/fmp4';
import { RtspFramer } from '../../electron/core/media/rtsp-source';
import { verifyExport } from '../../electron/core/recording/export';
import { retimeFragment } from '../../electron/core/recording/fragment-time';

const dir = mkdtempSync(join(tmpdir(), 'wp-fuzz-found-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const u32 = (...v: number[]) => Buffer.concat(v.map((n) => { const b = Buffer.alloc(4); b.writeUInt32BE(n >>> 0); return b; }));
const box = (type: string, ...parts: Buffer[]) => { const body = Buffer.concat(parts); return Buffer.concat([u32(8 + body.length), Buffer.from(type, 'latin1'), body]); };
/** moof { traf { tfhd (default duration), tfdt, trun (count, flags) } } */
const moof = (count: number, trFlags: number, defaultDuration: number, entries: number[] = []) =>
  box('moof', box('traf', box('tfhd', u32(0x08, 1, defaultDuration)), box('tfdt', u32(0, 0)), box('trun', u32(trFlags, count, ...entries))));

describe('found by fuzzing', () => {
  it('an RTSP message whose negative Content-Length points back at its own start is refused, not read again forever', () => {
    const msg = Buffer.from('RTSP/1.0 200 OK\r\nX: \r\nContent-Length: -45\r\n\r\n', 'latin1');
    expect(msg.length).toBe(45);
    let responses = 0;
    const f = new RtspFramer(() => { if (++responses > 10) throw new Error('read again and again'); }, () => {});
    expect(() => f.push(msg)).toThrow('invalid RTSP Content-Length "-45"');
    expect(responses).toBe(0);
    // Not a number at all: refused too (before, the rest of the connection's bytes were silently dropped).
    expect(() => new RtspFramer(() => {}, () => {}).push(Buffer.from('RTSP/1.0 200 OK\r\nContent-Length: x\r\n\r\n'))).toThrow('Content-Length "x"');
  });

  it('a trun counting 2^32-1 samples reads at once: without entries the duration is count × default, with entries it must hold them', () => {
    const none = moof(0xffffffff, 0, 3600);
    const info = readMoof(none, { type: 'moof', start: 0, size: none.length, headerSize: 8 });
    expect(info.samples).toBe(0xffffffff);
    expect(info.duration).toBe(0xffffffff * 3600);
    const listed = moof(0xffffffff, 0x100, 0, [3600, 3600]);
    expect(() => readMoof(listed, { type: 'moof', start: 0, size: listed.length, headerSize: 8 })).toThrow('trun lists more samples than it holds');
    const honest = moof(2, 0x100, 0, [3000, 4000]);
    expect(readMoof(honest, { type: 'moof', start: 0, size: honest.length, headerSize: 8 }).duration).toBe(7000);
    // Playback's re-stamping loops over the same entries.
    expect(() => retimeFragment(listed, 0, 2)).toThrow('trun lists more samples than it holds');
    expect(retimeFragment(none, 0, 2).length).toBe(none.length);
  });

  it('re-stamping for fast playback keeps a scaled duration inside its 32-bit field', () => {
    const big = moof(1, 0, 0xffffffff);
    const out = retimeFragment(big, 1000, 2);
    // tfhd: size, type, flags, track, default duration
    expect(out.readUInt32BE(8 + 8 + 16)).toBe(0xffffffff);
    const slow = retimeFragment(moof(1, 0, 3600), 1000, 2);
    expect(slow.readUInt32BE(8 + 8 + 16)).toBe(7200);
  });

  it('a Dahua event whose index is not a channel number gives no event (was channel NaN)', () => {
    expect(parseDahuaLine('Code=VideoMotion;action=Start;index=<;data=', 0)).toBeUndefined();
    expect(parseDahuaLine('Code=VideoMotion;action=Start;index=1e400', 0)).toBeUndefined();
    expect(parseDahuaLine('Code=VideoMotion;action=Start;index=-1', 0)).toBeUndefined();
    expect(parseDahuaLine('Code=VideoMotion;action=Start;index=2', 5)).toEqual({ kind: 'motion', channel: 3, state: true, at: 5 });
  });

  it('an export manifest of the wrong shape is reported as damaged instead of throwing', () => {
    for (const manifest of ['{"files":[{}]}', 'null', '5', '{"files":7}', '{"station":{"publicKey":1},"signature":{"value":"x"}}', '{"files":[{"name":"","sha256":"","bytes":0,"chunkBytes":1,"chunks":[],"channelId":1,"startUtc":"","endUtc":""}]}']) {
      writeFileSync(join(dir, 'manifest.json'), manifest);
      const r = verifyExport(dir);
      expect(r.ok).toBe(false);
      expect(r.findings.join(' ')).toContain('manifest.json is not shaped like an export manifest');
    }
  });
});
