import { useState, type FormEvent } from 'react';
import { useTranslation } from 'react-i18next';
import { useAddChannelMutation, useChannelsQuery, useRemoveChannelMutation } from '../live/live-api';
import { ChannelName, CoverThumb, errorText } from './DeviceEdit';

/** Cameras added by RTSP URL (no device behind them): the Live page's add call, here beside the managed devices. */
export function RtspCameras({ deviceChannels, onCover }: { deviceChannels: Set<number>; onCover: (channelId: number) => void }) {
  const { t } = useTranslation('devices');
  const { data: channels = [] } = useChannelsQuery();
  const [add, { isLoading, error, reset }] = useAddChannelMutation();
  const [remove] = useRemoveChannelMutation();
  const [form, setForm] = useState({ name: '', mainUrl: '', subUrl: '' });
  const [adding, setAdding] = useState(false);
  const rtsp = channels.filter((c) => !deviceChannels.has(c.id));
  const submit = (e: FormEvent) => {
    e.preventDefault();
    void add({ name: form.name.trim(), mainUrl: form.mainUrl.trim(), subUrl: form.subUrl.trim() || null }).unwrap()
      .then(() => { setForm({ name: '', mainUrl: '', subUrl: '' }); setAdding(false); }).catch(() => undefined);
  };
  const field = (key: keyof typeof form) => (
    <label className="field-stack">{t(`rtsp.${key}`)}
      <input name={key} value={form[key]} placeholder={t(`rtsp.${key}Placeholder`)} spellCheck={false} autoComplete="off" onChange={(e) => setForm({ ...form, [key]: e.target.value })} />
    </label>
  );
  return (
    <section className="dev-rtsp" aria-labelledby="dev-rtsp-title">
      <h2 id="dev-rtsp-title">{t('rtsp.title')} <span className="muted small">{rtsp.length}</span>
        <button type="button" className="secondary small" aria-expanded={adding} onClick={() => { reset(); setAdding((a) => !a); }}>{t('rtsp.addToggle')}</button>
      </h2>
      {adding && (
        <form className="dev-form dev-rtsp-form" onSubmit={submit} aria-label={t('rtsp.formLabel')}>
          {field('name')}
          {field('mainUrl')}
          {field('subUrl')}
          {error && <p className="bad small" role="alert">{errorText(error, t('rtsp.couldNotAdd'))}</p>}
          <div className="actions">
            <button type="submit" className="primary" disabled={isLoading || !form.name.trim() || !form.mainUrl.trim()}>{t('rtsp.addCamera')}</button>
            <button type="button" className="secondary" onClick={() => setAdding(false)}>{t('common:cancel')}</button>
          </div>
          <p className="muted small">{t('rtsp.passwordNote')}</p>
        </form>
      )}
      <ul aria-label={t('rtsp.title')}>
        {rtsp.map((c) => (
          <li key={c.id} className="dev-channel" data-rtsp={c.id}>
            <CoverThumb channelId={c.id} name={c.name} />
            <ChannelName channelId={c.id} name={c.name} />
            <span className="muted small mono">{c.mainUrl}</span>
            <button type="button" className="link small" onClick={() => onCover(c.id)} aria-label={t('cover.title', { name: c.name })}>{t('cover.open')}</button>
            <button type="button" className="link small" onClick={() => { if (window.confirm(t('rtsp.removeConfirm', { name: c.name }))) void remove(c.id); }} aria-label={t('rtsp.removeLabel', { name: c.name })}>{t('rtsp.remove')}</button>
          </li>
        ))}
      </ul>
    </section>
  );
}
