import { execFile } from 'node:child_process';
import { accessSync, constants, existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { delimiter, dirname, join } from 'node:path';
import { promisify } from 'node:util';

export type ToolName = 'ffmpeg' | 'ffprobe';
export interface LocatedTool { name: ToolName; path: string; source: 'configured' | 'ffmpeg-static' | 'PATH' }

function isExecutable(path: string): boolean {
  try {
    accessSync(path, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

/** In an installed app ffmpeg-static's binary lies beside app.asar (asarUnpack): a path into the archive cannot be spawned. */
export function outsideAsar(path: string): string {
  return path.replace(/([\\/])app\.asar([\\/])/, '$1app.asar.unpacked$2');
}

/** ffmpeg-static's binary path, or why there is none (it is an optional dependency whose download may fail). */
export function ffmpegStaticPath(): { path?: string; why: string } {
  try {
    const found = createRequire(import.meta.url)('ffmpeg-static') as string | null;
    if (!found) return { why: 'ffmpeg-static has no binary for this platform' };
    const p = outsideAsar(found);
    return existsSync(p) ? { path: p, why: '' } : { why: `ffmpeg-static's binary is missing at ${p}` };
  } catch {
    return { why: 'ffmpeg-static is not installed' };
  }
}

/**
 * Finds ffmpeg or ffprobe: a configured path, then ffmpeg-static's binary (ffprobe: beside it),
 * then PATH. Throws an error naming all three places when none has it.
 */
export function locateTool(
  name: ToolName,
  configured: string | null | undefined,
  env: { PATH?: string } = process.env,
  staticPath: () => { path?: string; why: string } = ffmpegStaticPath,
): LocatedTool {
  const tried: string[] = [];
  if (configured) {
    if (isExecutable(configured)) return { name, path: configured, source: 'configured' };
    tried.push(`configured path ${configured} is not an executable file`);
  } else {
    tried.push('no configured path');
  }
  const st = staticPath();
  if (st.path) {
    const candidate = name === 'ffmpeg' ? st.path : join(dirname(st.path), 'ffprobe');
    if (isExecutable(candidate)) return { name, path: candidate, source: 'ffmpeg-static' };
    tried.push(`ffmpeg-static has no ${name} at ${candidate}`);
  } else {
    tried.push(st.why);
  }
  const dirs = (env.PATH ?? '').split(delimiter).filter(Boolean);
  for (const dir of dirs) {
    const candidate = join(dir, name);
    if (isExecutable(candidate)) return { name, path: candidate, source: 'PATH' };
  }
  tried.push(`not on PATH (${dirs.join(delimiter) || 'PATH is empty'})`);
  throw new Error(`${name} not found: ${tried.join('; ')}. Install it (Debian: apt-get install ffmpeg) or set its path in Settings.`);
}

/** "5.1.9-0+deb12u1" from the tool's own -version banner. */
export async function toolVersion(path: string): Promise<string> {
  const { stdout } = await promisify(execFile)(path, ['-hide_banner', '-version'], { timeout: 10_000 });
  const m = /version (\S+)/.exec(stdout);
  if (!m?.[1]) throw new Error(`${path} -version printed no version`);
  return m[1];
}
