// Starts a throwaway PostgreSQL server for a test: initdb in a temp dir, loopback port, socket in the dir.
import { execFileSync } from 'node:child_process';
import { chownSync, existsSync, mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const BIN = process.env.PG_BIN ?? '/usr/lib/postgresql/15/bin';

/** Why PostgreSQL tests cannot run here, or null when they can. */
export function postgresUnavailable(): string | null {
  for (const b of ['initdb', 'pg_ctl', 'postgres'])
    if (!existsSync(join(BIN, b))) return `PostgreSQL server binaries not found in ${BIN} (install Debian's postgresql package)`;
  if (process.getuid?.() === 0) {
    try {
      execFileSync('id', ['-u', 'postgres'], { stdio: 'ignore' });
    } catch {
      return 'running as root but there is no postgres user to run the server as';
    }
  }
  return null;
}

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const port = (s.address() as { port: number }).port;
      s.close(() => resolve(port));
    });
  });
}

export interface TestPostgres {
  connectionString: string;
  /** The cluster's data directory (base/ holds the relation files). */
  dataDir: string;
  close(): Promise<void>;
}

export async function startPostgres(): Promise<TestPostgres> {
  const dir = mkdtempSync(join(tmpdir(), 'wp-pg-'));
  const asRoot = process.getuid?.() === 0;
  // The server refuses to run as root, so it runs as postgres over a dir it owns.
  const runAs = (args: string[]) =>
    asRoot ? execFileSync('runuser', ['-u', 'postgres', '--', ...args], { stdio: 'pipe' }) : execFileSync(args[0]!, args.slice(1), { stdio: 'pipe' });
  if (asRoot) {
    const uid = Number(execFileSync('id', ['-u', 'postgres']).toString().trim());
    const gid = Number(execFileSync('id', ['-g', 'postgres']).toString().trim());
    chownSync(dir, uid, gid);
  }
  const data = join(dir, 'data');
  const port = await freePort();
  try {
    runAs([join(BIN, 'initdb'), '-D', data, '-U', 'postgres', '-A', 'trust', '-E', 'UTF8', '--no-sync', '--no-instructions']);
    runAs([
      join(BIN, 'pg_ctl'), '-D', data, '-l', join(dir, 'server.log'), '-w', '-t', '30', 'start',
      '-o', `-p ${port} -k ${dir} -c listen_addresses=127.0.0.1 -c fsync=off -c synchronous_commit=off -c full_page_writes=off`,
    ]);
  } catch (err) {
    rmSync(dir, { recursive: true, force: true });
    throw err;
  }
  return {
    connectionString: `postgres://postgres@127.0.0.1:${port}/postgres`,
    dataDir: data,
    async close() {
      try {
        runAs([join(BIN, 'pg_ctl'), '-D', data, '-m', 'immediate', '-w', 'stop']);
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
    },
  };
}
