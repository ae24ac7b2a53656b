import { useEffect, useState } from 'react';
import type { StationStatus } from '../../../../electron/contract';
import { useStatusQuery } from '../../app/station-api';
import { formatBytes, formatDuration } from '../../ui/format';

type Tool = StationStatus['ffmpeg'];
type Folder = StationStatus['dataDir'];

function ToolRow({ name, tool }: { name: string; tool: Tool }) {
  return (
    <div className="fact" data-fact={name}>
      <dt>{name}</dt>
      {tool.found ? (
        <dd>
          <span className="ok-dot" aria-hidden="true" /> <span data-testid={`${name}-version`}>{tool.version}</span>
          <span className="muted"> · {tool.source}</span>
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
  const level = freeRatio < 0.1 ? 'bad' : freeRatio < 0.2 ? 'warn' : 'ok';
  return (
    <div className="fact" data-fact={id}>
      <dt>{name}</dt>
      <dd>
        <div className="path">{folder.path}</div>
        <div className={`meter meter-${level}`} role="meter" aria-valuemin={0} aria-valuemax={100}
          aria-valuenow={Math.round(freeRatio * 100)} aria-label={`${name} free space`}>
          <span style={{ width: `${Math.round((1 - freeRatio) * 100)}%` }} />
        </div>
        <span data-testid={`${id}-free`}>{formatBytes(folder.freeBytes)}</span>
        <span className="muted"> free of {formatBytes(folder.totalBytes)}</span>
      </dd>
    </div>
  );
}

export function StatusPage() {
  const { data, error, fulfilledTimeStamp } = useStatusQuery(undefined, { pollingInterval: 5000 });
  const [now, setNow] = useState(Date.now());
  useEffect(() => {
    const t = setInterval(() => setNow(Date.now()), 1000);
    return () => clearInterval(t);
  }, []);
  const uptime = data ? data.uptimeMs + (now - (fulfilledTimeStamp ?? now)) : 0;

  return (
    <section className="page" aria-labelledby="page-title">
      <header className="page-head">
        <h1 id="page-title" tabIndex={-1}>Status</h1>
        <span className="muted">About this station · refreshed every 5 s</span>
      </header>
      {error && <p className="error" role="alert">{'message' in error ? String(error.message) : 'status unavailable'}</p>}
      {data && (
        <dl className="facts">
          <div className="fact" data-fact="version"><dt>Version</dt><dd>Watchpost {data.version} <span className="muted">· {data.mode} mode · Node {data.node} · {data.platform}</span></dd></div>
          <div className="fact" data-fact="uptime"><dt>Uptime</dt><dd className="mono">{formatDuration(uptime)} <span className="muted">· pid {data.pid}</span></dd></div>
          <ToolRow name="ffmpeg" tool={data.ffmpeg} />
          <ToolRow name="ffprobe" tool={data.ffprobe} />
          <FolderRow name="Data folder" id="data" folder={data.dataDir} />
          <FolderRow name="Recordings folder" id="recordings" folder={data.recordingsDir} />
          <div className="fact" data-fact="logs"><dt>Log folder</dt><dd className="path">{data.logDir}</dd></div>
          <div className="fact" data-fact="database">
            <dt>Database</dt>
            <dd>schema <span data-testid="schema-version">{data.database.schemaVersion}</span> of {data.database.latestSchemaVersion}
              <div className="path">{data.database.path}</div></dd>
          </div>
        </dl>
      )}
    </section>
  );
}
