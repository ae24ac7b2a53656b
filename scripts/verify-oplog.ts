// npm run verify-oplog -- <data folder>: walks the operation log's hash chain in <data folder>/station.db and names the
// first row that was changed, inserted or removed, and checks the chain's head kept outside the database
// (oplog-head.json, its seal with the key in the folder's secrets where they can be read here): a log whose newest rows
// were cut off says how many are missing. Exit 0 only when all of it holds. Opens the database read-only.
import Database from 'better-sqlite3';
import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { OPLOG_HEAD_FILE, OPLOG_HEAD_KEY, readOplogHead, verifyOplog } from '../electron/core/auth/operation-log';
import { nodeSecretStore } from '../electron/core/storage/secrets';

const dir = process.argv.slice(2).find((a) => !a.startsWith('--'));
if (!dir) {
  console.error('usage: npm run verify-oplog -- <station data folder>');
  process.exit(2);
}
const file = join(resolve(dir), 'station.db');
if (!existsSync(file)) {
  console.error(`verify-oplog: no station database at ${file}`);
  process.exit(2);
}
const head = readOplogHead(join(resolve(dir), OPLOG_HEAD_FILE));
// The seal's key: in the folder's secrets under plain Node (the desktop app keeps its secrets in the OS keyring instead).
const key = existsSync(join(resolve(dir), 'secrets.key')) ? await nodeSecretStore(resolve(dir)).get(OPLOG_HEAD_KEY).catch(() => undefined) : undefined;
const db = new Database(file, { readonly: true, fileMustExist: true });
const r = verifyOplog(db, head, key);
db.close();
if (r.ok) console.log(`VERIFIED: the operation log's ${r.rows} rows form an unbroken chain${head ? `, up to the head kept outside the database${key ? ' (sealed)' : ' (its seal not checked: no key here)'}` : ''}.`);
else console.log(`BROKEN at row ${r.id}: ${r.problem}. ${r.rows} rows before it verify.`);
process.exit(r.ok ? 0 : 1);
