// The account operation log: sign-ins, password and email changes, exports, erasure requests, each with the time, the
// client address and the app and device; shown to the user, in the export, erased with the account, pruned after its retention.
import type { Migration } from '../migrate';

const common = (id: string) => `
CREATE TABLE account_log (
  id ${id},
  account_id TEXT NOT NULL REFERENCES accounts(id) ON DELETE CASCADE,
  at TEXT NOT NULL,
  kind TEXT NOT NULL,
  address TEXT NOT NULL,
  client TEXT NOT NULL
);
CREATE INDEX account_log_account ON account_log(account_id, id);
CREATE INDEX account_log_at ON account_log(at);
`;

// As in migration 003: planner statistics never sample a personal text column (a feedback reply address is an email).
const noStatistics = ['account_log.address', 'account_log.client', 'feedback.reply_email', 'feedback.text']
  .map((c) => `ALTER TABLE ${c.split('.')[0]} ALTER COLUMN ${c.split('.')[1]} SET STATISTICS 0;`).join('\n');

export const migration006: Migration = {
  version: 6,
  name: 'account-log',
  sqlite: common('INTEGER PRIMARY KEY AUTOINCREMENT'),
  postgres: `${common('INTEGER GENERATED ALWAYS AS IDENTITY PRIMARY KEY')}\n${noStatistics}`,
};
