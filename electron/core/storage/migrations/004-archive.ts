import type { Migration } from '../db';

/** The archive index: segment files with their keyframes, merged recorded spans, gaps with reasons, evidence locks, audit, recording settings. */
export const m004Archive: Migration = {
  version: 4,
  name: 'archive',
  up(db) {
    db.exec(`
      -- One fMP4 segment file (init + fragments); path is relative to the recordings folder.
      -- keyframes: packed little-endian u32 pairs (ms after start_ms, byte offset of the keyframe's moof).
      CREATE TABLE rec_segment (
        id         INTEGER PRIMARY KEY,
        channel_id INTEGER NOT NULL,
        stream     TEXT NOT NULL CHECK (stream IN ('main', 'sub')),
        start_ms   INTEGER NOT NULL,
        end_ms     INTEGER NOT NULL CHECK (end_ms >= start_ms),
        bytes      INTEGER NOT NULL CHECK (bytes >= 0),
        path       TEXT NOT NULL UNIQUE,
        codec      TEXT NOT NULL,
        width      INTEGER NOT NULL,
        height     INTEGER NOT NULL,
        timescale  INTEGER NOT NULL CHECK (timescale > 0),
        base_dts   INTEGER NOT NULL,
        init_bytes INTEGER NOT NULL,
        closed     INTEGER NOT NULL DEFAULT 0 CHECK (closed IN (0, 1)),
        keyframes  BLOB NOT NULL
      ) STRICT;
      CREATE INDEX rec_segment_channel_start ON rec_segment (channel_id, start_ms);
      CREATE INDEX rec_segment_start ON rec_segment (start_ms);
      CREATE INDEX rec_segment_open ON rec_segment (closed) WHERE closed = 0;

      -- Continuous recorded time merged across segments (capped in length so overlap queries can bound start_ms).
      CREATE TABLE rec_span (
        id         INTEGER PRIMARY KEY,
        channel_id INTEGER NOT NULL,
        start_ms   INTEGER NOT NULL,
        end_ms     INTEGER NOT NULL CHECK (end_ms >= start_ms)
      ) STRICT;
      CREATE INDEX rec_span_channel_start ON rec_span (channel_id, start_ms);

      -- Time not recorded, and why (capped in length like spans).
      CREATE TABLE rec_gap (
        id         INTEGER PRIMARY KEY,
        channel_id INTEGER NOT NULL,
        start_ms   INTEGER NOT NULL,
        end_ms     INTEGER NOT NULL CHECK (end_ms >= start_ms),
        reason     TEXT NOT NULL CHECK (reason IN ('camera_offline', 'recording_off', 'disk', 'station_stopped'))
      ) STRICT;
      CREATE INDEX rec_gap_channel_start ON rec_gap (channel_id, start_ms);

      -- Marks on the timeline (event triggers).
      CREATE TABLE rec_event (
        id         INTEGER PRIMARY KEY,
        channel_id INTEGER NOT NULL,
        at_ms      INTEGER NOT NULL,
        kind       TEXT NOT NULL CHECK (length(kind) BETWEEN 1 AND 60)
      ) STRICT;
      CREATE INDEX rec_event_channel_at ON rec_event (channel_id, at_ms);

      -- Evidence: a locked range is never deleted by retention. channel_id NULL locks every channel.
      CREATE TABLE rec_lock (
        id         INTEGER PRIMARY KEY,
        channel_id INTEGER,
        start_ms   INTEGER NOT NULL,
        end_ms     INTEGER NOT NULL CHECK (end_ms > start_ms),
        reason     TEXT NOT NULL CHECK (length(reason) BETWEEN 1 AND 500),
        created_at INTEGER NOT NULL
      ) STRICT;

      -- What retention and locking did, for the evidence trail.
      CREATE TABLE rec_audit (
        id     INTEGER PRIMARY KEY,
        at     INTEGER NOT NULL,
        action TEXT NOT NULL,
        detail TEXT NOT NULL CHECK (json_valid(detail))
      ) STRICT;

      -- Recording mode per channel; schedule is 336 '0'/'1' half-hours from Monday 00:00 local time.
      CREATE TABLE rec_channel_config (
        channel_id     INTEGER PRIMARY KEY,
        mode           TEXT NOT NULL CHECK (mode IN ('off', 'continuous', 'schedule', 'event')),
        stream         TEXT NOT NULL CHECK (stream IN ('main', 'sub')),
        schedule       TEXT NOT NULL CHECK (length(schedule) = 336 AND schedule NOT GLOB '*[^01]*'),
        pre_ms         INTEGER NOT NULL CHECK (pre_ms BETWEEN 0 AND 60000),
        post_ms        INTEGER NOT NULL CHECK (post_ms BETWEEN 0 AND 3600000),
        retention_days INTEGER CHECK (retention_days IS NULL OR retention_days > 0)
      ) STRICT;

      -- Global archive settings (one row).
      CREATE TABLE rec_config (
        slot             INTEGER PRIMARY KEY CHECK (slot = 1),
        segment_ms       INTEGER NOT NULL CHECK (segment_ms BETWEEN 2000 AND 3600000),
        quota_bytes      INTEGER CHECK (quota_bytes IS NULL OR quota_bytes > 0),
        free_floor_bytes INTEGER NOT NULL CHECK (free_floor_bytes >= 0)
      ) STRICT;
      INSERT INTO rec_config (slot, segment_ms, quota_bytes, free_floor_bytes) VALUES (1, 60000, NULL, 2147483648);
    `);
  },
};
