import type { Migration } from '../db';

/** The station half of the privacy design: account mirror, clocked settings fields, outbox, consent mirror, transmission ledger, telemetry. */
export const m003Privacy: Migration = {
  version: 3,
  name: 'privacy',
  up(db) {
    db.exec(`
      -- Key/value facts of the privacy service (node id, logical clock, policy version seen); no personal data.
      CREATE TABLE privacy_meta (
        key   TEXT PRIMARY KEY,
        value TEXT NOT NULL
      ) STRICT;

      -- The signed-in account as last seen from the cloud (one row at most); the token lives in the SecretStore.
      CREATE TABLE privacy_account (
        slot          INTEGER PRIMARY KEY CHECK (slot = 1),
        account_id    TEXT NOT NULL,
        email         TEXT NOT NULL,
        nickname      TEXT NOT NULL,
        country       TEXT NOT NULL,
        region        TEXT NOT NULL,
        region_name   TEXT NOT NULL,
        date_of_birth TEXT NOT NULL,
        restricted    INTEGER NOT NULL DEFAULT 0 CHECK (restricted IN (0, 1)),
        objected      INTEGER NOT NULL DEFAULT 0 CHECK (objected IN (0, 1)),
        session_id    TEXT NOT NULL,
        expires_at    TEXT NOT NULL,
        created_at    TEXT NOT NULL,
        signed_in_at  INTEGER NOT NULL
      ) STRICT;

      -- Privacy settings, one row per field, each stamped by a hybrid logical clock for per-field merging.
      CREATE TABLE privacy_field (
        key        TEXT PRIMARY KEY,
        value      TEXT NOT NULL CHECK (json_valid(value)),
        clock      INTEGER NOT NULL,
        node       TEXT NOT NULL,
        updated_at INTEGER NOT NULL
      ) STRICT;

      -- Changes waiting for the cloud, oldest first; retried with backoff.
      CREATE TABLE privacy_outbox (
        id              INTEGER PRIMARY KEY,
        kind            TEXT NOT NULL CHECK (kind IN ('consent', 'settings', 'rights', 'profile')),
        payload         TEXT NOT NULL CHECK (json_valid(payload)),
        created_at      INTEGER NOT NULL,
        attempts        INTEGER NOT NULL DEFAULT 0,
        next_attempt_at INTEGER NOT NULL DEFAULT 0,
        last_error      TEXT
      ) STRICT;

      -- This account's consent records: recorded here at once, then in the cloud's append-only ledger.
      CREATE TABLE privacy_consent (
        id                 INTEGER PRIMARY KEY,
        purpose            TEXT NOT NULL,
        action             TEXT NOT NULL CHECK (action IN ('grant', 'withdraw')),
        policy_version     TEXT NOT NULL,
        policy_text_hash   TEXT NOT NULL,
        app_version        TEXT NOT NULL,
        locale             TEXT NOT NULL,
        created_at         INTEGER NOT NULL,
        cloud_id           INTEGER UNIQUE,
        cloud_recorded_at  TEXT,
        origin             TEXT NOT NULL CHECK (origin IN ('station', 'cloud'))
      ) STRICT;
      CREATE INDEX privacy_consent_purpose ON privacy_consent (purpose, id);

      -- Every request the station sent (or tried to send) to the cloud.
      CREATE TABLE transmission (
        id         INTEGER PRIMARY KEY,
        at         INTEGER NOT NULL,
        method     TEXT NOT NULL,
        endpoint   TEXT NOT NULL,
        purpose    TEXT NOT NULL,
        bytes_out  INTEGER NOT NULL,
        bytes_in   INTEGER NOT NULL,
        status     INTEGER,
        outcome    TEXT NOT NULL,
        consent    TEXT NOT NULL
      ) STRICT;
      CREATE INDEX transmission_purpose ON transmission (purpose, id);

      -- Telemetry collected while its purpose is granted, until sent.
      CREATE TABLE telemetry_event (
        id          INTEGER PRIMARY KEY,
        purpose     TEXT NOT NULL CHECK (purpose IN ('user_experience_plan', 'device_experience_program')),
        payload     TEXT NOT NULL CHECK (json_valid(payload)),
        created_at  INTEGER NOT NULL
      ) STRICT;
      CREATE INDEX telemetry_event_purpose ON telemetry_event (purpose, id);
    `);
  },
};
