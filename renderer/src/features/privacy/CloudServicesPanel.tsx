// Alarm push, cloud storage and device hosting as they run: what is stored, what is hosted, upload and delete.
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import type { PrivacyPurpose, PrivacyState } from '../../../../electron/contract';
import { formatBytes } from '../../i18n/format';
import {
  useCloudStorageQuery, useDeleteStoredMutation, useDownloadStoredMutation, useHostedStationsQuery, useStorableFilesQuery, useStoreFileMutation,
} from './privacy-api';
import { errorText, formatStamp } from './privacy-format';
import { offerDownload } from '../../ui/download';

const isActive = (state: PrivacyState, p: PrivacyPurpose) => state.purposes.find((x) => x.purpose === p)?.active ?? false;

function CloudStorage({ active }: { active: boolean }) {
  const { t } = useTranslation('privacy');
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
      <h3 id="storage-title">{t('storage.title')}</h3>
      {active
        ? <p className="muted small" data-testid="storage-status">
          {t('storage.on')}{stored && <>{' '}{t('storage.used', { used: formatBytes(stored.usedBytes), quota: formatBytes(stored.quotaBytes) })}</>}
        </p>
        : <p className="muted small" data-testid="storage-status">
          {t('storage.off')}{!asked && <>{' '}<button type="button" className="link" onClick={() => setAsked(true)}>{t('storage.show')}</button></>}
        </p>}
      {active && (
        <form className="actions" aria-label={t('storage.uploadForm')} onSubmit={(e) => { e.preventDefault(); if (chosen) void store({ path: chosen }); }}>
          <label className="field-inline"><span className="sr-only">{t('storage.file')}</span>
            <select name="storable" value={chosen} onChange={(e) => setPick(e.target.value)} onFocus={() => void refetchFiles()}>
              {(files ?? []).length === 0 && <option value="">{t('storage.noFiles')}</option>}
              {(files ?? []).map((f) => <option key={f.path} value={f.path}>{f.name} · {t(`kind.${f.kind}`)} · {formatBytes(f.bytes)} · {formatStamp(f.modifiedAt)}</option>)}
            </select>
          </label>
          <button type="submit" className="primary" disabled={!chosen || st.isLoading}>{st.isLoading ? t('storage.uploading') : t('storage.upload')}</button>
        </form>
      )}
      {show && stored && stored.objects.length > 0 && (
        <div className="table-wrap">
          <table className="table" data-testid="stored-objects">
            <thead><tr><th scope="col">{t('storage.name')}</th><th scope="col">{t('storage.kind')}</th><th scope="col" className="num">{t('storage.size')}</th>
              <th scope="col">{t('storage.uploaded')}</th><th scope="col"><span className="sr-only">{t('storage.actions')}</span></th></tr></thead>
            <tbody>
              {stored.objects.map((o) => (
                <tr key={o.id} data-object={o.name}>
                  <td className="mono">{o.name}</td><td>{t(`kind.${o.kind}`)}</td><td className="mono num">{formatBytes(o.bytes)}</td>
                  <td className="mono">{formatStamp(Date.parse(o.createdAt))}</td>
                  <td className="num">
                    <button type="button" className="secondary" aria-label={t('storage.downloadLabel', { name: o.name })} disabled={dl.isLoading}
                      onClick={() => void download({ id: o.id }).unwrap().then((r) => offerDownload(r.object.name, { base64: r.dataBase64 }, r.object.contentType), () => {})}>{t('storage.download')}</button>{' '}
                    <button type="button" className="secondary" aria-label={t('storage.deleteLabel', { name: o.name })} disabled={rm.isLoading}
                      onClick={() => void remove({ id: o.id })}>{t('storage.delete')}</button>
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
      {show && stored?.objects.length === 0 && <p className="muted small" data-testid="storage-empty">{t('storage.empty')}</p>}
      <div className="actions">
        {active && st.isSuccess && <span className="ok" role="status">{t('storage.uploadedName', { name: st.data.name })}</span>}
        {problem && <span className="error" role="alert">{problem}</span>}
        {show && <button type="button" className="secondary" onClick={() => void refetch()}>{t('storage.refresh')}</button>}
      </div>
    </section>
  );
}

function Hosting({ active }: { active: boolean }) {
  const { t } = useTranslation('privacy');
  const { data: stations, error } = useHostedStationsQuery(undefined, { skip: !active });
  return (
    <section aria-labelledby="hosting-title" data-section="hosting">
      <h3 id="hosting-title">{t('hosting.title')}</h3>
      {!active && <p className="muted small" data-testid="hosting-status">{t('hosting.off')}</p>}
      {active && stations && (
        <div className="table-wrap">
          <table className="table" data-testid="hosted-stations">
            <thead><tr><th scope="col">{t('hosting.station')}</th><th scope="col">{t('hosting.devices')}</th><th scope="col">{t('hosting.updated')}</th></tr></thead>
            <tbody>
              {stations.map((h) => (
                <tr key={h.stationId} data-own={h.own}>
                  <td>{h.stationName}{h.own && <strong className="tag">{t('hosting.thisStation')}</strong>}</td>
                  <td>{h.devices.length === 0 ? <span className="muted">{t('hosting.none')}</span> : h.devices.map((d) => d.name).join(', ')}</td>
                  <td className="mono">{formatStamp(Date.parse(h.updatedAt))}</td>
                </tr>
              ))}
              {stations.length === 0 && <tr><td colSpan={3} className="muted">{t('hosting.notYet')}</td></tr>}
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
  const { t } = useTranslation('privacy');
  if (!state.account) return null;
  const push = isActive(state, 'alarm_push');
  return (
    <section className="panel" aria-labelledby="services-title" data-section="services">
      <h2 id="services-title">{t('services.title')}</h2>
      <p className="muted small" data-testid="push-status">
        <strong>{t('services.push')}</strong> {push ? t('services.pushOn') : t('services.pushOff')}
      </p>
      <CloudStorage active={isActive(state, 'cloud_storage')} />
      <Hosting active={isActive(state, 'device_hosting')} />
    </section>
  );
}
