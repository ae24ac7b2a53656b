import { useTranslation } from 'react-i18next';
import type { StorageForecast } from '../../../../electron/contract';
import { formatBytes } from '../../i18n/format';

const PARTS = ['archive', 'locked', 'other', 'free'] as const;

/** The recordings folder's disk in one bar: this archive, locked evidence, other data, free. */
export function DiskBar({ disk }: { disk: StorageForecast['disk'] }) {
  const { t } = useTranslation('storage');
  const bytes = { archive: disk.archiveBytes, locked: disk.lockedBytes, other: disk.otherBytes, free: disk.freeBytes };
  const total = Math.max(1, disk.totalBytes || bytes.archive + bytes.locked + bytes.other + bytes.free);
  const sizes = Object.fromEntries(PARTS.map((p) => [p, formatBytes(bytes[p])]));
  return (
    <div className="st-disk">
      <div className="st-disk-bar" role="img" aria-label={t('disk.label', sizes)}>
        {PARTS.map((p) => <span key={p} className={`st-disk-${p}`} style={{ width: `${(bytes[p] / total) * 100}%` }} data-part={p} />)}
      </div>
      <ul className="st-disk-legend">
        {PARTS.map((p) => (
          <li key={p}><span className={`st-swatch st-disk-${p}`} aria-hidden="true" />{t(`disk.${p}`)} <span className="mono">{sizes[p]}</span></li>
        ))}
        <li className="muted">{t('disk.total', { size: formatBytes(disk.totalBytes) })}</li>
      </ul>
    </div>
  );
}
