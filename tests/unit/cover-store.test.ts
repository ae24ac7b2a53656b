import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { COVER_MAX_BYTES } from '../../electron/contract';
import { checkCover, CoverStore, imageType } from '../../electron/core/devices/cover-store';

const jpeg = Buffer.from([0xff, 0xd8, 0xff, 0xe0, 0, 0x10]);
const png = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0, 0, 0, 0x0d]);
const webp = Buffer.concat([Buffer.from('RIFF'), Buffer.from([0x24, 0, 0, 0]), Buffer.from('WEBPVP8 ')]);

describe('cover images', () => {
  it('knows JPEG, PNG and WebP by their first bytes, not by a name', () => {
    expect(imageType(jpeg)).toBe('image/jpeg');
    expect(imageType(png)).toBe('image/png');
    expect(imageType(webp)).toBe('image/webp');
    expect(imageType(Buffer.from('GIF89a'))).toBeUndefined();
    expect(imageType(Buffer.from('<svg xmlns="http://www.w3.org/2000/svg"/>'))).toBeUndefined();
    expect(imageType(Buffer.from([0xff, 0xd8]))).toBeUndefined();
  });

  it('refuses empty, oversized and unknown images with the reason', () => {
    expect(() => checkCover(Buffer.alloc(0))).toThrow(/empty/);
    expect(() => checkCover(Buffer.concat([jpeg, Buffer.alloc(COVER_MAX_BYTES)]))).toThrow(/is 513 KiB; at most 512 KiB is accepted/);
    expect(() => checkCover(Buffer.from('GIF89a....'))).toThrow(/JPEG, PNG or WebP/);
    expect(checkCover(Buffer.concat([png, Buffer.alloc(COVER_MAX_BYTES - png.length)]))).toBe('image/png');
  });

  it('keeps one cover per channel; a refused one leaves the old in place', () => {
    const dir = mkdtempSync(join(tmpdir(), 'wp-covers-'));
    try {
      const s = new CoverStore(join(dir, 'covers'));
      expect(s.get(1)).toBeNull();
      expect(s.set(1, jpeg)).toEqual({ type: 'image/jpeg', bytes: jpeg.length });
      expect(() => s.set(1, Buffer.from('nope'))).toThrow();
      expect(s.get(1)).toEqual({ image: jpeg, type: 'image/jpeg' });
      expect(s.has(2)).toBe(false);
      expect(s.remove(1)).toBe(true);
      expect(s.remove(1)).toBe(false);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
