import type { Migration } from '../db';

/** Events (device, station-made, local motion) with acknowledgement, sensor readings as typed series, alarm rules, device event sources, motion settings. */
export const m006Events: Migration = {
  version: 6,
  name: 'events',
  up(db) {
    db.exec(`
      -- One event; end_ms NULL while a stateful event (motion, door open) is still on.
      CREATE TABLE ev_event (
        id            INTEGER PRIMARY KEY,
        channel_id    INTEGER,
        type          TEXT NOT NULL CHECK (length(type) BETWEEN 1 AND 40),
        source        TEXT NOT NULL CHECK (source IN ('onvif', 'dahua', 'station', 'motion')),
        start_ms      INTEGER NOT NULL,
        end_ms        INTEGER CHECK (end_ms IS NULL OR end_ms >= start_ms),
        value         REAL,
        unit          TEXT,
        detail        TEXT NOT NULL DEFAULT '' CHECK (length(detail) <= 500),
        snapshot_path TEXT,
        rule_id       INTEGER,
        acknowledged  INTEGER NOT NULL DEFAULT 0 CHECK (acknowledged IN (0, 1)),
        ack_note      TEXT CHECK (ack_note IS NULL OR length(ack_note) <= 1000),
        ack_at        INTEGER
      ) STRICT;
      CREATE INDEX ev_event_start ON ev_event (start_ms);
      CREATE INDEX ev_event_channel_start ON ev_event (channel_id, start_ms);
      CREATE INDEX ev_event_unacked_alarm ON ev_event (start_ms) WHERE acknowledged = 0 AND rule_id IS NOT NULL;

      -- Sensor readings (temperature, CO2, light) as a typed series per channel, for charts.
      CREATE TABLE ev_reading (
        channel_id INTEGER NOT NULL,
        type       TEXT NOT NULL CHECK (length(type) BETWEEN 1 AND 40),
        at_ms      INTEGER NOT NULL,
        value      REAL NOT NULL,
        unit       TEXT NOT NULL
      ) STRICT;
      CREATE INDEX ev_reading_series ON ev_reading (channel_id, type, at_ms);

      -- Alarm rules: when (types, channels or all, weekly schedule) -> do (actions).
      CREATE TABLE ev_rule (
        id          INTEGER PRIMARY KEY,
        name        TEXT NOT NULL CHECK (length(name) BETWEEN 1 AND 100),
        enabled     INTEGER NOT NULL CHECK (enabled IN (0, 1)),
        types       TEXT NOT NULL CHECK (json_valid(types)),
        channel_ids TEXT CHECK (channel_ids IS NULL OR json_valid(channel_ids)),
        schedule    TEXT NOT NULL CHECK (length(schedule) = 336 AND schedule NOT GLOB '*[^01]*'),
        actions     TEXT NOT NULL CHECK (json_valid(actions)),
        created_at  INTEGER NOT NULL
      ) STRICT;

      -- Device event subscriptions until devices carry them; the password lives in the SecretStore.
      CREATE TABLE ev_source (
        id          INTEGER PRIMARY KEY,
        driver      TEXT NOT NULL CHECK (driver IN ('onvif', 'dahua')),
        url         TEXT NOT NULL CHECK (url NOT GLOB '*://*:*@*'),
        username    TEXT NOT NULL,
        channel_map TEXT NOT NULL CHECK (json_valid(channel_map)),
        created_at  INTEGER NOT NULL
      ) STRICT;

      -- Local motion detection per channel; mask: 16x9 cells, '1' = ignored.
      CREATE TABLE ev_motion (
        channel_id  INTEGER PRIMARY KEY,
        enabled     INTEGER NOT NULL CHECK (enabled IN (0, 1)),
        sensitivity INTEGER NOT NULL CHECK (sensitivity BETWEEN 1 AND 100),
        mask        TEXT NOT NULL CHECK (length(mask) = 144 AND mask NOT GLOB '*[^01]*')
      ) STRICT;
    `);
  },
};
