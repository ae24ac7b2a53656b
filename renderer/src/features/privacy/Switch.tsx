import { useTranslation } from 'react-i18next';

/** An on/off switch that is a real button: Tab reaches it, Space or Enter flips it, screen readers hear its state. */
export function Switch({ checked, label, onChange, disabled, describedBy, testId }: {
  checked: boolean;
  label: string;
  onChange: (next: boolean) => void;
  disabled?: boolean;
  describedBy?: string;
  testId?: string;
}) {
  const { t } = useTranslation('privacy');
  return (
    <button type="button" role="switch" aria-checked={checked} aria-label={label} aria-describedby={describedBy}
      className={checked ? 'switch on' : 'switch'} disabled={disabled} onClick={() => onChange(!checked)} data-testid={testId}>
      <span className="switch-knob" aria-hidden="true" />
      <span className="switch-text" aria-hidden="true">{checked ? t('switch.on') : t('switch.off')}</span>
    </button>
  );
}
