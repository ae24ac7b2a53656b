// Dates, times, numbers, sizes and durations through Intl, in the chosen language and the station's time zone.
import { currentLanguage } from '.';

let stationTimeZone: string | undefined;
/** The station says its time zone in station.status; until then the browser's is used. */
export function setStationTimeZone(tz: string | undefined): void {
  if (tz === stationTimeZone) return;
  stationTimeZone = tz;
  cache.clear();
}
export const getStationTimeZone = () => stationTimeZone;

const cache = new Map<string, Intl.DateTimeFormat | Intl.NumberFormat>();
function cached<T extends Intl.DateTimeFormat | Intl.NumberFormat>(key: string, make: () => T): T {
  let f = cache.get(key) as T | undefined;
  if (!f) cache.set(key, (f = make()));
  return f;
}

export function dateTimeFormat(opts: Intl.DateTimeFormatOptions): Intl.DateTimeFormat {
  const lng = currentLanguage();
  return cached(`d|${lng}|${stationTimeZone}|${JSON.stringify(opts)}`, () => new Intl.DateTimeFormat(lng, { ...opts, timeZone: stationTimeZone }));
}

export const formatDateTime = (ms: number, opts: Intl.DateTimeFormatOptions = { dateStyle: 'medium', timeStyle: 'medium' }) => dateTimeFormat(opts).format(ms);
export const formatTime = (ms: number) => dateTimeFormat({ hour: '2-digit', minute: '2-digit', second: '2-digit' }).format(ms);
export const formatDate = (ms: number) => dateTimeFormat({ dateStyle: 'medium' }).format(ms);

export function formatNumber(n: number, opts: Intl.NumberFormatOptions = {}): string {
  const lng = currentLanguage();
  return cached(`n|${lng}|${JSON.stringify(opts)}`, () => new Intl.NumberFormat(lng, opts)).format(n);
}

/** IEC units (KiB, MiB) are the same in every language; the number is the language's. */
export function formatBytes(n: number): string {
  const units = ['B', 'KiB', 'MiB', 'GiB', 'TiB'];
  let i = 0;
  while (n >= 1024 && i < units.length - 1) { n /= 1024; i++; }
  return `${formatNumber(n, { minimumFractionDigits: i === 0 ? 0 : 1, maximumFractionDigits: i === 0 ? 0 : 1, useGrouping: false })} ${units[i]}`;
}

/** hh:mm:ss, with whole days before it in the language's own short form. */
export function formatDuration(ms: number): string {
  const s = Math.floor(ms / 1000);
  const d = Math.floor(s / 86400), h = Math.floor((s % 86400) / 3600), m = Math.floor((s % 3600) / 60);
  const pad = (x: number) => String(x).padStart(2, '0');
  const days = d > 0 ? `${formatNumber(d, { style: 'unit', unit: 'day', unitDisplay: 'narrow' })} ` : '';
  return `${days}${pad(h)}:${pad(m)}:${pad(s % 60)}`;
}
