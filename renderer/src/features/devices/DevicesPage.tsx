import { useEffect, useMemo, useState, type FormEvent } from 'react';
import type { DiscoveredDevice } from '../../../../electron/contract';
import { useStationClient } from '../../app/client-context';
import { ActivationDialog } from './ActivationDialog';
import { DeviceList } from './DeviceList';
import { useAddDeviceMutation, useInterfacesQuery, useScanMutation, useScanResultsQuery } from './devices-api';

type SortKey = 'status' | 'model' | 'vendor' | 'address' | 'mac' | 'serial' | 'firmware' | 'httpPort' | 'channels';
const COLUMNS: [SortKey, string][] = [
  ['status', 'Status'], ['model', 'Model'], ['vendor', 'Vendor'], ['address', 'IP'], ['mac', 'MAC'], ['serial', 'Serial'],
  ['firmware', 'Firmware'], ['httpPort', 'Ports'], ['channels', 'Channels'],
];
const STATUS_LABEL: Record<DiscoveredDevice['status'], string> = { uninitialised: 'uninitialised', initialised: 'initialised', added: 'already added', offline: 'offline' };

export function DevicesPage() {
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
      .filter((d) => !f || [d.status, d.model, d.vendor, d.address, d.mac, d.serial, d.firmware, d.name].some((v) => v.toLowerCase().includes(f)))
      .sort(cmp);
  }, [rows, filter, sort]);

  const toggle = (key: string) => setSelected((s) => { const n = new Set(s); if (n.has(key)) n.delete(key); else n.add(key); return n; });
  const allSelected = list.length > 0 && list.every((d) => selected.has(d.key));
  const picked = list.filter((d) => selected.has(d.key));
  const uninit = picked.filter((d) => d.status === 'uninitialised');

  return (
    <section className="page dev-page" aria-labelledby="page-title">
      <header className="page-head">
        <h1 id="page-title" tabIndex={-1}>Devices</h1>
        <span className="muted small" role="status">{scanning ? 'Scanning…' : `${rows.size} found`}</span>
      </header>
      <div className="dev-bar">
        <button type="button" className="primary" onClick={() => void scan(scanInterfaces ? { interfaces: scanInterfaces } : {})} disabled={scanning || (interfaces.length > 0 && scanInterfaces?.length === 0)}>Scan LAN</button>
        <details className="dev-ifaces">
          <summary>Interfaces ({interfaces.length - skipped.size}/{interfaces.length})</summary>
          {interfaces.map((i) => (
            <label key={i.name + i.address} className="small">
              <input type="checkbox" checked={!skipped.has(i.address)} onChange={() => setSkipped((s) => { const n = new Set(s); if (n.has(i.address)) n.delete(i.address); else n.add(i.address); return n; })} />
              {' '}{i.name} <span className="mono">{i.address}</span>
            </label>
          ))}
        </details>
        <input aria-label="Filter devices" placeholder="Filter" value={filter} onChange={(e) => setFilter(e.target.value)} />
        <button type="button" disabled={uninit.length === 0} onClick={() => setActivating(uninit)}>Activate {uninit.length || ''}</button>
        {scanError && <span className="error" role="alert">{'message' in scanError ? String(scanError.message) : 'scan failed'}</span>}
      </div>
      <div className="table-wrap">
        <table className="table dev-scan" aria-label="Devices on the network">
          <thead>
            <tr>
              <th><input type="checkbox" aria-label="Select all" checked={allSelected} onChange={() => setSelected(allSelected ? new Set() : new Set(list.map((d) => d.key)))} /></th>
              {COLUMNS.map(([k, label]) => (
                <th key={k} aria-sort={sort.key === k ? (sort.dir === 1 ? 'ascending' : 'descending') : 'none'}>
                  <button type="button" className="th-sort" onClick={() => setSort((s) => ({ key: k, dir: s.key === k ? (-s.dir as 1 | -1) : 1 }))}>
                    {label}{sort.key === k ? (sort.dir === 1 ? ' ▲' : ' ▼') : ''}
                  </button>
                </th>
              ))}
              <th />
            </tr>
          </thead>
          <tbody>
            {list.map((d) => (
              <tr key={d.key} data-address={d.address} data-status={d.status} className={selected.has(d.key) ? 'sel' : ''}>
                <td><input type="checkbox" aria-label={`Select ${d.address}`} checked={selected.has(d.key)} onChange={() => toggle(d.key)} /></td>
                <td><span className={`dev-status st-${d.status}`}>{STATUS_LABEL[d.status]}</span></td>
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
            {list.length === 0 && <tr><td colSpan={11} className="muted">No devices yet: press Scan LAN.</td></tr>}
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
  const [open, setOpen] = useState(false);
  if (!open) return <button type="button" onClick={() => setOpen(true)} aria-label={`Add ${device.address}`}>Add</button>;
  return <CredentialsForm address={device.address} httpPort={device.httpPort} onDone={() => setOpen(false)} />;
}

function AddByAddress() {
  const [address, setAddress] = useState('');
  const [port, setPort] = useState('80');
  return (
    <details className="dev-add">
      <summary>Add by IP address</summary>
      <div className="dev-form-row">
        <label className="field-stack">IP<input name="address" value={address} onChange={(e) => setAddress(e.target.value)} /></label>
        <label className="field-stack">HTTP port<input name="port" value={port} inputMode="numeric" onChange={(e) => setPort(e.target.value)} /></label>
      </div>
      <CredentialsForm address={address} httpPort={Number(port) || 80} />
    </details>
  );
}

function CredentialsForm({ address, httpPort, onDone }: { address: string; httpPort: number; onDone?: () => void }) {
  const [add, { isLoading, error, reset }] = useAddDeviceMutation();
  const [username, setUsername] = useState('admin');
  const [password, setPassword] = useState('');
  const submit = (e: FormEvent) => {
    e.preventDefault();
    void add({ address, httpPort, username, password }).unwrap().then(() => { setPassword(''); onDone?.(); }).catch(() => undefined);
  };
  return (
    <form className="dev-cred" onSubmit={submit} aria-label={`Credentials for ${address || 'the device'}`}>
      <input aria-label="User name" value={username} onChange={(e) => { reset(); setUsername(e.target.value); }} autoComplete="off" />
      <input aria-label="Password" type="password" value={password} onChange={(e) => { reset(); setPassword(e.target.value); }} autoComplete="current-password" />
      <button type="submit" className="primary" disabled={isLoading || !password || !address}>Add device</button>
      {error && <span className="error small" role="alert">{'message' in error ? String(error.message) : 'could not add'}</span>}
    </form>
  );
}
