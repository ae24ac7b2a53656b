import { useEffect, useMemo, useState, type FormEvent } from 'react';
import { useTranslation } from 'react-i18next';
import type { DiscoveredDevice } from '../../../../electron/contract';
import { useStationClient } from '../../app/client-context';
import { ActivationDialog } from './ActivationDialog';
import { DeviceList } from './DeviceList';
import { useAddDeviceMutation, useInterfacesQuery, useScanMutation, useScanResultsQuery } from './devices-api';

type SortKey = 'status' | 'model' | 'vendor' | 'address' | 'mac' | 'serial' | 'firmware' | 'httpPort' | 'channels';
// Column headers and status words come from the catalogue: columns.<key>, scanStatus.<status>.
const COLUMNS: SortKey[] = ['status', 'model', 'vendor', 'address', 'mac', 'serial', 'firmware', 'httpPort', 'channels'];

export function DevicesPage() {
  const { t } = useTranslation('devices');
  const client = useStationClient();
  const { data: initial } = useScanResultsQuery();
  const [rows, setRows] = useState<Map<string, DiscoveredDevice>>(new Map());
  const [scan, { isLoading: scanning, error: scanError }] = useScanMutation();
  const [selected, setSelected] = useState<Set<string>>(new Set());
  const [filter, setFilter] = useState('');
  const [sort, setSort] = useState<{ key: SortKey; dir: 1 | -1 }>({ key: 'address', dir: 1 });
  const [activating, setActivating] = useState<DiscoveredDevice[] | null>(null);
  const { data: interfaces = [] } = useInterfacesQuery();
  // Unticked interfaces are left out of the scan; by default every IPv4 interface is probed.
  const [skipped, setSkipped] = useState<Set<string>>(new Set());
  const scanInterfaces = skipped.size ? interfaces.filter((i) => !skipped.has(i.address)).map((i) => i.address) : undefined;

  useEffect(() => { if (initial) setRows(new Map(initial.map((d) => [d.key, d]))); }, [initial]);
  // Each reply of a running scan updates its row at once.
  useEffect(() => client.on('devices.discovered', (d) => setRows((m) => new Map(m).set(d.key, d))), [client]);

  const list = useMemo(() => {
    const f = filter.trim().toLowerCase();
    const cmp = (a: DiscoveredDevice, b: DiscoveredDevice) => {
      const x = a[sort.key] ?? '';
      const y = b[sort.key] ?? '';
      return (typeof x === 'number' && typeof y === 'number' ? x - y : String(x).localeCompare(String(y), 'en', { numeric: true })) * sort.dir;
    };
    return [...rows.values()]
      .filter((d) => !f || [d.status, t(`scanStatus.${d.status}`), d.model, d.vendor, d.address, d.mac, d.serial, d.firmware, d.name].some((v) => v.toLowerCase().includes(f)))
      .sort(cmp);
  }, [rows, filter, sort, t]);

  const toggle = (key: string) => setSelected((s) => { const n = new Set(s); if (n.has(key)) n.delete(key); else n.add(key); return n; });
  const allSelected = list.length > 0 && list.every((d) => selected.has(d.key));
  const picked = list.filter((d) => selected.has(d.key));
  const uninit = picked.filter((d) => d.status === 'uninitialised');

  return (
    <section className="page dev-page" aria-labelledby="page-title">
      <header className="page-head">
        <h1 id="page-title" tabIndex={-1}>{t('title')}</h1>
        <span className="muted small" role="status">{scanning ? t('scan.scanning') : t('scan.found', { count: rows.size })}</span>
      </header>
      <div className="dev-bar">
        <button type="button" className="primary" onClick={() => void scan(scanInterfaces ? { interfaces: scanInterfaces } : {})} disabled={scanning || (interfaces.length > 0 && scanInterfaces?.length === 0)}>{t('scan.scanLan')}</button>
        <details className="dev-ifaces">
          <summary>{t('scan.interfaces', { on: interfaces.length - skipped.size, total: interfaces.length })}</summary>
          {interfaces.map((i) => (
            <label key={i.name + i.address} className="small">
              <input type="checkbox" checked={!skipped.has(i.address)} onChange={() => setSkipped((s) => { const n = new Set(s); if (n.has(i.address)) n.delete(i.address); else n.add(i.address); return n; })} />
              {' '}{i.name} <span className="mono">{i.address}</span>
            </label>
          ))}
        </details>
        <input aria-label={t('scan.filterLabel')} placeholder={t('scan.filterPlaceholder')} value={filter} onChange={(e) => setFilter(e.target.value)} />
        <button type="button" disabled={uninit.length === 0} onClick={() => setActivating(uninit)}>{uninit.length ? t('scan.activateCount', { n: uninit.length }) : t('scan.activate')}</button>
        {scanError && <span className="error" role="alert">{'message' in scanError ? String(scanError.message) : t('scan.failed')}</span>}
      </div>
      <div className="table-wrap">
        <table className="table dev-scan" aria-label={t('scan.tableLabel')}>
          <thead>
            <tr>
              <th><input type="checkbox" aria-label={t('scan.selectAll')} checked={allSelected} onChange={() => setSelected(allSelected ? new Set() : new Set(list.map((d) => d.key)))} /></th>
              {COLUMNS.map((k) => (
                <th key={k} aria-sort={sort.key === k ? (sort.dir === 1 ? 'ascending' : 'descending') : 'none'}>
                  <button type="button" className="th-sort" onClick={() => setSort((s) => ({ key: k, dir: s.key === k ? (-s.dir as 1 | -1) : 1 }))}>
                    {t(`columns.${k}`)}{sort.key === k ? (sort.dir === 1 ? ' ▲' : ' ▼') : ''}
                  </button>
                </th>
              ))}
              <th />
            </tr>
          </thead>
          <tbody>
            {list.map((d) => (
              <tr key={d.key} data-address={d.address} data-status={d.status} className={selected.has(d.key) ? 'sel' : ''}>
                <td><input type="checkbox" aria-label={t('scan.select', { address: d.address })} checked={selected.has(d.key)} onChange={() => toggle(d.key)} /></td>
                <td><span className={`dev-status st-${d.status}`}>{t(`scanStatus.${d.status}`)}</span></td>
                <td data-col="model">{d.model}</td>
                <td data-col="vendor">{d.vendor}</td>
                <td className="mono" data-col="ip">{d.address}</td>
                <td className="mono" data-col="mac">{d.mac}</td>
                <td className="mono" data-col="serial">{d.serial}</td>
                <td className="mono" data-col="firmware">{d.firmware}</td>
                <td className="mono" data-col="ports">{d.httpPort}{d.rtspPort ? `/${d.rtspPort}` : ''}</td>
                <td className="num" data-col="channels">{d.channels ?? ''}</td>
                <td>{d.status === 'initialised' && <AddFromScan device={d} />}</td>
              </tr>
            ))}
            {list.length === 0 && <tr><td colSpan={11} className="muted">{t('scan.empty')}</td></tr>}
          </tbody>
        </table>
      </div>
      <AddByAddress />
      <DeviceList />
      {activating && <ActivationDialog targets={activating} onClose={() => setActivating(null)} />}
    </section>
  );
}

