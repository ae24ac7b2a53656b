// An EventService on a real SQLite file in a temp folder, for tests that restart it the way the station does.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { EventService } from '../../electron/core/events/event-service';
import type { Logger } from '../../electron/core/log';
import { openDatabase, type Db } from '../../electron/core/storage/db';

export const quietLogger = { info() {}, warn() {}, error() {}, debug() {}, flush() {}, child() { return quietLogger; } } as unknown as Logger;

export type EventServiceOptions = ConstructorParameters<typeof EventService>[0];

export interface EventServiceOnFile {
  dir: string;
  readonly svc: EventService;
  readonly db: Db;
  /** Disposes the service and closes the database, then opens both again and starts the service. */
  restart(): Promise<void>;
}

/** A service made by `options` (given the open database and the folder), not started; `cleanup` gets its disposal and the folder's removal. */
export function eventServiceOnFile(prefix: string, options: (db: Db, dir: string) => EventServiceOptions, cleanup: (() => unknown)[]): EventServiceOnFile {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  const file = join(dir, 'station.db');
  let db = openDatabase(file);
  let svc = new EventService(options(db, dir));
  cleanup.push(() => rmSync(dir, { recursive: true, force: true }));
  cleanup.push(async () => { await svc.dispose(); db.close(); });
  return {
    dir,
    get svc() { return svc; },
    get db() { return db; },
    async restart() {
      await svc.dispose();
      db.close();
      db = openDatabase(file);
      svc = new EventService(options(db, dir));
      await svc.start();
    },
  };
}
