import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { useChannelsQuery, useRemoveChannelMutation } from '../live/live-api';
import { ChannelName, CoverThumb } from './DeviceEdit';
import { RtspCameraForm } from './RtspCameraForm';

/** Cameras added by RTSP URL (no device behind them): the Live page's add form, here beside the managed devices. */
export function RtspCameras({ deviceChannels, onCover }: { deviceChannels: Set<number>; onCover: (channelId: number) => void }) {
  const { t } = useTranslation('devices');
  const { data: channels = [] } = useChannelsQuery();
  const [remove] = useRemoveChannelMutation();
  const [adding, setAdding] = useState(false);
  const rtsp = channels.filter((c) => !deviceChannels.has(c.id) && !c.site);
  return (
    <section className="dev-rtsp" aria-labelledby="dev-rtsp-title">
      <h2 id="dev-rtsp-title">{t('rtsp.title')} <span className="muted small">{rtsp.length}</span>
        <button type="button" className="secondary small" aria-expanded={adding} onClick={() => setAdding((a) => !a)}>{t('rtsp.addToggle')}</button>
      </h2>
      {adding && <RtspCameraForm className="dev-rtsp-form" onDone={() => setAdding(false)} />}
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
