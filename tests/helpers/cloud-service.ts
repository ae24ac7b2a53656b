// The cloud service (cloud/) on loopback with its SQLite database in a fresh temp folder, for tests that pair it with a station.
import { join } from 'node:path';
import { startCloud, type CloudHandle, type CloudOptions } from '../../cloud';
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
