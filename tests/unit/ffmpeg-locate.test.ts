import { chmodSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { locateTool, toolVersion } from '../../electron/core/media/ffmpeg';

const dirs: string[] = [];
afterEach(() => { for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true }); });

function fakeBin(dir: string, name: string): string {
  mkdirSync(dir, { recursive: true });
  const p = join(dir, name);
  writeFileSync(p, '#!/bin/sh\necho "ffmpeg version 9.9-test Copyright"\n');
  chmodSync(p, 0o755);
  return p;
}

describe('ffmpeg/ffprobe location: configured, then ffmpeg-static, then PATH', () => {
  const root = () => { const d = mkdtempSync(join(tmpdir(), 'wp-ff-')); dirs.push(d); return d; };
  const noStatic = () => ({ why: 'ffmpeg-static is not installed' });

  it('prefers the configured path', () => {
    const r = root();
    const conf = fakeBin(join(r, 'conf'), 'ffmpeg');
    const st = fakeBin(join(r, 'static'), 'ffmpeg');
    fakeBin(join(r, 'path'), 'ffmpeg');
    expect(locateTool('ffmpeg', conf, { PATH: join(r, 'path') }, () => ({ path: st, why: '' }))).toEqual({ name: 'ffmpeg', path: conf, source: 'configured' });
  });

  it("uses ffmpeg-static's binary next, and looks for ffprobe beside it", () => {
    const r = root();
    const st = fakeBin(join(r, 'static'), 'ffmpeg');
    const probe = fakeBin(join(r, 'static'), 'ffprobe');
    fakeBin(join(r, 'path'), 'ffmpeg');
    const staticPath = () => ({ path: st, why: '' });
    expect(locateTool('ffmpeg', null, { PATH: join(r, 'path') }, staticPath).source).toBe('ffmpeg-static');
    expect(locateTool('ffprobe', null, { PATH: join(r, 'path') }, staticPath)).toEqual({ name: 'ffprobe', path: probe, source: 'ffmpeg-static' });
  });

  it('falls back to PATH in order', () => {
    const r = root();
    const first = fakeBin(join(r, 'a'), 'ffprobe');
    fakeBin(join(r, 'b'), 'ffprobe');
    expect(locateTool('ffprobe', null, { PATH: `${join(r, 'a')}:${join(r, 'b')}` }, noStatic).path).toBe(first);
  });

  it('names all three places when none has it', () => {
    const r = root();
    expect(() => locateTool('ffmpeg', join(r, 'missing/ffmpeg'), { PATH: join(r, 'empty') }, noStatic)).toThrow(
      new RegExp(`ffmpeg not found: configured path ${r}/missing/ffmpeg is not an executable file; ffmpeg-static is not installed; not on PATH \\(${r}/empty\\)`),
    );
    expect(() => locateTool('ffprobe', null, { PATH: '' }, noStatic)).toThrow(/ffprobe not found: no configured path; ffmpeg-static is not installed; not on PATH \(PATH is empty\)/);
  });

  it('reads the real system ffmpeg version', async () => {
    const t = locateTool('ffmpeg', null);
    expect(await toolVersion(t.path)).toMatch(/^\d+\.\d+/);
  });
});
