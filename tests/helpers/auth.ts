// Operators in tests. A station refuses a transport's calls until someone signs in, and has no account until its first
// administrator is made; this file is the one place where test connections do that, transparently: the first connection
// to a station makes TEST_ADMIN (or signs in as them), and every later connection, and every Chromium page the helpers
// open, resumes that sign-in. Tests of the first run itself opt out (`signIn: false`).
import type { BrowserContext } from 'playwright-core';
import type { LoopbackServer } from '../../electron/core/server/loopback-server';

/** The administrator test stations are given (`auth.setup`, or `--admin-password-file`). */
export const TEST_ADMIN = { name: 'admin', password: 'Watchpost-desk-2026' } as const;

/** Where the page keeps its sign-in for this tab (renderer/src/features/operators/use-auth.ts). */
const PAGE_KEY = 'watchpost.signIn';

/** A connection's raw call: the station's Result. */
export type RawCall = (name: string, input: unknown) => Promise<any>;

/** TEST_ADMIN's sign-in per station (its origin, http://127.0.0.1:port), and the queue that makes it once. */
const known = new Map<string, string>();
const queues = new Map<string, Promise<unknown>>();
/** Chromium contexts the helpers opened: each page resumes the sign-in of the station it loads. */
const contexts = new Set<BrowserContext>();

function pageScript(origin: string, id: string) {
  return (ctx: BrowserContext) => ctx.addInitScript(([o, s, k]) => {
    if (location.origin === o && !sessionStorage.getItem(k)) sessionStorage.setItem(k, s);
  }, [origin, id, PAGE_KEY] as const);
}

/** Remembers a station's sign-in (also one a test made itself) for later connections and pages. */
export async function rememberSignIn(origin: string, sessionId: string): Promise<void> {
  if (known.get(origin) === sessionId) return;
  known.set(origin, sessionId);
  await Promise.all([...contexts].map(pageScript(origin, sessionId)));
}

/** Pages of this context resume the stations' sign-ins (those known now and those made later). */
export async function signInPagesOf(ctx: BrowserContext): Promise<void> {
  contexts.add(ctx);
  ctx.once('close', () => contexts.delete(ctx));
  await Promise.all([...known].map(([origin, id]) => pageScript(origin, id)(ctx)));
}

/**
 * Signs a fresh connection to the station at `origin` in as TEST_ADMIN: resumes the sign-in made before, else signs in,
 * creating the first administrator on a station that has none. Connections to one station take turns here.
 */
export function signInAsTestAdmin(origin: string, call: RawCall): Promise<string> {
  const run = async () => {
    const id = known.get(origin);
    const resumed = id ? await call('auth.resume', { sessionId: id }) : undefined;
    if (id && resumed.ok && !resumed.value.locked) return id;
    const state = await call('auth.state', {});
    if (!state.ok) throw new Error(`auth.state refused: ${state.error.message}`);
    const r = await call(state.value.setupNeeded ? 'auth.setup' : 'auth.signIn', TEST_ADMIN);
    if (!r.ok) throw new Error(`signing in as ${TEST_ADMIN.name} refused: ${r.error.message}`);
    await rememberSignIn(origin, r.value.sessionId);
    return r.value.sessionId as string;
  };
  const next = (queues.get(origin) ?? Promise.resolve()).catch(() => {}).then(run);
  queues.set(origin, next);
  return next;
}

export const originOf = (server: LoopbackServer): string => `http://127.0.0.1:${server.port}`;
