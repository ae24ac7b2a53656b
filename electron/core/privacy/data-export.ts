// Everything the station holds, table by table, for "Export my data"; secrets are named, never included.
import { chmodSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Db } from '../storage/db';
import { STATION_VERSION } from '../version';

export const LOCAL_EXPORT_FORMAT = 1;

export interface LocalExport {
  metadata: {
    formatVersion: number;
    generatedAt: string;
    station: string;
    database: string;
    withheld: { field: string; reason: string }[];
  };
  /** Every row of every table in the station database, column by column. */
  tables: Record<string, Record<string, unknown>[]>;
}

export function exportLocal(db: Db, now: number, secretKeys: string[]): LocalExport {
  const all = db.prepare("SELECT name, sql FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' ORDER BY name").all() as { name: string; sql: string | null }[];
  // A full-text index's own tables hold the index, not data (its text is the source table's).
  const fts = all.filter((r) => /^CREATE VIRTUAL TABLE/i.test(r.sql ?? '')).map((r) => r.name);
  const names = all.map((r) => r.name).filter((n) => !fts.some((v) => n === v || n.startsWith(`${v}_`)));
  const tables: LocalExport['tables'] = {};
  for (const name of names) tables[name] = db.prepare(`SELECT * FROM "${name.replace(/"/g, '""')}"`).all() as Record<string, unknown>[];
  // Operators' password hashes are credentials: named, never exported.
  for (const row of tables.op_user ?? []) row.password_hash = null;
  return {
    metadata: {
      formatVersion: LOCAL_EXPORT_FORMAT,
      generatedAt: new Date(now).toISOString(),
      station: `Watchpost ${STATION_VERSION}`,
      database: db.name,
      withheld: [
        ...secretKeys.map((k) => ({
          field: `secrets.${k}`,
          reason: 'a credential or key (a camera password, the cloud session token, a key of the station\'s own), kept encrypted in the secret store and never exported',
        })),
        ...(tables.op_user?.length ? [{ field: 'op_user.password_hash', reason: 'a credential (an operator\'s password hash), never exported' }] : []),
      ],
    },
    tables,
  };
}

/** Writes the export where the user can find it; readable by this user only, since it holds personal data. */
export function writeExportFile(dir: string, now: number, document: unknown): { path: string; fileName: string; json: string } {
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  const fileName = `watchpost-export-${new Date(now).toISOString().replace(/[:.]/g, '-')}.json`;
  const path = join(dir, fileName);
  const json = JSON.stringify(document, null, 2);
  writeFileSync(path, json, { mode: 0o600 });
  chmodSync(path, 0o600);
  return { path, fileName, json };
}
