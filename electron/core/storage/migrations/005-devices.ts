import type { Migration } from '../db';

/** Devices (cameras, NVRs) the station manages; credentials live in the SecretStore, never here. Channels may belong to a device. */
export const m005Devices: Migration = {
  version: 5,
  name: 'devices',
  up(db) {
    db.exec(`
      CREATE TABLE device (
        id            INTEGER PRIMARY KEY,
        name          TEXT NOT NULL CHECK (length(name) BETWEEN 1 AND 100),
        driver        TEXT NOT NULL CHECK (driver IN ('onvif', 'dahua', 'rtsp')),
        kind          TEXT NOT NULL CHECK (kind IN ('camera', 'nvr')),
        vendor        TEXT NOT NULL DEFAULT '',
        model         TEXT NOT NULL DEFAULT '',
        serial        TEXT NOT NULL DEFAULT '',
        mac           TEXT NOT NULL DEFAULT '',
        firmware      TEXT NOT NULL DEFAULT '',
        address       TEXT NOT NULL CHECK (address NOT GLOB '*@*'),
        http_port     INTEGER NOT NULL CHECK (http_port BETWEEN 0 AND 65535),
        rtsp_port     INTEGER NOT NULL CHECK (rtsp_port BETWEEN 0 AND 65535),
        service_url   TEXT CHECK (service_url IS NULL OR service_url NOT GLOB '*://*:*@*'),
        status        TEXT NOT NULL CHECK (status IN ('online', 'offline', 'locked', 'unknown')),
        channel_count INTEGER NOT NULL DEFAULT 0 CHECK (channel_count >= 0),
        last_seen_at  INTEGER,
        created_at    INTEGER NOT NULL
      ) STRICT;
      CREATE UNIQUE INDEX device_address ON device (address, http_port);

      -- A channel registered from a device; NULL for channels added by bare RTSP URL.
      ALTER TABLE channel ADD COLUMN device_id INTEGER REFERENCES device (id) ON DELETE SET NULL;
      ALTER TABLE channel ADD COLUMN device_channel INTEGER;
      CREATE INDEX channel_device ON channel (device_id);
    `);
  },
};
