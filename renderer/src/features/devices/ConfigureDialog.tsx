import { useEffect, useState, type FormEvent } from 'react';
import { useTranslation } from 'react-i18next';
import type { CallOutput, Device } from '../../../../electron/contract';
import { useConfigureMutation, useLazyDeviceTimeQuery } from './devices-api';
import { errorText } from '../../i18n/errors';

type Row = { ip: string; name: string; dhcp: boolean };

/** Batch configuration of managed devices: new IP and name per device, one time zone (POSIX TZ with DST) for all; a result per device. */
export function ConfigureDialog({ devices, onClose }: { devices: Device[]; onClose: () => void }) {
  const { t } = useTranslation('devices');
  const [configure, { isLoading }] = useConfigureMutation();
  const [readTime, time] = useLazyDeviceTimeQuery();
  const [rows, setRows] = useState<Record<number, Row>>(() => Object.fromEntries(devices.map((d) => [d.id, { ip: d.address, name: d.name, dhcp: false }])));
  const [setTz, setSetTz] = useState(false);
  const [tz, setTzText] = useState('CET-1CEST,M3.5.0,M10.5.0/3');
  const [dst, setDst] = useState(true);
  const [mode, setMode] = useState<'ntp' | 'pc'>('pc');
  const [results, setResults] = useState<CallOutput<'devices.configure'>>([]);
  const [failure, setFailure] = useState('');
  // Devices someone else changed since this dialog read them: their rows show the current name and address once read again.
  const [stale, setStale] = useState<Set<number>>(new Set());
  useEffect(() => {
    if (stale.size === 0) return;
    setRows((r) => ({ ...r, ...Object.fromEntries(devices.filter((d) => stale.has(d.id)).map((d) => [d.id, { ip: d.address, name: d.name, dhcp: false }])) }));
  }, [devices, stale]);

  const submit = (e: FormEvent) => {
    e.preventDefault();
    setFailure('');
    const changes = devices.map((d) => {
      const r = rows[d.id]!;
      return { id: d.id, seen: { name: d.name, address: d.address }, ...(r.dhcp ? { ip: 'dhcp' } : r.ip.trim() && r.ip.trim() !== d.address ? { ip: r.ip.trim() } : {}), ...(r.name.trim() && r.name.trim() !== d.name ? { name: r.name.trim() } : {}) };
    });
    void configure({ changes, ...(setTz ? { time: { tz: tz.trim(), dst, mode } } : {}) }).unwrap()
      .then((res) => {
        setResults(res);
        setStale(new Set(res.filter((x) => x.error?.reason === 'settings.changedMeanwhile').map((x) => x.id)));
      })
      .catch((err: unknown) => setFailure(errorText(err)));
  };
  const edit = <K extends keyof Row>(id: number, k: K, v: Row[K]) => setRows((r) => ({ ...r, [id]: { ...r[id]!, [k]: v } }));

  return (
    <div className="dev-dialog" role="dialog" aria-modal="true" aria-labelledby="configure-title">
      <h2 id="configure-title">{t('configure.title', { count: devices.length })}</h2>
      <form onSubmit={submit} className="dev-form">
        <table className="table">
          <thead><tr><th>{t('configure.device')}</th><th>{t('configure.ipAddress')}</th><th>{t('configure.name')}</th><th>{t('configure.result')}</th></tr></thead>
          <tbody>
            {devices.map((d) => {
              const r = results.find((x) => x.id === d.id);
              return (
                <tr key={d.id} data-configure={d.id}>
                  <td className="mono">{d.address}</td>
                  <td>
                    <input aria-label={t('configure.newIpFor', { address: d.address })} value={rows[d.id]!.ip} disabled={rows[d.id]!.dhcp} onChange={(e) => edit(d.id, 'ip', e.target.value)} />{' '}
                    <label className="small"><input type="checkbox" aria-label={t('configure.dhcpFor', { address: d.address })} checked={rows[d.id]!.dhcp} onChange={(e) => edit(d.id, 'dhcp', e.target.checked)} /> {t('configure.dhcp')}</label>
                  </td>
                  <td><input aria-label={t('configure.nameFor', { address: d.address })} value={rows[d.id]!.name} onChange={(e) => edit(d.id, 'name', e.target.value)} /></td>
                  <td data-result={r ? (r.ok ? 'ok' : 'failed') : ''}>{r ? (r.ok ? <span className="ok">{t('configure.done')}</span> : <span className="bad">{r.error ? errorText(r.error) : r.reason}</span>) : ''}</td>
                </tr>
              );
            })}
          </tbody>
        </table>
        <label><input type="checkbox" checked={setTz} onChange={(e) => setSetTz(e.target.checked)} /> {t('configure.setTimeZone')}</label>
        {setTz && (
          <div className="dev-form-row">
            <label className="field-stack">{t('configure.posixTz')}<input name="tz" value={tz} onChange={(e) => setTzText(e.target.value)} /></label>
            <label><input type="checkbox" checked={dst} onChange={(e) => setDst(e.target.checked)} /> {t('configure.daylightSaving')}</label>
            <label className="field-stack">{t('configure.clock')}
              <select value={mode} onChange={(e) => setMode(e.target.value as 'ntp' | 'pc')}><option value="pc">{t('configure.syncToPc')}</option><option value="ntp">{t('configure.ntp')}</option></select>
            </label>
          </div>
        )}
        {devices.length === 1 && (
          <div className="small">
            <button type="button" onClick={() => void readTime(devices[0]!.id)}>{t('configure.readTimeZone')}</button>{' '}
            {time.data && <span data-testid="device-tz" className="mono">{time.data.tz} {time.data.dst ? t('configure.dstMark') : ''} {t(`configure.timeMode.${time.data.mode}`)}</span>}
            {time.error && <span className="bad">{errorText(time.error)}</span>}
          </div>
        )}
        {failure && <span className="error" role="alert">{failure}</span>}
        <div className="actions">
          <button type="submit" className="primary" disabled={isLoading}>{isLoading ? t('configure.applying') : t('configure.apply')}</button>
          <button type="button" className="secondary" onClick={onClose}>{t('common:close')}</button>
        </div>
      </form>
    </div>
  );
}
