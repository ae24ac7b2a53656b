import { useTranslation } from 'react-i18next';
import { ReasonDialog } from '../../ui/ReasonDialog';
import { rangeText } from './timeline-view';

/** The reason for an evidence lock: required, kept with the lock in the audit trail. Escape cancels. */
export function LockDialog({ from, to, onLock, onClose }: { from: number; to: number; onLock(reason: string): Promise<void>; onClose(): void }) {
  const { t } = useTranslation('recording');
  return (
    <ReasonDialog name="lock-reason" onSubmit={onLock} onClose={onClose} texts={{
      title: t('lockDialog.title'), scope: t('lockDialog.scope', { range: rangeText(from, to) }), label: t('lockDialog.reason'),
      placeholder: t('lockDialog.reasonPlaceholder'), required: t('lockDialog.reasonRequired'), submit: t('lockDialog.lock'), cancel: t('lockDialog.cancel'),
    }} />
  );
}
