import { useState, type FormEvent } from 'react';
import { useTranslation } from 'react-i18next';
import type { EventSourceConfig } from '../../../../electron/contract';
import { errorText } from '../../i18n/errors';
import { useChannelsQuery } from '../live/live-api';
import { useAddEventSourceMutation, useEventSourcesQuery, useRemoveEventSourceMutation } from './events-api';

type Driver = EventSourceConfig['driver'];
/** One row of the channel map: the device's channel number and the station channel its events belong to. */
type MapRow = { device: string; channelId: string };
type Draft = { driver: Driver; url: string; username: string; password: string; map: MapRow[] };
const STATE_DOT: Record<EventSourceConfig['state'], string> = { connected: 'ok-dot', connecting: 'warn-dot', error: 'bad-dot' };
const blank = (): Draft => ({ driver: 'onvif', url: '', username: 'admin', password: '', map: [{ device: '1', channelId: '' }] });

/**
 * Event sources that are not cameras the station added: an alarm box, an NVR's event stream, a camera watched
 * only for its events. Each maps the device's channel numbers to station channels; its state shows live.
 */
export function EventSourcesPanel() {
  const { t } = useTranslation('events');
  const { data: sources = [] } = useEventSourcesQuery(undefined, { pollingInterval: 3000 });
  const { data: channels = [] } = useChannelsQuery();
  const [add, { error, isLoading, reset }] = useAddEventSourceMutation();
  const [remove] = useRemoveEventSourceMutation();
  const [draft, setDraft] = useState<Draft | null>(null);
  const [local, setLocal] = useState<string | null>(null);
  const channelName = (id: number) => channels.find((c) => c.id === id)?.name ?? t('channelFallback', { id });
  const edit = (patch: Partial<Draft>) => {
    reset();
    setLocal(null);
    setDraft((d) => (d ? { ...d, ...patch } : d));
  };
  const editRow = (i: number, patch: Partial<MapRow>) => draft && edit({ map: draft.map.map((r, j) => (j === i ? { ...r, ...patch } : r)) });

  const submit = async (e: FormEvent) => {
    e.preventDefault();
    if (!draft) return;
    const rows = draft.map.filter((r) => r.device.trim() || r.channelId);
    if (rows.length === 0) return setLocal(t('sources.problems.noMap'));
    if (rows.some((r) => !/^[1-9]\d{0,3}$/.test(r.device.trim()))) return setLocal(t('sources.problems.deviceChannel'));
    if (rows.some((r) => !r.channelId)) return setLocal(t('sources.problems.stationChannel'));
    const channelMap = Object.fromEntries(rows.map((r) => [r.device.trim(), Number(r.channelId)]));
    const r = await add({ driver: draft.driver, url: draft.url.trim(), username: draft.username, password: draft.password, channelMap });
    if ('data' in r) setDraft(null);
  };
  const problem = local ?? (error ? errorText(error) : null);

  return (
    <section className="ev-sources" aria-label={t('sources.label')}>
      <p className="muted">{t('sources.hint')}</p>
      {sources.length === 0 ? <p className="muted" data-empty>{t('sources.empty')}</p> : (
        <table className="table" aria-label={t('sources.label')}>
          <thead><tr>
            <th scope="col">{t('sources.columns.state')}</th><th scope="col">{t('sources.columns.driver')}</th>
            <th scope="col">{t('sources.columns.url')}</th><th scope="col">{t('sources.columns.user')}</th>
            <th scope="col">{t('sources.columns.channels')}</th><th scope="col"><span className="sr-only">{t('sources.columns.actions')}</span></th>
          </tr></thead>
          <tbody>
            {sources.map((s) => (
              <tr key={s.id} data-source-id={s.id} data-state={s.state}>
                <td><span className={STATE_DOT[s.state]} aria-hidden /> {t(`sources.states.${s.state}`)}{s.error && <span className="muted"> · {s.error}</span>}</td>
                <td>{t(`sources.drivers.${s.driver}`)}</td>
                <td className="mono">{s.url}</td>
                <td>{s.username}</td>
                <td>{Object.entries(s.channelMap).map(([n, id]) => t('sources.mapEntry', { device: n, channel: channelName(id) })).join(', ')}</td>
                <td><button type="button" onClick={() => { if (window.confirm(t('sources.confirmRemove', { url: s.url }))) void remove(s.id); }}
                  aria-label={t('sources.removeLabel', { url: s.url })}>{t('sources.remove')}</button></td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      {draft === null ? <button type="button" data-action="new-source" onClick={() => { setLocal(null); reset(); setDraft(blank()); }}>{t('sources.add')}</button> : (
        <form className="ev-rule-form panel" onSubmit={submit} aria-label={t('sources.formLabel')} noValidate>
          <label className="field"><span>{t('sources.form.driver')}</span>
            <select name="driver" value={draft.driver} onChange={(e) => edit({ driver: e.target.value as Driver })}>
              <option value="onvif">{t('sources.drivers.onvif')}</option>
              <option value="dahua">{t('sources.drivers.dahua')}</option>
            </select>
          </label>
          <label className="field"><span>{t('sources.form.url')}</span>
            <input name="url" value={draft.url} onChange={(e) => edit({ url: e.target.value })} placeholder={t(`sources.form.urlPlaceholder.${draft.driver}`)} />
          </label>
          <label className="field"><span>{t('sources.form.username')}</span><input name="username" autoComplete="off" value={draft.username} onChange={(e) => edit({ username: e.target.value })} /></label>
          <label className="field"><span>{t('sources.form.password')}</span><input name="password" type="password" autoComplete="new-password" value={draft.password} onChange={(e) => edit({ password: e.target.value })} /></label>
          <fieldset><legend>{t('sources.form.map')}</legend>
            {draft.map.map((r, i) => (
              <span key={i} className="field-inline">
                <input name={`device-channel-${i}`} inputMode="numeric" size={4} aria-label={t('sources.form.deviceChannel')} value={r.device} onChange={(e) => editRow(i, { device: e.target.value })} />
                →
                <select name={`station-channel-${i}`} aria-label={t('sources.form.stationChannel')} value={r.channelId} onChange={(e) => editRow(i, { channelId: e.target.value })}>
                  <option value="">{t('sources.form.pickChannel')}</option>
                  {channels.map((c) => <option key={c.id} value={c.id}>{c.name}</option>)}
                </select>
              </span>
            ))}
            <button type="button" onClick={() => edit({ map: [...draft.map, { device: String(draft.map.length + 1), channelId: '' }] })}>{t('sources.form.addRow')}</button>
          </fieldset>
          {problem && <p className="error" role="alert">{problem}</p>}
          <div className="ev-form-buttons">
            <button type="submit" className="primary" disabled={isLoading}>{t('sources.form.save')}</button>
            <button type="button" onClick={() => setDraft(null)}>{t('common:cancel')}</button>
          </div>
        </form>
      )}
    </section>
  );
}
