// Feedback the user sent, with its screenshots or diagnostics zip; deleted with the account or after its retention.
import type { Migration } from '../migrate';

const common = (t: { blob: string; bigint: string }) => `
CREATE TABLE feedback (
  id TEXT PRIMARY KEY,
  account_id TEXT NOT NULL REFERENCES accounts(id) ON DELETE CASCADE,
  text TEXT NOT NULL,
  reply_email TEXT,
  received_at TEXT NOT NULL,
  delete_after TEXT NOT NULL
);
CREATE INDEX feedback_account ON feedback(account_id, received_at);
CREATE INDEX feedback_delete_after ON feedback(delete_after);

CREATE TABLE feedback_attachments (
  feedback_id TEXT NOT NULL REFERENCES feedback(id) ON DELETE CASCADE,
  account_id TEXT NOT NULL REFERENCES accounts(id) ON DELETE CASCADE,
  position INTEGER NOT NULL,
  name TEXT NOT NULL,
  content_type TEXT NOT NULL,
  bytes ${t.bigint} NOT NULL,
  sha256 TEXT NOT NULL,
  data ${t.blob} NOT NULL,
  PRIMARY KEY (feedback_id, position)
);
CREATE INDEX feedback_attachments_account ON feedback_attachments(account_id);
`;

export const migration004: Migration = {
  version: 4,
  name: 'feedback',
  sqlite: common({ blob: 'BLOB', bigint: 'INTEGER' }),
  postgres: common({ blob: 'BYTEA', bigint: 'BIGINT' }),
};
