import { useEffect, useState } from 'react';
import { useTranslation } from 'react-i18next';
import type { ExportProgress, VerifyReport } from '../../../../electron/contract';
import { useStationClient } from '../../app/client-context';
import { useCancelExportMutation, useStartExportMutation, useVerifyExportMutation } from './recording-api';
import { rangeText } from './timeline-view';
import { errorText } from '../../i18n/errors';

interface Props { source: string; channelIds: number[]; from: number; to: number; onClose(): void }

/** Export of the selected range: progress, cancel, then the signed folder and its verification. */
export function ExportDialog({ source, channelIds, from, to, onClose }: Props) {
  const { t } = useTranslation('recording');
  const client = useStationClient();
  const [job, setJob] = useState<{ exportId: number; folder: string } | null>(null);
  const [progress, setProgress] = useState<ExportProgress | null>(null);
  const [report, setReport] = useState<VerifyReport | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [startExport] = useStartExportMutation();
  const [cancelExport] = useCancelExportMutation();
  const [verifyExport] = useVerifyExportMutation();

  useEffect(() => client.on('export.progress', (p) => { if (p.exportId === job?.exportId) setProgress(p); }), [client, job]);

  const start = () => {
    setError(null);
    startExport({ source, channelIds, from: Math.round(from), to: Math.round(to) }).unwrap().then(setJob, (e: unknown) => setError(errorText(e)));
  };
  const state = progress?.state ?? 'running';
  const pct = progress && progress.totalBytes ? Math.round((progress.doneBytes / progress.totalBytes) * 100) : 0;
  return (
    <div className="pb-dialog" role="dialog" aria-label={t('exportDialog.label')}>
      <h2>{t('exportDialog.title', { count: channelIds.length })}</h2>
      <p className="muted">{rangeText(from, to)} · {t('exportDialog.what')}</p>
      {!job && <button type="button" className="primary" onClick={start}>{t('exportDialog.start')}</button>}
      {job && (
        <>
          <progress max={100} value={progress?.state === 'done' ? 100 : pct} aria-label={t('exportDialog.progress')} />
          <p data-export-state={state}>{t(`exportDialog.state.${state}`)} {progress?.error ?? ''}</p>
          {(!progress || progress.state === 'running') && (
            <button type="button" onClick={() => void cancelExport({ exportId: job.exportId }).unwrap().catch(() => {})}>{t('exportDialog.cancel')}</button>
          )}
          {progress?.state === 'done' && (
            <>
              <p className="path">{job.folder}</p>
              <button type="button" onClick={() => verifyExport({ folder: job.folder }).unwrap().then(setReport, (e: unknown) => setError(errorText(e)))}>{t('exportDialog.verify')}</button>
            </>
          )}
        </>
      )}
      {report && (
        <div className={report.ok ? 'pb-verify ok' : 'pb-verify bad'} data-verified={report.ok}>
          <strong>{report.ok ? t('exportDialog.verified') : t('exportDialog.notVerified')}</strong>
          <ul>{report.findings.map((f) => <li key={f}>{f}</li>)}</ul>
        </div>
      )}
      {error && <p role="alert">{error}</p>}
      <button type="button" onClick={onClose}>{t('exportDialog.close')}</button>
    </div>
  );
}
