import { useEffect, useState, type FormEvent } from 'react';
import type { EventSettings } from '../../../../electron/contract';
import { useEventSettingsQuery, useUpdateEventSettingsMutation } from './events-api';

type Draft = { retentionDays: string; diskLowValue: string; diskLowUnit: EventSettings['diskLowUnit'] };
const FIELD_NAMES: Record<string, string> = { 'input.retentionDays': 'Keep events', 'input.diskLowValue': 'Disk low below' };
/** The station names fields by their API path; say them the way the form labels them. */
const readable = (message: string) => message.replace(/input\.\w+/g, (m) => FIELD_NAMES[m] ?? m);

/** Settings page: how long events and sensor readings are kept, and when free space counts as low. */
export function EventSettingsForm() {
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
    if (!draft.retentionDays.trim() || !Number.isFinite(retentionDays)) return setLocal('Keep events: enter a number of days');
    if (!draft.diskLowValue.trim() || !Number.isFinite(diskLowValue)) return setLocal(`Disk low below: enter a number of ${draft.diskLowUnit === 'GiB' ? 'GiB' : 'percent'}`);
    void update({ retentionDays, diskLowValue, diskLowUnit: draft.diskLowUnit });
  };
  const problem = local ?? (error ? readable('message' in error ? String(error.message) : 'could not save') : null);

  return (
    <form className="form ev-settings" onSubmit={submit} aria-label="Events and alarms settings" noValidate>
      <fieldset>
        <legend>Events and alarms</legend>
        <label className="field">
          <span>Keep events</span>
          <span className="field-inline"><input name="retentionDays" inputMode="numeric" value={draft?.retentionDays ?? ''} onChange={(e) => edit({ retentionDays: e.target.value })} aria-describedby="retention-hint" /> days</span>
        </label>
        <p className="muted field-hint" id="retention-hint">Events, their snapshots and sensor readings older than this are deleted (1–3650 days).</p>
        <label className="field">
          <span>Disk low below</span>
          <span className="field-inline">
            <input name="diskLowValue" inputMode="decimal" value={draft?.diskLowValue ?? ''} onChange={(e) => edit({ diskLowValue: e.target.value })} aria-describedby="disk-hint" />
            <select name="diskLowUnit" aria-label="Unit" value={draft?.diskLowUnit ?? 'GiB'} onChange={(e) => edit({ diskLowUnit: e.target.value as Draft['diskLowUnit'] })}>
              <option value="GiB">GiB free</option>
              <option value="percent">% of the disk free</option>
            </select>
          </span>
        </label>
        <p className="muted field-hint" id="disk-hint">A “Disk low” event is raised when the recordings disk has less free space than this.</p>
      </fieldset>
      <div className="actions">
        <button type="submit" className="primary" disabled={isLoading || !draft}>Save</button>
        {isSuccess && !problem && <span className="ok" role="status">Saved</span>}
        {problem && <span className="error" role="alert">{problem}</span>}
      </div>
    </form>
  );
}
