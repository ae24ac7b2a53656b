import { useEffect, useState } from 'react';
import { useTranslation } from 'react-i18next';
import type { StationStatus } from '../../../../electron/contract';
import { useStatusQuery } from '../../app/station-api';
import { formatBytes, formatDuration } from '../../i18n/format';
import { errorText } from '../../i18n/errors';
import { DiagnosticsPanel } from './DiagnosticsPanel';
import { FeedbackPanel } from './FeedbackPanel';

type Tool = StationStatus['ffmpeg'];
type Folder = StationStatus['dataDir'];

// Where a tool was found, by the key of its words.
const TOOL_SOURCES: Record<Extract<Tool, { found: true }>['source'], string> = { configured: 'tool.configured', 'ffmpeg-static': 'tool.ffmpegStatic', PATH: 'tool.path' };

function ToolRow({ name, tool }: { name: string; tool: Tool }) {
  const { t } = useTranslation('status');
  return (
    <div className="fact" data-fact={name}>
      <dt>{name}</dt>
      {tool.found ? (
        <dd>
          <span className="ok-dot" aria-hidden="true" /> <span data-testid={`${name}-version`}>{tool.version}</span>
          <span className="muted"> · {t(TOOL_SOURCES[tool.source])}</span>
          <div className="path">{tool.path}</div>
        </dd>
      ) : (
        <dd className="bad"><span className="bad-dot" aria-hidden="true" /> {tool.error}</dd>
      )}
    </div>
  );
}

function FolderRow({ name, id, folder }: { name: string; id: string; folder: Folder }) {
  const freeRatio = folder.totalBytes > 0 ? folder.freeBytes / folder.totalBytes : 0;
  const { t } = useTranslation('status');
  const level = freeRatio < 0.1 ? 'bad' : freeRatio < 0.2 ? 'warn' : 'ok';
  return (
    <div className="fact" data-fact={id}>
      <dt>{name}</dt>
      <dd>
        <div className="path">{folder.path}</div>
        <div className={`meter meter-${level}`} role="meter" aria-valuemin={0} aria-valuemax={100}
          aria-valuenow={Math.round(freeRatio * 100)} aria-label={t('folder.freeSpace', { name })}>
          <span style={{ width: `${Math.round((1 - freeRatio) * 100)}%` }} />
        </div>
        <span data-testid={`${id}-free`}>{formatBytes(folder.freeBytes)}</span>
        <span className="muted"> {t('folder.freeOf', { total: formatBytes(folder.totalBytes) })}</span>
      </dd>
    </div>
  );
}

export function StatusPage() {
  const { t } = useTranslation('status');
  const { data, error, fulfilledTimeStamp } = useStatusQuery(undefined, { pollingInterval: 5000 });
  const [now, setNow] = useState(Date.now());
  useEffect(() => {
    const timer = setInterval(() => setNow(Date.now()), 1000);
    return () => clearInterval(timer);
  }, []);
  const uptime = data ? data.uptimeMs + (now - (fulfilledTimeStamp ?? now)) : 0;

  return (
    <section className="page" aria-labelledby="page-title">
      <header className="page-head">
        <h1 id="page-title" tabIndex={-1}>{t('title')}</h1>
        <span className="muted">{t('subtitle')}</span>
      </header>
      {error && <p className="error" role="alert">{errorText(error)}</p>}
      {data && (
        <dl className="facts">
          <div className="fact" data-fact="version"><dt>{t('version.label')}</dt><dd>{t('version.product', { version: data.version })} <span className="muted">· {t(`version.mode.${data.mode}`)} · {t('version.node', { node: data.node })} · {data.platform}</span></dd></div>
          <div className="fact" data-fact="uptime"><dt>{t('uptime.label')}</dt><dd className="mono">{formatDuration(uptime)} <span className="muted">· {t('uptime.pid', { pid: data.pid })}</span></dd></div>
          <ToolRow name="ffmpeg" tool={data.ffmpeg} />
          <ToolRow name="ffprobe" tool={data.ffprobe} />
          <FolderRow name={t('folder.data')} id="data" folder={data.dataDir} />
          <FolderRow name={t('folder.recordings')} id="recordings" folder={data.recordingsDir} />
          <div className="fact" data-fact="logs"><dt>{t('folder.logs')}</dt><dd className="path">{data.logDir}</dd></div>
          <div className="fact" data-fact="database">
            <dt>{t('database.label')}</dt>
            <dd>{t('database.schema')} <span data-testid="schema-version">{data.database.schemaVersion}</span> {t('database.of', { latest: data.database.latestSchemaVersion })}
              <div className="path">{data.database.path}</div></dd>
          </div>
        </dl>
      )}
      <DiagnosticsPanel />
      <FeedbackPanel />
    </section>
  );
}
