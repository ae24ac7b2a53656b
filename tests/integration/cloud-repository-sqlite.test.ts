import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll } from 'vitest';
import { openDb } from '../../cloud/db/open-db';
import type { SqlDb } from '../../cloud/db/sql-db';
import { defineRepositorySuite } from './cloud-repository-suite';

let dir: string;
let db: SqlDb;
beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'wp-cloud-repo-'));
  db = await openDb({ kind: 'sqlite', path: join(dir, 'repo.db') });
});
afterAll(async () => {
  await db.close();
  rmSync(dir, { recursive: true, force: true });
});

defineRepositorySuite('SQLite', () => ({ db }));
