// How the storage page words its figures: a channel's state and why, bitrates, days, who did something.
import i18next from 'i18next';
import type { Actor, ChannelRecordingConfig, RecordingStatus } from '../../../../electron/contract';
import { formatNumber } from '../../i18n/format';

export type ChannelStatus = RecordingStatus['channels'][number];
export type ShownState = 'off' | ChannelStatus['state'];

const t = (key: string, o?: Record<string, unknown>) => i18next.t(`storage:${key}`, o ?? {});

/** The state a row shows: a channel with no recorder is off; idle and waiting say what they wait for. */
export function stateOf(config: ChannelRecordingConfig | undefined, status: ChannelStatus | undefined): { state: ShownState; hint: string | null } {
  if (!status || config?.mode === 'off') return { state: 'off', hint: null };
  if (status.state === 'gap') return { state: 'gap', hint: status.gapReason ? t(`stateHints.${status.gapReason}`) : null };
  if (status.state === 'idle') return { state: 'idle', hint: status.mode === 'schedule' ? t('stateHints.idleSchedule') : status.mode === 'event' ? t('stateHints.idleEvent') : null };
  if (status.state === 'waiting') return { state: 'waiting', hint: t('stateHints.waiting') };
  return { state: status.state, hint: null };
}

export const bitrateText = (bps: number): string => t('units.bitrate', { value: formatNumber(bps / 1e6, { maximumFractionDigits: bps < 1e6 ? 2 : 1 }) });

/** Days kept or held; under a day in hours (a busy archive on a small quota). */
export function daysText(days: number | null): string {
  if (days === null) return t('noLimit');
  if (days < 1) return t('units.hours', { formatted: formatNumber(Math.max(0.1, days * 24), { maximumFractionDigits: 1 }) });
  return t('units.days', { count: days, formatted: formatNumber(days, { maximumFractionDigits: 1 }) });
}

export const whoText = (by: Actor | null): string => (by ? t('evidence.who', { user: by.user || '—', client: t(`evidence.clients.${by.client}`) }) : t('evidence.unknownWho'));

export const GIB = 1024 ** 3;
/** Bytes as GiB for a form field (up to two decimals), empty for none. */
export const gibField = (bytes: number | null): string => (bytes === null ? '' : String(Math.round((bytes / GIB) * 100) / 100));

/** A number typed in a form (a comma as decimal mark too), or NaN. */
export function parseNumber(text: string): number {
  const s = text.trim().replace(',', '.');
  return s === '' || !/^-?\d*\.?\d*$/.test(s) ? NaN : Number(s);
}

/** A change refused because someone else changed the same settings since they were read (the page reads them again). */
export function changedMeanwhile(err: unknown): boolean {
  return typeof err === 'object' && err !== null && (err as { reason?: unknown }).reason === 'settings.changedMeanwhile';
}
