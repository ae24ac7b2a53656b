// Session labels, the alarm push inbox, cloud storage, hosted device lists.
import type { Migration } from '../migrate';

const common = (t: { blob: string; id: string; bigint: string }) => `
-- What the session is (app and device), so the user can tell their sessions apart.
ALTER TABLE sessions ADD COLUMN client TEXT NOT NULL DEFAULT '';

CREATE TABLE push_notices (
  id ${t.id},
  account_id TEXT NOT NULL REFERENCES accounts(id) ON DELETE CASCADE,
  station_id TEXT NOT NULL,
  type TEXT NOT NULL,
  channel_name TEXT NOT NULL,
  occurred_at TEXT NOT NULL,
  snapshot ${t.blob},
  received_at TEXT NOT NULL
);
CREATE INDEX push_notices_account ON push_notices(account_id, id);

CREATE TABLE stored_objects (
  id TEXT PRIMARY KEY,
  account_id TEXT NOT NULL REFERENCES accounts(id) ON DELETE CASCADE,
  name TEXT NOT NULL,
  kind TEXT NOT NULL CHECK (kind IN ('snapshot', 'clip')),
  content_type TEXT NOT NULL,
  bytes ${t.bigint} NOT NULL,
  sha256 TEXT NOT NULL,
  data ${t.blob} NOT NULL,
  created_at TEXT NOT NULL
);
CREATE INDEX stored_objects_account ON stored_objects(account_id, created_at);

CREATE TABLE hosted_devices (
  account_id TEXT NOT NULL REFERENCES accounts(id) ON DELETE CASCADE,
  station_id TEXT NOT NULL,
  station_name TEXT NOT NULL,
  devices TEXT NOT NULL,
  updated_at TEXT NOT NULL,
  PRIMARY KEY (account_id, station_id)
);
`;

export const migration002: Migration = {
  version: 2,
  name: 'account-services',
  sqlite: common({ blob: 'BLOB', id: 'INTEGER PRIMARY KEY AUTOINCREMENT', bigint: 'INTEGER' }),
  postgres: common({ blob: 'BYTEA', id: 'INTEGER GENERATED ALWAYS AS IDENTITY PRIMARY KEY', bigint: 'BIGINT' }),
};
