// npm run verify-oplog -- <data folder>: walks the operation log's hash chain in <data folder>/station.db and names the
// first row that was changed, inserted or removed. Exit 0 only when the whole chain holds. Opens the database read-only.
import Database from 'better-sqlite3';
import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { verifyOplog } from '../electron/core/auth/operation-log';

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
const db = new Database(file, { readonly: true, fileMustExist: true });
const r = verifyOplog(db);
db.close();
if (r.ok) console.log(`VERIFIED: the operation log's ${r.rows} rows form an unbroken chain.`);
else console.log(`BROKEN at row ${r.id}: ${r.problem}. ${r.rows} rows before it verify.`);
process.exit(r.ok ? 0 : 1);
