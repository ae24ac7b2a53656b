// Mail through an SMTP relay (issue 16): the outbox the sender works through, the codes it mails (held only as keyed
// hashes), and whether the account's email address was confirmed.
import type { Migration } from '../migrate';

const common = (t: { id: string; bigint: string }) => `
ALTER TABLE accounts ADD COLUMN email_verified_at TEXT;

CREATE TABLE mail_outbox (
  id ${t.id},
  account_id TEXT NOT NULL REFERENCES accounts(id) ON DELETE CASCADE,
  kind TEXT NOT NULL,
  recipient TEXT NOT NULL,
  subject TEXT NOT NULL,
  body TEXT,
  created_at TEXT NOT NULL,
  attempts INTEGER NOT NULL DEFAULT 0,
  next_attempt_ms ${t.bigint} NOT NULL,
  last_error TEXT,
  sent_at TEXT
);
CREATE INDEX mail_outbox_due ON mail_outbox(sent_at, next_attempt_ms);
CREATE INDEX mail_outbox_created ON mail_outbox(created_at);
CREATE INDEX mail_outbox_account ON mail_outbox(account_id);

CREATE TABLE mail_codes (
  id ${t.id},
  account_id TEXT NOT NULL REFERENCES accounts(id) ON DELETE CASCADE,
  purpose TEXT NOT NULL,
  code_hash TEXT NOT NULL,
  created_at TEXT NOT NULL,
  expires_at_ms ${t.bigint} NOT NULL,
  used_at TEXT
);
CREATE INDEX mail_codes_account ON mail_codes(account_id, purpose);
CREATE INDEX mail_codes_expires ON mail_codes(expires_at_ms);
`;

// As in migration 003: planner statistics never sample a personal text column (the recipient is an email, the body a code).
const noStatistics = ['mail_outbox.recipient', 'mail_outbox.body', 'mail_outbox.subject']
  .map((c) => `ALTER TABLE ${c.split('.')[0]} ALTER COLUMN ${c.split('.')[1]} SET STATISTICS 0;`).join('\n');

export const migration008: Migration = {
  version: 8,
  name: 'mail',
  sqlite: common({ id: 'INTEGER PRIMARY KEY AUTOINCREMENT', bigint: 'INTEGER' }),
  postgres: `${common({ id: 'INTEGER GENERATED ALWAYS AS IDENTITY PRIMARY KEY', bigint: 'BIGINT' })}\n${noStatistics}`,
};
