import i18next from 'i18next';
import type { PrivacyState, TransmissionPurpose } from '../../../../electron/contract';
import { errorText as stationErrorText } from '../../i18n/errors';
import { formatDateTime, formatNumber, formatTime } from '../../i18n/format';

/** A failed call's refusal in the chosen language, or null when there is none. */
export function errorText(error: unknown): string | null {
  if (!error) return null;
  return typeof error === 'object' ? stationErrorText(error) : i18next.t('privacy:somethingWrong');
}

/** A moment in a list or table: short date and time with seconds, in the chosen language and the station's time zone. */
export function formatStamp(ms: number | null | undefined): string {
  if (ms === null || ms === undefined || Number.isNaN(ms)) return '—';
  return formatDateTime(ms, { dateStyle: 'short', timeStyle: 'medium' });
}

/** What each ledger row's request was for, in the chosen language. */
export const purposeLabel = (p: TransmissionPurpose): string => i18next.t(`privacy:ledgerPurposes.${p}`);

export function syncText(s: PrivacyState['sync'], now: number): string {
  const count = s.pending;
  switch (s.state) {
    case 'signed_out': return i18next.t('privacy:sync.signedOut');
    case 'synced': return i18next.t('privacy:sync.synced', { time: s.lastSyncedAt === null ? '—' : formatTime(s.lastSyncedAt) });
    case 'pending': return i18next.t('privacy:sync.pending', { count });
    case 'syncing': return i18next.t('privacy:sync.syncing');
    case 'offline': {
      const wait = s.nextAttemptAt ? Math.max(0, Math.ceil((s.nextAttemptAt - now) / 1000)) : null;
      return wait !== null
        ? i18next.t('privacy:sync.offlineRetry', { count, seconds: formatNumber(wait) })
        : i18next.t('privacy:sync.offline', { count });
    }
    case 'restricted': return i18next.t('privacy:sync.restricted');
    case 'session_ended': return i18next.t('privacy:sync.sessionEnded');
    case 'error': return i18next.t('privacy:sync.error', { error: s.lastError ?? i18next.t('privacy:sync.unknownError') });
  }
}
