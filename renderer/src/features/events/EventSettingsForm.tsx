import { useEffect, useState, type FormEvent } from 'react';
import { useTranslation } from 'react-i18next';
import type { EventSettings } from '../../../../electron/contract';
import { errorText } from '../../i18n/errors';
import { useEventSettingsQuery, useUpdateEventSettingsMutation } from './events-api';

type Draft = { retentionDays: string; diskLowValue: string; diskLowUnit: EventSettings['diskLowUnit'] };

/** Settings page: how long events and sensor readings are kept, and when free space counts as low. */
export function EventSettingsForm() {
  const { t } = useTranslation('events');
  const { data } = useEventSettingsQuery();
  const [update, { isLoading, error, isSuccess, reset }] = useUpdateEventSettingsMutation();
  const [draft, setDraft] = useState<Draft | null>(null);
  const [local, setLocal] = useState<string | null>(null);
  useEffect(() => {
    if (data) setDraft({ retentionDays: String(data.retentionDays), diskLowValue: String(data.diskLowValue), diskLowUnit: data.diskLowUnit });
  }, [data]);
  const edit = (patch: Partial<Draft>) => {
    reset();
    setLocal(null);
    setDraft((d) => (d ? { ...d, ...patch } : d));
  };
  const submit = (e: FormEvent) => {
    e.preventDefault();
    if (!draft) return;
    const retentionDays = Number(draft.retentionDays.trim());
    const diskLowValue = Number(draft.diskLowValue.trim());
    if (!draft.retentionDays.trim() || !Number.isFinite(retentionDays)) return setLocal(t('settingsForm.errors.retentionNumber'));
    if (!draft.diskLowValue.trim() || !Number.isFinite(diskLowValue)) return setLocal(t(draft.diskLowUnit === 'GiB' ? 'settingsForm.errors.diskLowGiB' : 'settingsForm.errors.diskLowPercent'));
    void update({ retentionDays, diskLowValue, diskLowUnit: draft.diskLowUnit });
  };
  const problem = local ?? (error ? errorText(error) : null);

  return (
    <form className="form ev-settings" onSubmit={submit} aria-label={t('settingsForm.formLabel')} noValidate>
      <fieldset>
        <legend>{t('settingsForm.legend')}</legend>
        <label className="field">
          <span>{t('settingsForm.keepEvents')}</span>
          <span className="field-inline"><input name="retentionDays" inputMode="numeric" value={draft?.retentionDays ?? ''} onChange={(e) => edit({ retentionDays: e.target.value })} aria-describedby="retention-hint" /> {t('settingsForm.days')}</span>
        </label>
        <p className="muted field-hint" id="retention-hint">{t('settingsForm.retentionHint')}</p>
        <label className="field">
          <span>{t('settingsForm.diskLowBelow')}</span>
          <span className="field-inline">
            <input name="diskLowValue" inputMode="decimal" value={draft?.diskLowValue ?? ''} onChange={(e) => edit({ diskLowValue: e.target.value })} aria-describedby="disk-hint" />
            <select name="diskLowUnit" aria-label={t('settingsForm.unit')} value={draft?.diskLowUnit ?? 'GiB'} onChange={(e) => edit({ diskLowUnit: e.target.value as Draft['diskLowUnit'] })}>
              <option value="GiB">{t('settingsForm.gibFree')}</option>
              <option value="percent">{t('settingsForm.percentFree')}</option>
            </select>
          </span>
        </label>
        <p className="muted field-hint" id="disk-hint">{t('settingsForm.diskLowHint', { type: t('types.disk_low') })}</p>
      </fieldset>
      <div className="actions">
        <button type="submit" className="primary" disabled={isLoading || !draft}>{t('common:save')}</button>
        {isSuccess && !problem && <span className="ok" role="status">{t('common:saved')}</span>}
        {problem && <span className="error" role="alert">{problem}</span>}
      </div>
    </form>
  );
}
