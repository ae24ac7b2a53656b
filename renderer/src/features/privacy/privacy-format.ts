import type { ErrorInfo, PrivacyState } from '../../../../electron/contract';

export function errorText(error: unknown): string | null {
  if (!error) return null;
  return typeof error === 'object' && error !== null && 'message' in error ? String((error as ErrorInfo).message) : 'something went wrong';
}

export function formatTime(ms: number | null | undefined): string {
  if (ms === null || ms === undefined) return '—';
  const d = new Date(ms);
  const pad = (n: number) => String(n).padStart(2, '0');
  return `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())} ${pad(d.getHours())}:${pad(d.getMinutes())}:${pad(d.getSeconds())}`;
}

export const PURPOSE_LABEL: Record<string, string> = {
  service_info: 'Service information', account: 'Account', settings_sync: 'Settings sync', consent_record: 'Consent record',
  rights: 'Restriction / objection', data_export: 'Data export', erasure: 'Erasure',
  user_experience_plan: 'User Experience Plan', device_experience_program: 'Device Experience Program',
  alarm_push: 'Alarm push', cloud_storage: 'Cloud storage', device_hosting: 'Device hosting',
};

export function syncText(s: PrivacyState['sync'], now: number): string {
  const n = s.pending;
  const changes = `${n} change${n === 1 ? '' : 's'}`;
  switch (s.state) {
    case 'signed_out': return 'Not signed in — nothing is sent';
    case 'synced': return `Synced ${formatTime(s.lastSyncedAt).slice(11)}`;
    case 'pending': return `${changes} waiting to sync`;
    case 'syncing': return 'Syncing…';
    case 'offline': {
      const wait = s.nextAttemptAt ? Math.max(0, Math.ceil((s.nextAttemptAt - now) / 1000)) : null;
      return `Cloud unreachable — ${changes} saved here${wait !== null ? `, retrying in ${wait} s` : ''}`;
    }
    case 'restricted': return 'Processing restricted — settings kept on this station';
    case 'session_ended': return 'Session ended — log in again to sync';
    case 'error': return `Sync problem: ${s.lastError ?? 'unknown'}`;
  }
}
