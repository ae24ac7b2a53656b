// Regions: when an account's holder acknowledged the notice on international transfers, and the moves between regions
// that brought an account to this instance (the receipt kept with it: in its export, erased with it).
import type { Migration } from '../migrate';

const common = `
ALTER TABLE accounts ADD COLUMN transfer_notice_at TEXT;
CREATE TABLE region_moves (
  id TEXT PRIMARY KEY,
  account_id TEXT NOT NULL REFERENCES accounts(id) ON DELETE CASCADE,
  moved_at TEXT NOT NULL,
  from_region TEXT NOT NULL,
  to_region TEXT NOT NULL,
  carried TEXT NOT NULL
);
CREATE INDEX region_moves_account ON region_moves(account_id);
`;

export const migration009: Migration = { version: 9, name: 'regions', sqlite: common, postgres: common };
