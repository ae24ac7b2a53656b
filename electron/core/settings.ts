import type { z } from 'zod';
import { accessSync, constants, mkdirSync, rmSync, statSync, writeFileSync, type Stats } from 'node:fs';
import { join } from 'node:path';
import { fail, Settings } from '../contract';
import type { Db } from './storage/db';
import type { Logger } from './log';

const KEY = 'station';

export function defaultSettings(dataDir: string): Settings {
  return { ffmpegPath: null, ffprobePath: null, recordingsDir: join(dataDir, 'recordings'), language: null };
}

/** Reads stored settings, validated like any other input; a damaged row falls back to defaults. */
export function loadSettings(db: Db, dataDir: string, logger: Logger): Settings {
  const stored = readSetting(db, KEY, Settings.partial(), () => logger.warn('stored settings are invalid; using defaults'));
  return { ...defaultSettings(dataDir), ...stored };
}

export function saveSettings(db: Db, settings: Settings, now: number): void {
  writeSetting(db, KEY, settings, now);
}

/** An area's own settings in the `setting` table (JSON by key): undefined when none are stored or they no longer parse (`invalid` is told). */
export function readSetting<T>(db: Db, key: string, schema: z.ZodType<T>, invalid: () => void): T | undefined {
  const row = db.prepare('SELECT value FROM setting WHERE key = ?').get(key) as { value: string } | undefined;
  if (!row) return undefined;
  try {
    return schema.parse(JSON.parse(row.value));
  } catch {
    invalid();
    return undefined;
  }
}

export function writeSetting(db: Db, key: string, value: unknown, now: number): void {
  db.prepare(
    'INSERT INTO setting (key, value, updated_at) VALUES (?, ?, ?) ON CONFLICT(key) DO UPDATE SET value = excluded.value, updated_at = excluded.updated_at',
  ).run(key, JSON.stringify(value), now);
}

/** Checks that the file system agrees with a change before it is stored. */
export function checkSettingsOnDisk(patch: Partial<Settings>, createFolder = false): void {
  for (const field of ['ffmpegPath', 'ffprobePath'] as const) {
    const p = patch[field];
    if (!p) continue;
    try {
      accessSync(p, constants.X_OK);
    } catch {
      throw fail('file.notExecutable', { field, path: p });
    }
  }
  const dir = patch.recordingsDir;
  if (dir) {
    const field = 'recordingsDir';
    let st: Stats | undefined;
    try { st = statSync(dir); } catch { /* missing */ }
    if (st && !st.isDirectory()) throw fail('folder.notFolder', { field, path: dir });
    if (!st && !createFolder) throw fail('folder.notFound', { field, path: dir });
    // Written for real: permission bits say nothing of read-only mounts (or of root).
    const probe = join(dir, `.watchpost-write-test-${process.pid}`);
    try {
      if (!st) mkdirSync(dir, { recursive: true });
      writeFileSync(probe, '');
      rmSync(probe);
    } catch (err) {
      const code = (err as NodeJS.ErrnoException).code ?? 'error';
      // The real reason, not the errno: /proc exists but takes no new files (ENOENT), a CD is read-only, …
      if (code === 'ENOENT' && st) throw fail('folder.noNewFiles', { field, path: dir });
      if (code === 'EACCES' || code === 'EPERM') throw fail('folder.noPermission', { field, path: dir });
      if (code === 'EROFS') throw fail('folder.readOnly', { field, path: dir });
      throw fail('folder.notWritable', { field, path: dir, error: code });
    }
  }
}
