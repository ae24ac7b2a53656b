// Operators in tests: the first administrator's known sign-in, and clients that sign in as a user.
import type { LoopbackServer } from '../../electron/core/server/loopback-server';
import type { FileScope } from './fixtures';
import { mediaClient, type MediaClient } from './in-process-station';

/** The administrator test stations are given (`auth.setup`, or `--admin-password-file`). */
export const TEST_ADMIN = { name: 'admin', password: 'Watchpost-desk-2026' } as const;

/** A renderer-like connection signed in as `name`; throws when the station refuses the sign-in. */
export async function signedInClient(scope: FileScope, server: LoopbackServer, name: string, password: string): Promise<MediaClient> {
  const c = await mediaClient(scope, server);
  const r = await c.call('auth.signIn', { name, password });
  if (!r.ok) throw new Error(`sign-in as ${name} refused: ${r.error.message}`);
  return c;
}

/** The first administrator made over a fresh connection, which stays signed in as them. */
export async function firstAdminClient(scope: FileScope, server: LoopbackServer): Promise<MediaClient> {
  const c = await mediaClient(scope, server);
  const r = await c.call('auth.setup', TEST_ADMIN);
  if (!r.ok) throw new Error(`auth.setup refused: ${r.error.message}`);
  return c;
}
