// Hardware Share made real: what a share grants (rights, the history window), where the sharer's station serves it
// (address, port, certificate fingerprint) and the share-scoped credential the cloud delivers to the recipient. The
// credential is cleared when the share is revoked; the row goes with either account (erasure.ts).
import type { Migration } from '../migrate';

const sql = `
ALTER TABLE shares ADD COLUMN rights TEXT;
ALTER TABLE shares ADD COLUMN history_s INTEGER;
ALTER TABLE shares ADD COLUMN station_host TEXT;
ALTER TABLE shares ADD COLUMN station_port INTEGER;
ALTER TABLE shares ADD COLUMN station_fingerprint TEXT;
ALTER TABLE shares ADD COLUMN credential TEXT;
`;

// As in migration 003: planner statistics never sample the credential.
export const migration007: Migration = {
  version: 7, name: 'share-access', sqlite: sql, postgres: `${sql}ALTER TABLE shares ALTER COLUMN credential SET STATISTICS 0;\n`,
};
