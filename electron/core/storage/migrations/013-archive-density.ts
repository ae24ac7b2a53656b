import type { Migration } from '../db';

const H = 3_600_000;
const D = 86_400_000;
const HOURS_OF_DAY = Array.from({ length: 24 }, (_, i) => i);
/** Hours 0..8 after a segment's first hour: a segment (at most 2 h) never reaches further. */
const HOURS = Array.from({ length: 9 }, (_, k) => `SELECT ${k} AS k`).join(' UNION ALL ');
const REC = HOURS_OF_DAY.map((i) => `r${i}`);
const EV = HOURS_OF_DAY.map((i) => `e${i}`);
const ALL = [...REC, ...EV];

/**
 * Adds `value` at hour `hour` (an SQL expression, epoch ms) to the channel's day row: one upsert, `value` in the hour's
 * own column. `from` is the rest of the SELECT that yields `hour` and `value` rows (several rows may share a day).
 */
const addToDay = (channel: string, hour: string, value: string, col: 'r' | 'e', from: string) => `
  INSERT INTO rec_density (channel_id, day_ms, ${ALL.join(', ')})
  SELECT ${channel}, ${hour} / ${D} * ${D}, ${ALL.map((c) => (c[0] === col ? `CASE WHEN ${hour} % ${D} = ${Number(c.slice(1)) * H} THEN ${value} ELSE 0 END` : '0')).join(', ')}
  ${from}
  ON CONFLICT (channel_id, day_ms) DO UPDATE SET ${(col === 'r' ? REC : EV).map((c) => `${c} = ${c} + excluded.${c}`).join(', ')};`;

/** The recorded milliseconds a segment row (`r`) adds to each hour it touches (`sign` -1 takes them away). */
const segmentHours = (r: 'new' | 'old', sign: 1 | -1) => addToDay(
  `${r}.channel_id`, 'h', `${sign} * (min(${r}.end_ms, h + ${H}) - max(${r}.start_ms, h))`, 'r',
  `FROM (SELECT (${r}.start_ms / ${H} + k) * ${H} AS h FROM (${HOURS})) WHERE h < ${r}.end_ms`,
);

const eventHour = (r: 'new' | 'old', sign: 1 | -1) => addToDay(`${r}.channel_id`, `(${r}.at_ms / ${H} * ${H})`, String(sign), 'e', 'WHERE true');

/** Days left with nothing in them go (after a deletion). */
const dropEmpty = (channel: string, fromMs: string, toMs: string) => `
  DELETE FROM rec_density WHERE channel_id = ${channel} AND day_ms BETWEEN ${fromMs} / ${D} * ${D} AND ${toMs}
    AND ${REC.join(' + ')} <= 0 AND ${EV.join(' + ')} <= 0;`;

/**
 * The month overview: recorded time and event count per channel and hour, a row a day (24 + 24 columns), kept by
 * triggers on the segment index and the timeline's events (so every path that writes them, recorder, reconcile,
 * retention, a deleted device, keeps it right), backfilled from what is already there. A month of 64 channels is 1 984
 * rows instead of every span and event. Also the per-channel switch of the motion grid (stored for archive search while
 * motion detection is on): on for every channel set before, as it was.
 */
export const m013ArchiveDensity: Migration = {
  version: 13,
  name: 'archive-density',
  up(db) {
    db.exec(`
      -- rN: milliseconds of the channel's segments in hour N (UTC) of the day (overlapping segments may add up past
      -- the hour); eN: timeline events that began in hour N.
      CREATE TABLE rec_density (
        channel_id INTEGER NOT NULL,
        day_ms     INTEGER NOT NULL,
        ${ALL.map((c) => `${c} INTEGER NOT NULL DEFAULT 0`).join(',\n        ')},
        PRIMARY KEY (channel_id, day_ms)
      ) STRICT, WITHOUT ROWID;

      CREATE TRIGGER rec_density_segment_insert AFTER INSERT ON rec_segment BEGIN ${segmentHours('new', 1)} END;
      CREATE TRIGGER rec_density_segment_delete AFTER DELETE ON rec_segment BEGIN ${segmentHours('old', -1)} ${dropEmpty('old.channel_id', 'old.start_ms', 'old.end_ms')} END;
      CREATE TRIGGER rec_density_segment_update AFTER UPDATE OF channel_id, start_ms, end_ms ON rec_segment
        WHEN old.channel_id <> new.channel_id OR old.start_ms <> new.start_ms OR old.end_ms <> new.end_ms
        BEGIN ${segmentHours('old', -1)} ${segmentHours('new', 1)} END;
      CREATE TRIGGER rec_density_event_insert AFTER INSERT ON rec_event BEGIN ${eventHour('new', 1)} END;
      CREATE TRIGGER rec_density_event_delete AFTER DELETE ON rec_event BEGIN ${eventHour('old', -1)} ${dropEmpty('old.channel_id', 'old.at_ms', 'old.at_ms')} END;
      CREATE TRIGGER rec_density_event_update AFTER UPDATE OF channel_id, at_ms ON rec_event
        WHEN old.channel_id <> new.channel_id OR old.at_ms <> new.at_ms
        BEGIN ${eventHour('old', -1)} ${eventHour('new', 1)} END;

      ALTER TABLE rec_channel_config ADD COLUMN motion_grid INTEGER NOT NULL DEFAULT 1 CHECK (motion_grid IN (0, 1));

      ${addToDay('channel_id', 'h', 'min(end_ms, h + 3600000) - max(start_ms, h)', 'r',
        `FROM (SELECT channel_id, start_ms, end_ms, (start_ms / ${H} + k) * ${H} AS h FROM rec_segment, (${HOURS})) WHERE h < end_ms`)}
      ${addToDay('channel_id', `(at_ms / ${H} * ${H})`, '1', 'e', 'FROM rec_event WHERE true')}
    `);
  },
};
