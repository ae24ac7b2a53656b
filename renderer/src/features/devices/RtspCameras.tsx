import { useState, type FormEvent } from 'react';
import { useAddChannelMutation, useChannelsQuery, useRemoveChannelMutation } from '../live/live-api';
import { ChannelName, CoverThumb, errorText } from './DeviceEdit';

/** Cameras added by RTSP URL (no device behind them): the Live page's add call, here beside the managed devices. */
export function RtspCameras({ deviceChannels, onCover }: { deviceChannels: Set<number>; onCover: (channelId: number) => void }) {
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
  const field = (key: keyof typeof form, label: string, placeholder: string) => (
    <label className="field-stack">{label}
      <input name={key} value={form[key]} placeholder={placeholder} spellCheck={false} autoComplete="off" onChange={(e) => setForm({ ...form, [key]: e.target.value })} />
    </label>
  );
  return (
    <section className="dev-rtsp" aria-labelledby="dev-rtsp-title">
      <h2 id="dev-rtsp-title">Cameras by RTSP URL <span className="muted small">{rtsp.length}</span>
        <button type="button" className="secondary small" aria-expanded={adding} onClick={() => { reset(); setAdding((a) => !a); }}>Add by RTSP URL</button>
      </h2>
      {adding && (
        <form className="dev-form dev-rtsp-form" onSubmit={submit} aria-label="Add a camera by RTSP URL">
          {field('name', 'Name', 'Lobby')}
          {field('mainUrl', 'Main stream URL', 'rtsp://user:password@host:554/…')}
          {field('subUrl', 'Sub stream URL (optional)', 'rtsp://…')}
          {error && <p className="bad small" role="alert">{errorText(error, 'could not add')}</p>}
          <div className="actions">
            <button type="submit" className="primary" disabled={isLoading || !form.name.trim() || !form.mainUrl.trim()}>Add camera</button>
            <button type="button" className="secondary" onClick={() => setAdding(false)}>Cancel</button>
          </div>
          <p className="muted small">The password in the URL is kept encrypted by the station and never shown again.</p>
        </form>
      )}
      <ul aria-label="Cameras by RTSP URL">
        {rtsp.map((c) => (
          <li key={c.id} className="dev-channel" data-rtsp={c.id}>
            <CoverThumb channelId={c.id} name={c.name} />
            <ChannelName channelId={c.id} name={c.name} />
            <span className="muted small mono">{c.mainUrl}</span>
            <button type="button" className="link small" onClick={() => onCover(c.id)} aria-label={`Cover image of ${c.name}`}>Cover…</button>
            <button type="button" className="link small" onClick={() => { if (window.confirm(`Remove ${c.name}? Its recordings stay.`)) void remove(c.id); }} aria-label={`Remove ${c.name}`}>Remove</button>
          </li>
        ))}
      </ul>
    </section>
  );
}
