import { accessSync, constants, mkdirSync, rmSync, statSync, writeFileSync, type Stats } from 'node:fs';
import { join } from 'node:path';
import { Settings, StationError } from '../contract';
import type { Db } from './storage/db';
import type { Logger } from './log';

const KEY = 'station';

export function defaultSettings(dataDir: string): Settings {
  return { ffmpegPath: null, ffprobePath: null, recordingsDir: join(dataDir, 'recordings'), language: null };
}

/** Reads stored settings, validated like any other input; a damaged row falls back to defaults. */
export function loadSettings(db: Db, dataDir: string, logger: Logger): Settings {
  const row = db.prepare('SELECT value FROM setting WHERE key = ?').get(KEY) as { value: string } | undefined;
  const defaults = defaultSettings(dataDir);
  if (!row) return defaults;
  const parsed = Settings.partial().safeParse(JSON.parse(row.value));
  if (!parsed.success) {
    logger.warn({ issues: parsed.error.issues }, 'stored settings are invalid; using defaults');
    return defaults;
  }
  return { ...defaults, ...parsed.data };
}

export function saveSettings(db: Db, settings: Settings, now: number): void {
  db.prepare(
    'INSERT INTO setting (key, value, updated_at) VALUES (?, ?, ?) ON CONFLICT(key) DO UPDATE SET value = excluded.value, updated_at = excluded.updated_at',
  ).run(KEY, JSON.stringify(settings), now);
}

/** Checks that the file system agrees with a change before it is stored. */
export function checkSettingsOnDisk(patch: Partial<Settings>): void {
  for (const field of ['ffmpegPath', 'ffprobePath'] as const) {
    const p = patch[field];
    if (!p) continue;
    try {
      accessSync(p, constants.X_OK);
    } catch {
      throw new StationError('bad_input', `input.${field}: ${p} is not an executable file`);
    }
  }
  const dir = patch.recordingsDir;
  if (dir) {
    let st: Stats | undefined;
    try { st = statSync(dir); } catch { /* created below */ }
    if (st && !st.isDirectory()) throw new StationError('bad_input', `input.recordingsDir: ${dir} is not a folder`);
    // Written for real: permission bits say nothing of read-only mounts (or of root).
    const probe = join(dir, `.watchpost-write-test-${process.pid}`);
    try {
      mkdirSync(dir, { recursive: true });
      writeFileSync(probe, '');
      rmSync(probe);
    } catch (err) {
      throw new StationError('bad_input', `input.recordingsDir: ${dir} cannot be created or written (${(err as NodeJS.ErrnoException).code ?? 'error'})`);
    }
  }
}
