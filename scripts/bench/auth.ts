// `npm run bench:auth`: one JSON line. Operators (issue 13) on a temp SQLite database, no station around them:
// signin_ms_p50 (auth.signIn with the stored scrypt parameters), authz_overhead_us_per_call (the dispatcher with the rights
// check against without it, on calls that only return), oplog_insert_per_s (appends written in batches), and
// oplog_query_ms_p50 (one user's day of the log over 1 000 000 rows).
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pino from 'pino';
import { CALL_NAMES } from '../../electron/contract';
import { AuthService } from '../../electron/core/auth/auth-service';
import { ClientSession } from '../../electron/core/client-session';
import { createDispatcher, type Handlers } from '../../electron/core/rpc';
import { SignalBus } from '../../electron/core/signal-bus';
import { openDatabase } from '../../electron/core/storage/db';
import { percentile } from './proc-cpu';

const DAY = 86_400_000;
const ROWS = 1_000_000;
const USERS = 40;
const silent = pino({ level: 'silent' });

const dir = mkdtempSync(join(tmpdir(), 'wp-bench-auth-'));
try {
  const db = openDatabase(join(dir, 'station.db'));
  const auth = new AuthService({ db, signals: new SignalBus(), logger: silent, clock: Date.now });
  const peer = { transport: 'browser', address: '127.0.0.1' } as const;
  const admin = new ClientSession('admin', undefined, peer);
  await auth.handlers['auth.setup']({ name: 'admin', password: 'Bench-desk-2026' }, admin);
  await auth.handlers['users.create']({ name: 'op', password: 'Operator-pass-7', roleId: 'operator', channels: [1, 2, 3], mustChangePassword: false }, admin);

  const signIn: number[] = [];
  for (let i = 0; i < 15; i++) {
    const s = new ClientSession(`s${i}`, undefined, peer);
    const t0 = performance.now();
    await auth.handlers['auth.signIn']({ name: 'op', password: 'Operator-pass-7' }, s);
    signIn.push(performance.now() - t0);
  }

  // The same calls through a dispatcher with and without the check, signed in as the operator.
  const stubs = Object.fromEntries(CALL_NAMES.map((n) => [n, () => []])) as unknown as Handlers;
  stubs['archive.thumbnail'] = () => null;
  const op = new ClientSession('op', undefined, peer);
  await auth.handlers['auth.signIn']({ name: 'op', password: 'Operator-pass-7' }, op);
  const guarded = createDispatcher(stubs, silent, auth.guard);
  const plain = createDispatcher(stubs, silent);
  const N = 20_000;
  const run = async (d: typeof plain) => {
    const t0 = performance.now();
    for (let i = 0; i < N; i++) {
      await d('channels.list', {}, op);
      await d('archive.thumbnail', { source: 'local', channelId: 2, at: 1_700_000_000_000 }, op);
    }
    return (performance.now() - t0) / (2 * N);
  };
  await run(plain);
  await run(guarded);
  const overhead: number[] = [];
  for (let k = 0; k < 5; k++) overhead.push(((await run(guarded)) - (await run(plain))) * 1000);

  // Inserts: rows a second, batched as the station writes them.
  const INSERTS = 100_000;
  const t0 = performance.now();
  for (let i = 0; i < INSERTS; i++) {
    auth.oplog.append({ user: { id: 2, name: 'op' }, kind: 'live.open', channelId: 1 + (i % 3), transport: 'browser', address: '127.0.0.1', result: 'ok', detail: '{"streamId":"1/main"}' });
    if (i % 1000 === 999) auth.oplog.flush();
  }
  auth.oplog.flush();
  const insertPerS = INSERTS / ((performance.now() - t0) / 1000);

  // A year of log for 40 users, 1 000 000 rows, then one user's day.
  const start = Date.UTC(2026, 0, 1);
  const ins = db.prepare(`INSERT INTO oplog (id, at_ms, user_id, user_name, kind, channel_id, device_id, transport, address, result, detail, prev_hash, hash)
    VALUES (?, ?, ?, ?, 'live.open', ?, NULL, 'browser', '127.0.0.1', 'ok', '', '', '')`);
  const firstId = (db.prepare('SELECT max(id) AS m FROM oplog').get() as { m: number }).m + 1;
  db.transaction(() => {
    for (let i = 0; i < ROWS - INSERTS; i++) {
      const u = i % USERS;
      ins.run(firstId + i, start + Math.floor((i / (ROWS - INSERTS)) * 365 * DAY), u + 10, `user${u}`, 1 + (i % 16));
    }
  })();
  const total = (db.prepare('SELECT count(*) AS n FROM oplog').get() as { n: number }).n;
  const query: number[] = [];
  for (let k = 0; k < 30; k++) {
    const day = start + ((k * 11) % 360) * DAY;
    const q0 = performance.now();
    auth.oplog.query({ userName: `user${k % USERS}`, from: day, to: day + DAY }, 500);
    query.push(performance.now() - q0);
  }
  auth.dispose();
  db.close();
  console.log(JSON.stringify({
    signin_ms_p50: Math.round(percentile(signIn, 50)),
    authz_overhead_us_per_call: Number(percentile(overhead, 50).toFixed(2)),
    oplog_insert_per_s: Math.round(insertPerS),
    oplog_query_ms_p50: Number(percentile(query, 50).toFixed(2)),
    oplog_rows: total,
  }));
} finally {
  rmSync(dir, { recursive: true, force: true });
}
