import { useRef, useState, type FormEvent } from 'react';
import { changedMeanwhile } from './storage-format';
import { useTranslation } from 'react-i18next';
import type { ArchiveSettings, FolderMove } from '../../../../electron/contract';
import { errorText } from '../../i18n/errors';
import { formatBytes, formatNumber } from '../../i18n/format';
import { useSetArchiveMutation, useSetFolderMutation, useSetSiteArchiveMutation } from './storage-api';
import { GIB, gibField, parseNumber } from './storage-format';

interface Props {
  archive: ArchiveSettings;
  folder: string;
  /** From the forecast: what locked evidence holds and how large the disk is (the limits the settings must respect). */
  lockedBytes: number;
  diskBytes: number;
  move: FolderMove | null;
  /** The settings' revision as read (sent back with a change: one made by someone else since is refused). */
  revision: number;
  /**
   * Another station's archive (a desk): its limits are changed there (its own checks against its disk and evidence);
   * its folder, on that station's disks, is only shown.
   */
  siteId?: number;
}

/** The recordings folder (moved or left, with progress), the size quota, the free space kept, the segment length. */
export function ArchiveSettingsForm({ archive, folder, lockedBytes, diskBytes, move, revision, siteId }: Props) {
  const { t } = useTranslation('storage');
  // Refused as changed by someone else, or changed by someone else while the user was typing (the station signals it):
  // the limits are shown afresh (the form is keyed by them), and this says why.
  const [stale, setStale] = useState(false);
  const key = `${siteId ?? ''}:${JSON.stringify(archive)}`;
  const [shown, setShown] = useState({ key, siteId });
  const typing = useRef(false);
  if (key !== shown.key) {
    setShown({ key, siteId });
    if (typing.current && shown.siteId === siteId) setStale(true);
    typing.current = false;
  }
  return (
    <div className="st-archive" data-site={siteId}>
      {siteId === undefined ? <FolderForm folder={folder} move={move} />
        : <div className="st-current"><span className="muted">{t('archive.currentFolder')}</span> <span className="path" data-testid="recordings-folder">{folder}</span></div>}
      <LimitsForm key={key} archive={archive} lockedBytes={lockedBytes} diskBytes={diskBytes} revision={revision} siteId={siteId} onStale={setStale} onTyping={(on) => { typing.current = on; }} />
      {stale && <p className="error small" role="alert" data-stale="archive">{t('settings.reloaded')}</p>}
    </div>
  );
}

function FolderForm({ folder, move }: { folder: string; move: FolderMove | null }) {
  const { t } = useTranslation('storage');
  const [setFolder, { isLoading, isSuccess, reset }] = useSetFolderMutation();
  const [path, setPath] = useState('');
  const [moveThem, setMoveThem] = useState(true);
  const [problem, setProblem] = useState<string | null>(null);
  const running = move?.state === 'running';
  const submit = async (e: FormEvent) => {
    e.preventDefault();
    if (!path.trim().startsWith('/') && !/^[A-Za-z]:[\\/]/.test(path.trim())) return setProblem(t('archive.folderRequired'));
    try {
      await setFolder({ path: path.trim(), move: moveThem }).unwrap();
      setPath('');
    } catch (err) {
      setProblem(errorText(err));
    }
  };
  return (
    <form onSubmit={submit} noValidate aria-labelledby="st-folder-legend">
      <fieldset>
        <legend id="st-folder-legend">{t('archive.folderLegend')}</legend>
        <div className="st-current"><span className="muted">{t('archive.currentFolder')}</span> <span className="path" data-testid="recordings-folder">{folder}</span></div>
        <label className="field-stack">{t('archive.newFolder')}
          <input name="folder" value={path} placeholder={t('archive.newFolderPlaceholder')} aria-invalid={!!problem}
            onChange={(e) => { setPath(e.target.value); setProblem(null); reset(); }} />
        </label>
        <div role="radiogroup" className="st-radios">
          <label className="st-check"><input type="radio" name="move" checked={moveThem} onChange={() => setMoveThem(true)} />{t('archive.move')}</label>
          <label className="st-check"><input type="radio" name="move" checked={!moveThem} onChange={() => setMoveThem(false)} />{t('archive.leave')}</label>
        </div>
        <div className="actions">
          <button type="submit" disabled={isLoading || running} data-action="change-folder">{t('archive.changeFolder')}</button>
          {problem && <span className="error" role="alert">{problem}</span>}
          {isSuccess && !problem && !move && <span className="ok" role="status">{t('archive.folderChanged')}</span>}
        </div>
        {move && (
          <div className="st-move" role="status" data-move-state={move.state}>
            {move.state === 'running' && <>
              <progress max={Math.max(1, move.totalBytes)} value={move.doneBytes} aria-label={t('archive.moving', { done: formatNumber(move.doneFiles), total: formatNumber(move.totalFiles), size: formatBytes(move.doneBytes) })} />
              <span>{t('archive.moving', { done: formatNumber(move.doneFiles), total: formatNumber(move.totalFiles), size: formatBytes(move.doneBytes) })}</span>
            </>}
            {move.state === 'done' && <span className="ok">{t('archive.moved', { count: move.doneFiles, size: formatBytes(move.doneBytes) })}</span>}
            {move.state === 'failed' && <span className="error">{t('archive.moveFailed', { error: move.error ?? '' })}</span>}
          </div>
        )}
      </fieldset>
    </form>
  );
}

