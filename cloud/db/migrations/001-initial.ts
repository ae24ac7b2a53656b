// Accounts, sessions, settings, consent ledger, telemetry, shares, login throttle, erasure receipts.
import type { Migration } from '../migrate';

const common = (t: { blob: string; id: string; bigint: string }) => `
CREATE TABLE service_meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);

CREATE TABLE accounts (
  id TEXT PRIMARY KEY,
  email TEXT NOT NULL UNIQUE,
  region TEXT NOT NULL,
  country TEXT NOT NULL,
  nickname TEXT NOT NULL,
  date_of_birth TEXT NOT NULL,
  password_hash TEXT NOT NULL,
  photo ${t.blob},
  photo_type TEXT,
  restricted INTEGER NOT NULL DEFAULT 0,
  objected INTEGER NOT NULL DEFAULT 0,
  created_at TEXT NOT NULL,
  updated_at TEXT NOT NULL
);

CREATE TABLE sessions (
  id TEXT PRIMARY KEY,
  token_hash TEXT NOT NULL UNIQUE,
  account_id TEXT NOT NULL REFERENCES accounts(id) ON DELETE CASCADE,
  created_at TEXT NOT NULL,
  expires_at_ms ${t.bigint} NOT NULL,
  last_used_at TEXT NOT NULL,
  revoked_at TEXT
);
CREATE INDEX sessions_account ON sessions(account_id);

CREATE TABLE settings (
  account_id TEXT PRIMARY KEY REFERENCES accounts(id) ON DELETE CASCADE,
  version INTEGER NOT NULL,
  document TEXT NOT NULL,
  updated_at TEXT NOT NULL
);

-- No cascade: erasure must anonymise the ledger first, or deleting the account fails.
CREATE TABLE consents (
  id ${t.id},
  account_id TEXT REFERENCES accounts(id),
  subject TEXT NOT NULL,
  purpose TEXT NOT NULL,
  action TEXT NOT NULL CHECK (action IN ('grant', 'withdraw')),
  policy_version TEXT NOT NULL,
  policy_text_hash TEXT NOT NULL,
  app_version TEXT NOT NULL,
  locale TEXT NOT NULL,
  recorded_at TEXT NOT NULL
);
CREATE INDEX consents_account_purpose ON consents(account_id, purpose, id);
CREATE INDEX consents_subject ON consents(subject);

CREATE TABLE telemetry_events (
  id ${t.id},
  account_id TEXT NOT NULL REFERENCES accounts(id) ON DELETE CASCADE,
  purpose TEXT NOT NULL,
  received_at TEXT NOT NULL,
  bytes INTEGER NOT NULL,
  payload TEXT NOT NULL
);
CREATE INDEX telemetry_events_account ON telemetry_events(account_id, purpose);

CREATE TABLE telemetry_counters (
  account_id TEXT NOT NULL REFERENCES accounts(id) ON DELETE CASCADE,
  purpose TEXT NOT NULL,
  received_bytes ${t.bigint} NOT NULL DEFAULT 0,
  accepted_bytes ${t.bigint} NOT NULL DEFAULT 0,
  accepted_batches INTEGER NOT NULL DEFAULT 0,
  refused_batches INTEGER NOT NULL DEFAULT 0,
  PRIMARY KEY (account_id, purpose)
);

CREATE TABLE shares (
  id TEXT PRIMARY KEY,
  owner_id TEXT NOT NULL REFERENCES accounts(id) ON DELETE CASCADE,
  recipient_id TEXT NOT NULL REFERENCES accounts(id) ON DELETE CASCADE,
  device_id TEXT NOT NULL,
  device_name TEXT NOT NULL,
  channels TEXT,
  valid_from TEXT,
  valid_until TEXT,
  created_at TEXT NOT NULL,
  revoked_at TEXT
);
CREATE INDEX shares_owner ON shares(owner_id);
CREATE INDEX shares_recipient ON shares(recipient_id);

-- Keys are keyed hashes of the email or client address, never the plain value.
CREATE TABLE login_failures (
  id ${t.id},
  key TEXT NOT NULL,
  at_ms ${t.bigint} NOT NULL
);
CREATE INDEX login_failures_key ON login_failures(key, at_ms);

CREATE TABLE erasure_receipts (
  id TEXT PRIMARY KEY,
  erased_at TEXT NOT NULL,
  subject TEXT NOT NULL,
  region TEXT NOT NULL,
  deleted TEXT NOT NULL
);
`;

const sqlite = `${common({ blob: 'BLOB', id: 'INTEGER PRIMARY KEY AUTOINCREMENT', bigint: 'INTEGER' })}
CREATE TRIGGER consents_append_only_update BEFORE UPDATE ON consents
WHEN NOT (OLD.account_id IS NOT NULL AND NEW.account_id IS NULL
  AND NEW.id IS OLD.id AND NEW.subject IS OLD.subject AND NEW.purpose IS OLD.purpose
  AND NEW.action IS OLD.action AND NEW.policy_version IS OLD.policy_version
  AND NEW.policy_text_hash IS OLD.policy_text_hash AND NEW.app_version IS OLD.app_version
  AND NEW.locale IS OLD.locale AND NEW.recorded_at IS OLD.recorded_at)
BEGIN SELECT RAISE(ABORT, 'consent ledger is append-only'); END;
CREATE TRIGGER consents_append_only_delete BEFORE DELETE ON consents
BEGIN SELECT RAISE(ABORT, 'consent ledger is append-only'); END;
`;

const postgres = `${common({ blob: 'BYTEA', id: 'INTEGER GENERATED ALWAYS AS IDENTITY PRIMARY KEY', bigint: 'BIGINT' })}
CREATE FUNCTION consents_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF TG_OP = 'UPDATE' AND OLD.account_id IS NOT NULL AND NEW.account_id IS NULL
     AND NEW.id = OLD.id AND NEW.subject = OLD.subject AND NEW.purpose = OLD.purpose
     AND NEW.action = OLD.action AND NEW.policy_version = OLD.policy_version
     AND NEW.policy_text_hash = OLD.policy_text_hash AND NEW.app_version = OLD.app_version
     AND NEW.locale = OLD.locale AND NEW.recorded_at = OLD.recorded_at THEN
    RETURN NEW;
  END IF;
  RAISE EXCEPTION 'consent ledger is append-only';
END $$;
CREATE TRIGGER consents_append_only BEFORE UPDATE OR DELETE ON consents
FOR EACH ROW EXECUTE FUNCTION consents_append_only();
`;

export const migration001: Migration = { version: 1, name: 'initial', sqlite, postgres };
