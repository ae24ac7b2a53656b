// POSIX TZ strings (IEEE 1003.1 §8.3 "TZ"), the form ONVIF's tt:TimeZone/TZ carries (ONVIF Core §8.3.8
// SetSystemDateAndTime) and Dahua's NTP.TimeZoneDesc: `std offset [dst [offset] [,start[/time],end[/time]]]`.
// Used by the Dahua driver to set a device's local clock, and by camsim, which simulates devices keeping them.

type Rule =
  | { kind: 'J'; day: number; time: number }
  | { kind: 'N'; day: number; time: number }
  | { kind: 'M'; month: number; week: number; weekday: number; time: number };

export interface PosixTz {
  text: string;
  stdName: string;
  /** Seconds to add to local standard time to get UTC (POSIX sign: positive west of Greenwich). */
  stdOffset: number;
  dst?: { name: string; offset: number; start: Rule; end: Rule };
}

class Cursor {
  i = 0;
  constructor(readonly s: string) {}
  peek() {
    return this.s[this.i];
  }
  done() {
    return this.i >= this.s.length;
  }
}

function name(c: Cursor): string | undefined {
  if (c.peek() === '<') {
    const end = c.s.indexOf('>', c.i);
    if (end < 0) return undefined;
    const n = c.s.slice(c.i + 1, end);
    c.i = end + 1;
    return /^[A-Za-z0-9+-]{3,}$/.test(n) ? n : undefined;
  }
  const m = /^[A-Za-z]{3,}/.exec(c.s.slice(c.i));
  if (!m) return undefined;
  c.i += m[0].length;
  return m[0];
}

/** [+-]hh[:mm[:ss]] in seconds; hours up to 167 for rule times (RFC 8536 extension). */
function hms(c: Cursor, maxHours: number): number | undefined {
  const m = /^([+-]?)(\d{1,3})(?::(\d{1,2}))?(?::(\d{1,2}))?/.exec(c.s.slice(c.i));
  if (!m) return undefined;
  const h = Number(m[2]);
  const min = Number(m[3] ?? 0);
  const sec = Number(m[4] ?? 0);
  if (h > maxHours || min > 59 || sec > 59) return undefined;
  c.i += m[0].length;
  const v = h * 3600 + min * 60 + sec;
  return m[1] === '-' ? -v : v;
}

function rule(c: Cursor): Rule | undefined {
  const rest = c.s.slice(c.i);
  let r: Rule | undefined;
  let m: RegExpExecArray | null;
  if ((m = /^M(\d{1,2})\.(\d)\.(\d)/.exec(rest))) {
    const month = Number(m[1]);
    const week = Number(m[2]);
    const weekday = Number(m[3]);
    if (month < 1 || month > 12 || week < 1 || week > 5 || weekday > 6) return undefined;
    r = { kind: 'M', month, week, weekday, time: 7200 };
  } else if ((m = /^J(\d{1,3})/.exec(rest))) {
    const day = Number(m[1]);
    if (day < 1 || day > 365) return undefined;
    r = { kind: 'J', day, time: 7200 };
  } else if ((m = /^(\d{1,3})/.exec(rest))) {
    const day = Number(m[1]);
    if (day > 365) return undefined;
    r = { kind: 'N', day, time: 7200 };
  } else return undefined;
  c.i += m[0].length;
  if (c.peek() === '/') {
    c.i++;
    const t = hms(c, 167);
    if (t === undefined) return undefined;
    r.time = t;
  }
  return r;
}

export function parsePosixTz(text: string): PosixTz | undefined {
  const c = new Cursor(text.trim());
  const stdName = name(c);
  if (!stdName) return undefined;
  const stdOffset = hms(c, 24);
  if (stdOffset === undefined) return undefined;
  if (c.done()) return { text, stdName, stdOffset };
  const dstName = name(c);
  if (!dstName) return undefined;
  let offset = stdOffset - 3600;
  if (!c.done() && c.peek() !== ',') {
    const o = hms(c, 24);
    if (o === undefined) return undefined;
    offset = o;
  }
  let start: Rule | undefined;
  let end: Rule | undefined;
  if (c.done()) {
    // No rule given: the US rule, as glibc assumes.
    start = { kind: 'M', month: 3, week: 2, weekday: 0, time: 7200 };
    end = { kind: 'M', month: 11, week: 1, weekday: 0, time: 7200 };
  } else {
    if (c.peek() !== ',') return undefined;
    c.i++;
    start = rule(c);
    if (c.peek() !== ',') return undefined;
    c.i++;
    end = rule(c);
    if (!start || !end || !c.done()) return undefined;
  }
  return { text, stdName, stdOffset, dst: { name: dstName, offset, start, end } };
}

const isLeap = (y: number) => (y % 4 === 0 && y % 100 !== 0) || y % 400 === 0;

/** Seconds from local Jan 1 00:00 of `year` to the rule's transition (in the local time then in effect). */
function ruleSeconds(r: Rule, year: number): number {
  let yday: number;
  if (r.kind === 'J') yday = r.day - 1 + (isLeap(year) && r.day >= 60 ? 1 : 0);
  else if (r.kind === 'N') yday = r.day;
  else {
    const first = Date.UTC(year, r.month - 1, 1);
    const firstWeekday = new Date(first).getUTCDay();
    const daysInMonth = new Date(Date.UTC(year, r.month, 0)).getUTCDate();
    let day = 1 + ((r.weekday - firstWeekday + 7) % 7) + (r.week - 1) * 7;
    while (day > daysInMonth) day -= 7;
    yday = Math.round((Date.UTC(year, r.month - 1, day) - Date.UTC(year, 0, 1)) / 86_400_000);
  }
  return yday * 86400 + r.time;
}

export function isDst(tz: PosixTz, utcMs: number): boolean {
  if (!tz.dst) return false;
  const year = new Date(utcMs - tz.stdOffset * 1000).getUTCFullYear();
  const jan1 = Date.UTC(year, 0, 1);
  const startUtc = jan1 + (ruleSeconds(tz.dst.start, year) + tz.stdOffset) * 1000;
  const endUtc = jan1 + (ruleSeconds(tz.dst.end, year) + tz.dst.offset) * 1000;
  return startUtc < endUtc ? utcMs >= startUtc && utcMs < endUtc : utcMs >= startUtc || utcMs < endUtc;
}

/** Local wall-clock time as a UTC-based Date (read it with getUTC*). */
export function localTime(tz: PosixTz, utcMs: number): Date {
  const offset = tz.dst && isDst(tz, utcMs) ? tz.dst.offset : tz.stdOffset;
  return new Date(utcMs - offset * 1000);
}

/** The UTC instant of a local wall-clock time (given as a UTC-based ms value) in this zone. */
export function utcFromLocal(tz: PosixTz, localMs: number): number {
  const std = localMs + tz.stdOffset * 1000;
  return tz.dst && isDst(tz, std) ? localMs + tz.dst.offset * 1000 : std;
}
