import { useEffect, useMemo, useState, type FormEvent } from 'react';
import { useTranslation } from 'react-i18next';
import { IPV4, type AddedDevice, type DiscoveredDevice } from '../../../../electron/contract';
import { useStationClient } from '../../app/client-context';
import { useRemoveChannelMutation } from '../live/live-api';
import { ActivationDialog } from './ActivationDialog';
import { DeviceList } from './DeviceList';
import { errorText } from './DeviceEdit';
import { SharesPanel } from '../sites/SharesPanel';
import { SitesPanel } from '../sites/SitesPanel';
import { inSweep, SweepForm } from './SweepForm';
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
  // How many devices answered the last finished scan (null: no scan yet on this page).
  const [heard, setHeard] = useState<number | null>(null);
  const [added, setAdded] = useState<AddedDevice | null>(null);
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
  // A scan, or a sweep of an address range; either says how many devices answered where it asked.
  const runScan = (range?: { from: string; to: string }) => void scan(range ? { range } : scanInterfaces ? { interfaces: scanInterfaces } : {}).unwrap()
    .then((found) => setHeard(found.filter((d) => d.status !== 'offline' && (!range || inSweep(d.address, range))).length)).catch(() => undefined);
  const adder = {
    factoryNew: (address: string) => [...rows.values()].find((d) => d.address === address && d.status === 'uninitialised'),
    onActivate: (d: DiscoveredDevice) => setActivating([d]),
    // Kept until dismissed: adding another device does not hide the warning.
    onAdded: (d: AddedDevice) => { if (d.duplicates.length) setAdded(d); },
  };

  return (
    <section className="page dev-page" aria-labelledby="page-title">
      <header className="page-head">
        <h1 id="page-title" tabIndex={-1}>{t('title')}</h1>
        <span className="muted small" role="status">{scanning ? t('scan.scanning') : heard !== null ? t('scan.finished', { count: heard }) : t('scan.found', { count: rows.size })}</span>
      </header>
      <div className="dev-bar">
        <button type="button" className="primary" onClick={() => runScan()} disabled={scanning || (interfaces.length > 0 && scanInterfaces?.length === 0)}>{t('scan.scanLan')}</button>
        <details className="dev-ifaces">
          <summary>{t('scan.interfaces', { on: interfaces.length - skipped.size, total: interfaces.length })}</summary>
          {interfaces.map((i) => (
            <label key={i.name + i.address} className="small">
              <input type="checkbox" checked={!skipped.has(i.address)} onChange={() => setSkipped((s) => { const n = new Set(s); if (n.has(i.address)) n.delete(i.address); else n.add(i.address); return n; })} />
              {' '}{i.name} <span className="mono">{i.address}</span>
            </label>
          ))}
        </details>
        <SweepForm interfaces={interfaces} busy={scanning} onSweep={runScan} />
        <input aria-label={t('scan.filterLabel')} placeholder={t('scan.filterPlaceholder')} value={filter} onChange={(e) => setFilter(e.target.value)} />
        <button type="button" disabled={uninit.length === 0} onClick={() => setActivating(uninit)}>{uninit.length ? t('scan.activateCount', { n: uninit.length }) : t('scan.activate')}</button>
        {scanError && <span className="error" role="alert">{errorText(scanError, t('scan.failed'))}</span>}
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
                <td>{d.status === 'initialised' && <AddFromScan device={d} adder={adder} />}</td>
              </tr>
            ))}
            {list.length === 0 && <tr><td colSpan={11} className="muted">{t(heard === 0 && !filter ? 'scan.noneFound' : 'scan.empty')}</td></tr>}
          </tbody>
        </table>
      </div>
      {added && added.duplicates.length > 0 && <DuplicateNotice device={added} onClose={() => setAdded(null)} />}
      <AddByAddress adder={adder} />
      <DeviceList />
      <SitesPanel />
      <SharesPanel />
      {activating && <ActivationDialog targets={activating} onClose={() => setActivating(null)} />}
    </section>
  );
}

interface Adder {
  /** The scan row of a factory-new device at this address, if the station found one. */
  factoryNew(address: string): DiscoveredDevice | undefined;
  onActivate(d: DiscoveredDevice): void;
  onAdded(d: AddedDevice): void;
}

function AddFromScan({ device, adder }: { device: DiscoveredDevice; adder: Adder }) {
  const { t } = useTranslation('devices');
  const [open, setOpen] = useState(false);
  if (!open) return <button type="button" onClick={() => setOpen(true)} aria-label={t('scan.addLabel', { address: device.address })}>{t('scan.add')}</button>;
  return <CredentialsForm address={device.address} httpPort={device.httpPort} adder={adder} onDone={() => setOpen(false)} />;
}