function AddFromScan({ device }: { device: DiscoveredDevice }) {
  const { t } = useTranslation('devices');
  const [open, setOpen] = useState(false);
  if (!open) return <button type="button" onClick={() => setOpen(true)} aria-label={t('scan.addLabel', { address: device.address })}>{t('scan.add')}</button>;
  return <CredentialsForm address={device.address} httpPort={device.httpPort} onDone={() => setOpen(false)} />;
}

function AddByAddress() {
  const { t } = useTranslation('devices');
  const [address, setAddress] = useState('');
  const [port, setPort] = useState('80');
  return (
    <details className="dev-add">
      <summary>{t('addByAddress.summary')}</summary>
      <div className="dev-form-row">
        <label className="field-stack">{t('addByAddress.ip')}<input name="address" value={address} onChange={(e) => setAddress(e.target.value)} /></label>
        <label className="field-stack">{t('addByAddress.httpPort')}<input name="port" value={port} inputMode="numeric" onChange={(e) => setPort(e.target.value)} /></label>
      </div>
      <CredentialsForm address={address} httpPort={Number(port) || 80} />
    </details>
  );
}

function CredentialsForm({ address, httpPort, onDone }: { address: string; httpPort: number; onDone?: () => void }) {
  const { t } = useTranslation('devices');
  const [add, { isLoading, error, reset }] = useAddDeviceMutation();
  const [username, setUsername] = useState('admin');
  const [password, setPassword] = useState('');
  const submit = (e: FormEvent) => {
    e.preventDefault();
    void add({ address, httpPort, username, password }).unwrap().then(() => { setPassword(''); onDone?.(); }).catch(() => undefined);
  };
  return (
    <form className="dev-cred" onSubmit={submit} aria-label={address ? t('credentials.formLabel', { address }) : t('credentials.formLabelNoAddress')}>
      <input aria-label={t('credentials.userName')} value={username} onChange={(e) => { reset(); setUsername(e.target.value); }} autoComplete="off" />
      <input aria-label={t('credentials.password')} type="password" value={password} onChange={(e) => { reset(); setPassword(e.target.value); }} autoComplete="current-password" />
      <button type="submit" className="primary" disabled={isLoading || !password || !address}>{t('credentials.addDevice')}</button>
      {error && <span className="error small" role="alert">{'message' in error ? String(error.message) : t('credentials.couldNotAdd')}</span>}
    </form>
  );
}
