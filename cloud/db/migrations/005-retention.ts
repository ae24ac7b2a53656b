// Retention: indexes for the pruning pass by age, and anonymised consent records may go once their time is up
// (electron/contract/retention.ts); a consent record that still names an account stays append-only.
import type { Migration } from '../migrate';

const indexes = `
CREATE INDEX telemetry_events_received ON telemetry_events(received_at);
CREATE INDEX push_notices_received ON push_notices(received_at);
CREATE INDEX erasure_receipts_erased ON erasure_receipts(erased_at);
`;

const sqlite = `${indexes}
DROP TRIGGER consents_append_only_delete;
CREATE TRIGGER consents_append_only_delete BEFORE DELETE ON consents
WHEN OLD.account_id IS NOT NULL
BEGIN SELECT RAISE(ABORT, 'consent ledger is append-only'); END;
`;

const postgres = `${indexes}
CREATE OR REPLACE FUNCTION consents_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF TG_OP = 'UPDATE' AND OLD.account_id IS NOT NULL AND NEW.account_id IS NULL
     AND NEW.id = OLD.id AND NEW.subject = OLD.subject AND NEW.purpose = OLD.purpose
     AND NEW.action = OLD.action AND NEW.policy_version = OLD.policy_version
     AND NEW.policy_text_hash = OLD.policy_text_hash AND NEW.app_version = OLD.app_version
     AND NEW.locale = OLD.locale AND NEW.recorded_at = OLD.recorded_at THEN
    RETURN NEW;
  END IF;
  IF TG_OP = 'DELETE' AND OLD.account_id IS NULL THEN
    RETURN OLD;
  END IF;
  RAISE EXCEPTION 'consent ledger is append-only';
END $$;
`;

export const migration005: Migration = { version: 5, name: 'retention', sqlite, postgres };