function AddByAddress({ adder }: { adder: Adder }) {
  const { t } = useTranslation('devices');
  const [address, setAddress] = useState('');
  const [port, setPort] = useState('80');
  // Checked here first, so the message names the field as the form labels it.
  const check = () => {
    const a = address.trim();
    if (!a) return t('addByAddress.errors.ipRequired');
    if (!IPV4.test(a)) return t('addByAddress.errors.ip', { value: a });
    const p = port.trim();
    if (!/^\d{1,5}$/.test(p) || Number(p) < 1 || Number(p) > 65535) return t('addByAddress.errors.port', { value: p });
    return null;
  };
  return (
    <details className="dev-add">
      <summary>{t('addByAddress.summary')}</summary>
      <div className="dev-form-row">
        <label className="field-stack">{t('addByAddress.ip')}<input name="address" value={address} spellCheck={false} onChange={(e) => setAddress(e.target.value)} /></label>
        <label className="field-stack">{t('addByAddress.httpPort')}<input name="port" value={port} inputMode="numeric" onChange={(e) => setPort(e.target.value)} /></label>
      </div>
      <CredentialsForm address={address.trim()} httpPort={Number(port)} adder={adder} check={check} />
    </details>
  );
}

function CredentialsForm({ address, httpPort, adder, check, onDone }: { address: string; httpPort: number; adder: Adder; check?: () => string | null; onDone?: () => void }) {
  const { t } = useTranslation('devices');
  const [add, { isLoading, error, reset }] = useAddDeviceMutation();
  const [username, setUsername] = useState('admin');
  const [password, setPassword] = useState('');
  const [problem, setProblem] = useState('');
  const [tried, setTried] = useState('');
  // The address last named factory-new here: once it is activated, the form says it can be added now.
  const [wasFresh, setWasFresh] = useState('');
  const submit = (e: FormEvent) => {
    e.preventDefault();
    const p = check?.() ?? null;
    setProblem(p ?? '');
    setWasFresh('');
    if (p) return;
    setTried(address);
    void add({ address, httpPort, username, password }).unwrap().then((d) => { setPassword(''); adder.onAdded(d); onDone?.(); }).catch(() => undefined);
  };
  // A login refused by a device without an administrator: the station put it in the scan results to activate.
  const fresh = error && tried ? adder.factoryNew(tried) : undefined;
  useEffect(() => { if (fresh) setWasFresh(fresh.address); }, [fresh]);
  const activated = error && !fresh && wasFresh === tried;
  return (
    <form className="dev-cred" onSubmit={submit} aria-label={address ? t('credentials.formLabel', { address }) : t('credentials.formLabelNoAddress')}>
      <input aria-label={t('credentials.userName')} value={username} onChange={(e) => { reset(); setUsername(e.target.value); }} autoComplete="off" />
      <input aria-label={t('credentials.password')} type="password" value={password} onChange={(e) => { reset(); setPassword(e.target.value); }} autoComplete="current-password" />
      <button type="submit" className="primary" disabled={isLoading || !password || !address}>{t('credentials.addDevice')}</button>
      {problem && <span className="error small" role="alert">{problem}</span>}
      {error && !fresh && !activated && <span className="error small" role="alert">{errorText(error, t('credentials.couldNotAdd'))}</span>}
      {activated && <span className="ok small" role="status">{t('credentials.activated', { address: tried })}</span>}
      {fresh && (
        <span className="dev-fresh small" role="alert">
          <span className="warn-text">{t('credentials.factoryNew', { address: fresh.address })}</span>{' '}
          <button type="button" onClick={() => adder.onActivate(fresh)}>{t('credentials.activate', { address: fresh.address })}</button>
        </span>
      )}
    </form>
  );
}

/** A device whose streams were already on the list by RTSP URL: they now show twice, until the RTSP copies go. */
function DuplicateNotice({ device, onClose }: { device: AddedDevice; onClose(): void }) {
  const { t } = useTranslation('devices');
  const [remove, { isLoading }] = useRemoveChannelMutation();
  const names = device.duplicates.map((d) => `“${d.name}”`).join(', ');
  const removeCopies = async () => {
    for (const d of device.duplicates) await remove(d.channelId);
    onClose();
  };
  return (
    <div className="dev-duplicates" role="alert" data-testid="duplicates">
      <p className="warn-text">{t('added.duplicates', { count: device.duplicates.length, device: device.name, names })}</p>
      <button type="button" onClick={() => void removeCopies()} disabled={isLoading}>{t('added.removeCopies', { count: device.duplicates.length })}</button>{' '}
      <button type="button" className="secondary" onClick={onClose}>{t('added.keepBoth')}</button>
    </div>
  );
}
