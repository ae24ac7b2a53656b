import { useEffect, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { useAppDispatch } from '../../app/hooks';
import { useChannelsQuery } from '../live/live-api';
import { useStationClient } from '../../app/client-context';
import { formatTime } from '../../i18n/format';
import { ConfigureDialog } from './ConfigureDialog';
import { DeviceFile } from './DeviceFile';
import { ChannelName, CoverDialog, CoverThumb, DeleteDialog, PasswordDialog } from './DeviceEdit';
import { devicesApi, useDevicesQuery } from './devices-api';
import { ResetPasswordDialog } from './ResetPasswordDialog';
import { RtspCameras } from './RtspCameras';

/** The managed devices; an NVR's channels as a tree, each with its main and sub streams. */
export function DeviceList() {
  const { t } = useTranslation('devices');
  const client = useStationClient();
  const dispatch = useAppDispatch();
  // Refetched on mount: the status may have changed while another page was open.
  const { data: devices = [] } = useDevicesQuery(undefined, { refetchOnMountOrArgChange: true });
  const [dialog, setDialog] = useState<{ kind: 'password' | 'reset' | 'delete'; id: number } | { kind: 'cover'; channelId: number } | null>(null);
  const [open, setOpen] = useState<Set<number>>(new Set());
  const [now, setNow] = useState(Date.now());
  const [picked, setPicked] = useState<Set<number>>(new Set());
  const [configuring, setConfiguring] = useState(false);
  // Kept as data and worded when shown, so a change of language rewords them too.
  const [offline, setOffline] = useState<{ at: number; name: string; online: boolean }[]>([]);
  useEffect(() => client.on('devices.online', (p) => setOffline((o) => [{ at: p.at, name: p.name, online: p.online }, ...o].slice(0, 5))), [client]);
  useEffect(() => client.on('devices.changed', () => { dispatch(devicesApi.util.invalidateTags(['Devices'])); }), [client, dispatch]);
  useEffect(() => { const timer = setInterval(() => setNow(Date.now()), 1000); return () => clearInterval(timer); }, []);
  const { data: channels = [] } = useChannelsQuery();
  const channelName = (id: number) => channels.find((c) => c.id === id)?.name ?? t('list.channelFallback', { id });
  const toggle = (id: number) => setOpen((s) => { const n = new Set(s); if (n.has(id)) n.delete(id); else n.add(id); return n; });

  return (
    <section className="dev-list" aria-labelledby="dev-list-title">
      <h2 id="dev-list-title">{t('list.title')} <span className="muted small">{devices.length}</span></h2>
      <div className="dev-bar">
        <button type="button" disabled={picked.size === 0} onClick={() => setConfiguring(true)}>{picked.size ? t('list.configureCount', { n: picked.size }) : t('list.configure')}</button>
      </div>
      {offline.length > 0 && <ul className="dev-notices" aria-label={t('list.noticesLabel')} aria-live="polite">
        {offline.map((n, i) => <li key={i}>{t(n.online ? 'list.backOnline' : 'list.wentOffline', { time: formatTime(n.at), name: n.name })}</li>)}
      </ul>}
      {devices.length === 0 && <p className="muted">{t('list.empty')}</p>}
      <ul role="tree" aria-label={t('list.treeLabel')}>
        {devices.map((d) => (
          <li key={d.id} role="treeitem" aria-expanded={open.has(d.id)} data-device={d.address} aria-selected={false}>
            <div className="dev-row">
              <input type="checkbox" aria-label={t('list.pick', { name: d.name })} checked={picked.has(d.id)} onChange={() => setPicked((p) => { const n = new Set(p); if (n.has(d.id)) n.delete(d.id); else n.add(d.id); return n; })} />
              <button type="button" className="dev-toggle" onClick={() => toggle(d.id)} aria-label={t(open.has(d.id) ? 'list.collapse' : 'list.expand', { name: d.name })}>{open.has(d.id) ? '▾' : '▸'}</button>
              <span className={`dev-dot st-${d.status}`} aria-hidden="true" />
              <span className="dev-name">{d.name}</span>
              <span className="muted small">{d.vendor} {d.model} · <span className="mono">{d.address}</span> · {t(`list.kind.${d.kind}`)} · {t('list.channelsShort', { n: d.channels.length })}</span>
              <span className="small" data-status={d.status}>
                {d.lockedUntil && d.lockedUntil > now ? t('list.lockedOut', { n: Math.ceil((d.lockedUntil - now) / 1000) }) : t(`deviceStatus.${d.status}`)}
              </span>
              {d.driver !== 'rtsp' && <button type="button" className="secondary" onClick={() => setDialog({ kind: 'password', id: d.id })} aria-label={t('list.passwordLabel', { name: d.name })}>{t('list.password')}</button>}
              {/* A forgotten password, by the device's reserved e-mail: only where the device offers it; without an address, why not. */}
              {d.passwordReset === 'email' && <button type="button" className="secondary" onClick={() => setDialog({ kind: 'reset', id: d.id })} aria-label={t('reset.openLabel', { name: d.name })}>{t('reset.open')}</button>}
              {d.passwordReset === 'noEmail' && <>
                <button type="button" className="secondary" disabled title={t('reset.noEmail')} aria-describedby={`reset-why-${d.id}`}>{t('reset.open')}</button>
                <span id={`reset-why-${d.id}`} className="sr-only">{t('reset.noEmail')}</span>
              </>}
              <button type="button" className="secondary" onClick={() => setDialog({ kind: 'delete', id: d.id })} aria-label={t('list.deleteLabel', { name: d.name })}>{t('list.delete')}</button>
            </div>
            {open.has(d.id) && (
              <ul role="group">
                {d.channels.map((c) => (
                  <li key={c.channelId} role="treeitem" aria-selected={false} className="dev-channel" data-channel={c.deviceChannel} data-cover={c.hasCover ? 'yes' : 'no'}>
                    <CoverThumb channelId={c.channelId} hasCover={c.hasCover} name={c.name} />
                    <ChannelName channelId={c.channelId} name={c.name} />
                    <span className="muted small">{t(c.hasSub ? 'list.streamsMainSub' : 'list.streamsMain')}</span>
                    <button type="button" className="link small" onClick={() => setDialog({ kind: 'cover', channelId: c.channelId })} aria-label={t('cover.title', { name: c.name })}>{t('cover.open')}</button>
                  </li>
                ))}
              </ul>
            )}
          </li>
        ))}
      </ul>
      <RtspCameras deviceChannels={new Set(devices.flatMap((d) => d.channels.map((c) => c.channelId)))} onCover={(channelId) => setDialog({ kind: 'cover', channelId })} />
      <DeviceFile />
      {dialog?.kind === 'password' && devices.some((d) => d.id === dialog.id) && <PasswordDialog device={devices.find((d) => d.id === dialog.id)!} onClose={() => setDialog(null)} />}
      {dialog?.kind === 'reset' && devices.some((d) => d.id === dialog.id) && <ResetPasswordDialog device={devices.find((d) => d.id === dialog.id)!} onClose={() => setDialog(null)} />}
      {dialog?.kind === 'delete' && devices.some((d) => d.id === dialog.id) && <DeleteDialog device={devices.find((d) => d.id === dialog.id)!} onClose={() => setDialog(null)} />}
      {dialog?.kind === 'cover' && <CoverDialog channelId={dialog.channelId} name={channelName(dialog.channelId)} onClose={() => setDialog(null)} />}
      {configuring && <ConfigureDialog devices={devices.filter((d) => picked.has(d.id))} onClose={() => setConfiguring(false)} />}
    </section>
  );
}
