import type { Migration } from '../db';

/**
 * Edge backfill for a channel added by RTSP URL: the zone its camera's clock keeps (an IANA name, or UTC), which Dahua's
 * playback URL names local times in. A device's channel uses its device's own time settings instead.
 */
export const m022CardTimeZone: Migration = {
  version: 22,
  name: 'card-time-zone',
  up(db) {
    db.exec("ALTER TABLE rec_channel_config ADD COLUMN card_time_zone TEXT NOT NULL DEFAULT 'UTC'");
  },
};
