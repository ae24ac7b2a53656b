import { useTranslation } from 'react-i18next';
import type { ArchiveLock } from '../../../../electron/contract';
import { ReasonDialog } from '../../ui/ReasonDialog';
import { rangeText } from '../recording/timeline-view';

interface Props {
  lock: ArchiveLock;
  channel: string;
  onUnlock(reason: string): Promise<unknown>;
  onClose(): void;
}

/** Unlocking evidence asks to confirm it and why (kept in the audit trail with the lock's own reason). Escape cancels. */
export function UnlockDialog({ lock, channel, onUnlock, onClose }: Props) {
  const { t } = useTranslation('storage');
  return (
    <ReasonDialog name="unlock-reason" className="st-dialog" danger onSubmit={onUnlock} onClose={onClose} texts={{
      title: t('unlockDialog.title'), scope: t('unlockDialog.scope', { range: rangeText(lock.start, lock.end), channel, reason: lock.reason }),
      label: t('unlockDialog.reason'), placeholder: t('unlockDialog.reasonPlaceholder'), required: t('unlockDialog.reasonRequired'),
      submit: t('unlockDialog.unlock'), cancel: t('unlockDialog.cancel'),
    }} />
  );
}
