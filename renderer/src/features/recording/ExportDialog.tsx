import { useEffect, useState } from 'react';
import type { ErrorInfo, ExportProgress, VerifyReport } from '../../../../electron/contract';
import { useStationClient } from '../../app/client-context';
import { useCancelExportMutation, useStartExportMutation, useVerifyExportMutation } from './recording-api';
import { clockText } from './timeline-view';

interface Props { source: string; channelIds: number[]; from: number; to: number; onClose(): void }

/** Export of the selected range: progress, cancel, then the signed folder and its verification. */
export function ExportDialog({ source, channelIds, from, to, onClose }: Props) {
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
    startExport({ source, channelIds, from: Math.round(from), to: Math.round(to) }).unwrap().then(setJob, (e: ErrorInfo) => setError(e.message));
  };
  const pct = progress && progress.totalBytes ? Math.round((progress.doneBytes / progress.totalBytes) * 100) : 0;
  return (
    <div className="pb-dialog" role="dialog" aria-label="Export">
      <h2>Export {channelIds.length} channel{channelIds.length > 1 ? 's' : ''}</h2>
      <p className="muted">{clockText(from)} – {clockText(to)} · MP4 per channel, no re-encoding, signed manifest</p>
      {!job && <button type="button" className="primary" onClick={start}>Start export</button>}
      {job && (
        <>
          <progress max={100} value={progress?.state === 'done' ? 100 : pct} aria-label="Export progress" />
          <p data-export-state={progress?.state ?? 'running'}>{progress?.state ?? 'running'} {progress?.error ?? ''}</p>
          {(!progress || progress.state === 'running') && (
            <button type="button" onClick={() => void cancelExport({ exportId: job.exportId }).unwrap().catch(() => {})}>Cancel</button>
          )}
          {progress?.state === 'done' && (
            <>
              <p className="path">{job.folder}</p>
              <button type="button" onClick={() => verifyExport({ folder: job.folder }).unwrap().then(setReport, (e: ErrorInfo) => setError(e.message))}>Verify</button>
            </>
          )}
        </>
      )}
      {report && (
        <div className={report.ok ? 'pb-verify ok' : 'pb-verify bad'} data-verified={report.ok}>
          <strong>{report.ok ? 'Verified: exactly as signed' : 'Not verified'}</strong>
          <ul>{report.findings.map((f) => <li key={f}>{f}</li>)}</ul>
        </div>
      )}
      {error && <p role="alert">{error}</p>}
      <button type="button" onClick={onClose}>Close</button>
    </div>
  );
}
