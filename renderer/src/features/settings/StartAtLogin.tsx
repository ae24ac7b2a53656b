import { useEffect, useState } from 'react';
import { useTranslation } from 'react-i18next';
import type { DesktopBridge } from '../../../../electron/contract';

/** The desktop app only: whether Watchpost starts when the person logs in (the OS keeps it, not the station). */
export function StartAtLogin({ desktop }: { desktop: DesktopBridge }) {
  const { t } = useTranslation('desktop');
  const [on, setOn] = useState<boolean | null>(null);
  const [error, setError] = useState<string | null>(null);
  useEffect(() => {
    void desktop.request('openAtLogin', {}).then((r) => setOn(r.ok ? r.value : false));
  }, [desktop]);

  const change = async (open: boolean) => {
    setError(null);
    const r = await desktop.request('setOpenAtLogin', { open });
    if (r.ok) setOn(r.value);
    else setError(t('startAtLogin.failed', { message: r.error.message }));
  };

  return (
    <fieldset>
      <legend>{t('startAtLogin.legend')}</legend>
      <label className="ev-check">
        <input type="checkbox" name="openAtLogin" checked={on ?? false} disabled={on === null} onChange={(e) => void change(e.target.checked)} />
        {t('startAtLogin.label')}
      </label>
      {error && <span className="error" role="alert">{error}</span>}
    </fieldset>
  );
}
