// `npm run cloud:operator -- report-minor --email ADDR (--db ./cloud.db | --postgres URL)`: the operator's commands on the
// service's database. report-minor: a report says the account is of someone under 16 — it is suspended at once (minors.ts)
// and erased when its notice period ends; prints the erase date and the receipt id, which the account holder also sees.
import { parseArgs } from 'node:util';
import { openDb } from './db/open-db';
import { findAccountByEmail } from './repo/accounts';
import { MINOR_NOTICE_DAYS, suspendAccount } from './minors';

const USAGE = 'usage: cloud:operator report-minor --email ADDR (--db FILE | --postgres URL)\n';
const { values, positionals } = parseArgs({
  allowPositionals: true,
  options: { email: { type: 'string' }, db: { type: 'string' }, postgres: { type: 'string' } },
});
if (positionals[0] !== 'report-minor' || !values.email || (!values.db && !values.postgres)) {
  process.stderr.write(USAGE);
  process.exit(2);
}
const db = await openDb(values.postgres ? { kind: 'postgres', connectionString: values.postgres } : { kind: 'sqlite', path: values.db! });
try {
  const account = await findAccountByEmail(db, values.email.trim().toLowerCase());
  if (!account) {
    process.stderr.write(`no account with the email ${values.email}\n`);
    process.exit(1);
  }
  const after = (await suspendAccount(db, account.id, 'reported_minor', Date.now(), 'operator'))!;
  process.stdout.write(`${JSON.stringify({ account: after.id, suspendedAt: after.suspended_at, eraseAfter: after.erase_after, receiptId: after.erase_receipt_id, noticeDays: MINOR_NOTICE_DAYS })}\n`);
} finally {
  await db.close();
}
