import { mkdirSync, readdirSync, readFileSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { COVER_MAX_BYTES, fail } from '../../contract';

/** The image type from its first bytes (the name or a claimed type is not trusted). */
export function imageType(b: Buffer): 'image/jpeg' | 'image/png' | 'image/webp' | undefined {
  if (b.length >= 3 && b[0] === 0xff && b[1] === 0xd8 && b[2] === 0xff) return 'image/jpeg';
  if (b.length >= 8 && b.subarray(0, 8).equals(Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]))) return 'image/png';
  if (b.length >= 12 && b.toString('latin1', 0, 4) === 'RIFF' && b.toString('latin1', 8, 12) === 'WEBP') return 'image/webp';
  return undefined;
}

/** Checks an uploaded cover; the error names what is wrong with it. */
export function checkCover(b: Buffer): 'image/jpeg' | 'image/png' | 'image/webp' {
  if (b.length === 0) throw fail('cover.empty', { field: 'imageBase64' });
  if (b.length > COVER_MAX_BYTES) throw fail('cover.tooLarge', { field: 'imageBase64', sizeKiB: Math.ceil(b.length / 1024), maxKiB: COVER_MAX_BYTES / 1024 });
  const type = imageType(b);
  if (!type) throw fail('cover.wrongType', { field: 'imageBase64' });
  return type;
}

/** Channel cover images as files in one folder, one per channel id (written to a temp name, then renamed). */
export class CoverStore {
  constructor(private readonly dir: string) {}

  private path(channelId: number): string {
    return join(this.dir, `${channelId}.img`);
  }

  has(channelId: number): boolean {
    try { return statSync(this.path(channelId)).isFile(); } catch { return false; }
  }

  set(channelId: number, image: Buffer): { type: string; bytes: number } {
    const type = checkCover(image);
    mkdirSync(this.dir, { recursive: true });
    const tmp = `${this.path(channelId)}.tmp`;
    writeFileSync(tmp, image);
    renameSync(tmp, this.path(channelId));
    return { type, bytes: image.length };
  }

  get(channelId: number): { image: Buffer; type: string } | null {
    let image: Buffer;
    try { image = readFileSync(this.path(channelId)); } catch { return null; }
    const type = imageType(image);
    return type ? { image, type } : null;
  }

  /** Channel ids that have a cover. */
  ids(): number[] {
    try { return readdirSync(this.dir).flatMap((f) => (/^\d+\.img$/.test(f) ? [Number(f.slice(0, -4))] : [])); } catch { return []; }
  }

  remove(channelId: number): boolean {
    const had = this.has(channelId);
    rmSync(this.path(channelId), { force: true });
    return had;
  }
}
