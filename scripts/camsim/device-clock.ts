import type { TimeSettings } from './device-types';
import { isDst, localTime, parsePosixTz } from '../../electron/core/devices/posix-tz';

/** The device's wall clock at a UTC instant, by its POSIX time zone and DST setting. */
export function deviceLocalTime(time: TimeSettings, utcMs: number): { local: Date; dstNow: boolean } {
  const tz = parsePosixTz(time.tz) ?? parsePosixTz('UTC0');
  if (!tz) return { local: new Date(utcMs), dstNow: false };
  const dstNow = time.daylightSavings && isDst(tz, utcMs);
  const local = dstNow ? localTime(tz, utcMs) : new Date(utcMs - tz.stdOffset * 1000);
  return { local, dstNow };
}
