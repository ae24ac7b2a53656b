// Alarm push, cloud storage and device hosting as they run: what is stored, what is hosted, upload and delete.
import { useState } from 'react';
import type { PrivacyPurpose, PrivacyState } from '../../../../electron/contract';
import { formatBytes } from '../../ui/format';
import {
  useCloudStorageQuery, useDeleteStoredMutation, useDownloadStoredMutation, useHostedStationsQuery, useStorableFilesQuery, useStoreFileMutation,
} from './privacy-api';
import { errorText, formatTime } from './privacy-format';

const isActive = (state: PrivacyState, p: PrivacyPurpose) => state.purposes.find((x) => x.purpose === p)?.active ?? false;

function save(name: string, contentType: string, base64: string) {
  const bytes = Uint8Array.from(atob(base64), (c) => c.charCodeAt(0));
  const url = URL.createObjectURL(new Blob([bytes], { type: contentType }));
  const a = document.createElement('a');
  a.href = url;
  a.download = name;
  a.click();
  setTimeout(() => URL.revokeObjectURL(url), 10_000);
}

function CloudStorage({ active }: { active: boolean }) {
  const [asked, setAsked] = useState(false);
  const show = active || asked;
  const { data: stored, error, refetch } = useCloudStorageQuery(undefined, { skip: !show });
  const { data: files, refetch: refetchFiles } = useStorableFilesQuery(undefined, { skip: !active });
  const [pick, setPick] = useState('');
  const [store, st] = useStoreFileMutation();
  const [download, dl] = useDownloadStoredMutation();
  const [remove, rm] = useDeleteStoredMutation();
  const chosen = pick || files?.[0]?.path || '';
  const problem = errorText(error ?? st.error ?? dl.error ?? rm.error);
  return (
    <section aria-labelledby="storage-title" data-section="cloud-storage">
      <h3 id="storage-title">Cloud storage</h3>
      {active
        ? <p className="muted small" data-testid="storage-status">On — only what you upload goes up.{stored ? ` ${formatBytes(stored.usedBytes)} of ${formatBytes(stored.quotaBytes)} used.` : ''}</p>
        : <p className="muted small" data-testid="storage-status">Off — nothing is uploaded.{!asked && <> <button type="button" className="link" onClick={() => setAsked(true)}>Show what is stored</button></>}</p>}
      {active && (
        <form className="actions" aria-label="Upload to cloud storage" onSubmit={(e) => { e.preventDefault(); if (chosen) void store({ path: chosen }); }}>
          <label className="field-inline"><span className="sr-only">File to upload</span>
            <select name="storable" value={chosen} onChange={(e) => setPick(e.target.value)} onFocus={() => void refetchFiles()}>
              {(files ?? []).length === 0 && <option value="">No snapshots or clips on this station yet</option>}
              {(files ?? []).map((f) => <option key={f.path} value={f.path}>{f.name} · {f.kind} · {formatBytes(f.bytes)} · {formatTime(f.modifiedAt)}</option>)}
            </select>
          </label>
          <button type="submit" className="primary" disabled={!chosen || st.isLoading}>{st.isLoading ? 'Uploading…' : 'Upload'}</button>
        </form>
      )}
      {show && stored && stored.objects.length > 0 && (
        <div className="table-wrap">
          <table className="table" data-testid="stored-objects">
            <thead><tr><th scope="col">Name</th><th scope="col">Kind</th><th scope="col" className="num">Size</th><th scope="col">Uploaded</th><th scope="col"><span className="sr-only">Actions</span></th></tr></thead>
            <tbody>
              {stored.objects.map((o) => (
                <tr key={o.id} data-object={o.name}>
                  <td className="mono">{o.name}</td><td>{o.kind}</td><td className="mono num">{formatBytes(o.bytes)}</td>
                  <td className="mono">{formatTime(Date.parse(o.createdAt))}</td>
                  <td className="num">
                    <button type="button" className="secondary" aria-label={`Download ${o.name}`} disabled={dl.isLoading}
                      onClick={() => void download({ id: o.id }).unwrap().then((r) => save(r.object.name, r.object.contentType, r.dataBase64), () => {})}>Download</button>{' '}
                    <button type="button" className="secondary" aria-label={`Delete ${o.name} from cloud storage`} disabled={rm.isLoading}
                      onClick={() => void remove({ id: o.id })}>Delete</button>
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
      {show && stored?.objects.length === 0 && <p className="muted small" data-testid="storage-empty">Nothing stored.</p>}
      <div className="actions">
        {active && st.isSuccess && <span className="ok" role="status">Uploaded {st.data.name}</span>}
        {problem && <span className="error" role="alert">{problem}</span>}
        {show && <button type="button" className="secondary" onClick={() => void refetch()}>Refresh</button>}
      </div>
    </section>
  );
}

function Hosting({ active }: { active: boolean }) {
  const { data: stations, error } = useHostedStationsQuery(undefined, { skip: !active });
  return (
    <section aria-labelledby="hosting-title" data-section="hosting">
      <h3 id="hosting-title">Device hosting</h3>
      {!active && <p className="muted small" data-testid="hosting-status">Off — this station's device list stays here.</p>}
      {active && stations && (
        <div className="table-wrap">
          <table className="table" data-testid="hosted-stations">
            <thead><tr><th scope="col">Station</th><th scope="col">Devices</th><th scope="col">Updated</th></tr></thead>
            <tbody>
              {stations.map((h) => (
                <tr key={h.stationId} data-own={h.own}>
                  <td>{h.stationName}{h.own && <strong className="tag">this station</strong>}</td>
                  <td>{h.devices.length === 0 ? <span className="muted">none</span> : h.devices.map((d) => d.name).join(', ')}</td>
                  <td className="mono">{formatTime(Date.parse(h.updatedAt))}</td>
                </tr>
              ))}
              {stations.length === 0 && <tr><td colSpan={3} className="muted">Not hosted yet — the list goes up with the next sync.</td></tr>}
            </tbody>
          </table>
        </div>
      )}
      {error && <p className="error" role="alert">{errorText(error)}</p>}
    </section>
  );
}

/** Shown to a signed-in account beside the switches. */
export function CloudServicesPanel({ state }: { state: PrivacyState }) {
  if (!state.account) return null;
  const push = isActive(state, 'alarm_push');
  return (
    <section className="panel" aria-labelledby="services-title" data-section="services">
      <h2 id="services-title">Cloud services</h2>
      <p className="muted small" data-testid="push-status">
        <strong>Alarm push</strong> — {push ? 'on: each alarm goes to your account\'s push inbox for your phone.' : 'off: alarms stay on this station.'}
      </p>
      <CloudStorage active={isActive(state, 'cloud_storage')} />
      <Hosting active={isActive(state, 'device_hosting')} />
    </section>
  );
}
