// Children (policy "Children"): an account found to be of someone under 16 — its birth date corrected below it, or on a
// report to the operator — is suspended at once and its personal data erased when the notice period ends.
import type { Migration } from '../migrate';

const common = `
ALTER TABLE accounts ADD COLUMN suspended_at TEXT;
ALTER TABLE accounts ADD COLUMN suspension_reason TEXT;
ALTER TABLE accounts ADD COLUMN erase_after TEXT;
ALTER TABLE accounts ADD COLUMN erase_receipt_id TEXT;
CREATE INDEX accounts_erase_after ON accounts(erase_after);
`;

export const migration010: Migration = { version: 10, name: 'minors', sqlite: common, postgres: common };
