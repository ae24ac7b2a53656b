// The cloud service (cloud/) on loopback with its SQLite database in a fresh temp folder, for tests that pair it with a station.
import { join } from 'node:path';
import { startCloud, type CloudHandle, type CloudOptions } from '../../cloud';
import { postgresUnavailable, startPostgres } from '../integration/cloud-postgres-server';
import type { FileScope } from './fixtures';

export interface TempCloud {
  cloud: CloudHandle;
  dir: string;
  dbPath: string;
}

/** On a free port; closed, and its folder removed, after the file. */
export async function startCloudInTempDir(scope: FileScope, prefix: string, options: Omit<CloudOptions, 'db' | 'port'>): Promise<TempCloud> {
  const dir = scope.tempDir(prefix);
  const dbPath = join(dir, 'cloud.db');
  return { cloud: scope.add(await startCloud({ ...options, db: { kind: 'sqlite', path: dbPath }, port: 0 })), dir, dbPath };
}

/**
 * On a throwaway PostgreSQL server (tests/integration/cloud-postgres-server.ts) where one can run here, else on SQLite in a
 * temp folder; `db` says which. Both closed after the file.
 */
export async function startCloudOnPostgres(scope: FileScope, options: Omit<CloudOptions, 'db' | 'port'>): Promise<{ cloud: CloudHandle; db: 'postgres' | 'sqlite' }> {
  if (postgresUnavailable()) return { cloud: (await startCloudInTempDir(scope, 'wp-cloud-', options)).cloud, db: 'sqlite' };
  const pg = scope.add(await startPostgres());
  return { cloud: scope.add(await startCloud({ ...options, db: { kind: 'postgres', connectionString: pg.connectionString }, port: 0 })), db: 'postgres' };
}