function LimitsForm({ archive, lockedBytes, diskBytes, revision, siteId, onStale, onTyping }: { archive: ArchiveSettings; lockedBytes: number; diskBytes: number; revision: number; siteId?: number; onStale(stale: boolean): void; onTyping(on: boolean): void }) {
  const { t } = useTranslation('storage');
  const [saveHere, here] = useSetArchiveMutation();
  const [saveThere, there] = useSetSiteArchiveMutation();
  const { isLoading, isSuccess, reset } = siteId === undefined ? here : there;
  const save = (s: ArchiveSettings & { revision: number }) => (siteId === undefined ? saveHere(s) : saveThere({ ...s, id: siteId }));
  const [quota, setQuota] = useState(gibField(archive.quotaBytes));
  const [floor, setFloor] = useState(gibField(archive.freeFloorBytes));
  const [segment, setSegment] = useState(String(archive.segmentSeconds));
  const [problem, setProblem] = useState<{ field: string; text: string } | null>(null);
  const edit = (set: (v: string) => void) => (e: { target: { value: string } }) => { set(e.target.value); setProblem(null); onStale(false); onTyping(true); reset(); };

  const submit = async (e: FormEvent) => {
    e.preventDefault();
    const q = quota.trim() === '' ? null : parseNumber(quota);
    const f = parseNumber(floor);
    const s = parseNumber(segment);
    if (q !== null && !(q > 0)) return setProblem({ field: 'quota', text: t('archive.errors.quota') });
    const quotaBytes = q === null ? null : Math.round(q * GIB);
    if (quotaBytes !== null && quotaBytes < lockedBytes) {
      return setProblem({ field: 'quota', text: t('archive.errors.quotaBelowEvidence', { quota: formatBytes(quotaBytes), locked: formatBytes(lockedBytes) }) });
    }
    if (!(f >= 0)) return setProblem({ field: 'floor', text: t('archive.errors.freeFloor') });
    const freeFloorBytes = Math.round(f * GIB);
    if (diskBytes > 0 && freeFloorBytes >= diskBytes) return setProblem({ field: 'floor', text: t('archive.errors.freeFloorDisk', { floor: formatBytes(freeFloorBytes), disk: formatBytes(diskBytes) }) });
    if (!(Number.isInteger(s) && s >= 2 && s <= 3600)) return setProblem({ field: 'segment', text: t('archive.errors.segment') });
    try {
      await save({ quotaBytes, freeFloorBytes, segmentSeconds: s, revision }).unwrap();
      // Saved: the limits read again after it replace nothing unsaved (their answer comes after this one's).
      onTyping(false);
      onStale(false);
    } catch (err) {
      if (changedMeanwhile(err)) onStale(true);
      else setProblem({ field: '', text: errorText(err) });
    }
  };
  return (
    <form onSubmit={submit} noValidate aria-labelledby="st-limits-legend">
      <fieldset>
        <legend id="st-limits-legend">{t('archive.limitsLegend')}</legend>
        <div className="st-fields">
          <label className="field-stack">{t('archive.quota')}
            <input name="quota" inputMode="decimal" value={quota} placeholder={t('noLimit')} aria-invalid={problem?.field === 'quota'} onChange={edit(setQuota)} />
          </label>
          <label className="field-stack">{t('archive.freeFloor')}
            <input name="freeFloor" inputMode="decimal" value={floor} aria-invalid={problem?.field === 'floor'} onChange={edit(setFloor)} />
          </label>
          <label className="field-stack">{t('archive.segment')}
            <input name="segment" inputMode="numeric" value={segment} aria-invalid={problem?.field === 'segment'} onChange={edit(setSegment)} />
          </label>
        </div>
        <p className="muted small st-note">{t('archive.quotaHint')}</p>
        <div className="actions">
          <button type="submit" className="primary" disabled={isLoading} data-action="save-archive">{t('common:save')}</button>
          {isSuccess && !problem && <span className="ok" role="status">{t('common:saved')}</span>}
          {problem && <span className="error" role="alert">{problem.text}</span>}
        </div>
      </fieldset>
    </form>
  );
}
