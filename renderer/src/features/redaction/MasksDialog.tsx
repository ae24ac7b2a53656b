import { useRef, useState, type MouseEvent } from 'react';
import { useTranslation } from 'react-i18next';
import { MASK_KINDS, MAX_MASKS, polygonSelfIntersects, type MaskDraft, type MaskKind, type MaskPoint } from '../../../../electron/contract';
import { errorText } from '../../i18n/errors';
import { ReasonDialog } from '../../ui/ReasonDialog';
import { useModal } from '../../ui/use-modal';
import { StreamVideo } from '../live/StreamVideo';
import { useAuthStateQuery } from '../operators/operators-api';
import { mayDo } from '../operators/rights';
import { useLiftMaskMutation, useMasksQuery, useRestoreMaskMutation, useSaveMasksMutation } from './redaction-api';

interface Props { channelId: number; name: string; onClose(): void }

const round3 = (v: number) => Math.round(Math.min(1, Math.max(0, v)) * 1000) / 1000;

/**
 * A channel's privacy masks: drawn by clicking points on the live picture (or typed, point by point), permanent or
 * liftable, saved together; a liftable one lifted for this session with a reason (its own right), or put back.
 */
export function MasksDialog({ channelId, name, onClose }: Props) {
  const { t } = useTranslation('live');
  const box = useModal<HTMLDivElement>(onClose);
  const me = useAuthStateQuery().data?.me ?? null;
  const saved = (useMasksQuery().data ?? []).filter((m) => m.channelId === channelId);
  const [drafts, setDrafts] = useState<MaskDraft[] | null>(null);
  const [editing, setEditing] = useState<number | null>(null);
  const [typed, setTyped] = useState({ x: 0.5, y: 0.5 });
  const [error, setError] = useState<string | null>(null);
  const [lifting, setLifting] = useState<number | null>(null);
  const [save, saving] = useSaveMasksMutation();
  const [lift] = useLiftMaskMutation();
  const [restore] = useRestoreMaskMutation();
  const svg = useRef<SVGSVGElement>(null);
  const canEdit = mayDo(me, 'privacyMasks');
  const canLift = mayDo(me, 'liftMask');
  const list: MaskDraft[] = drafts ?? saved.map((m) => ({ name: m.name, kind: m.kind, points: m.points }));
  // The drawing surface has the picture's own aspect (16:9 until the first frame says otherwise).
  const [picture, setPicture] = useState({ w: 16, h: 9 });
  const W = 1600, H = Math.round((W * picture.h) / picture.w);

  const change = (i: number, patch: Partial<MaskDraft>) => setDrafts(list.map((m, j) => (j === i ? { ...m, ...patch } : m)));
  const addPoint = (p: MaskPoint) => { if (editing !== null) change(editing, { points: [...list[editing]!.points, { x: round3(p.x), y: round3(p.y) }] }); };
  const click = (e: MouseEvent<SVGSVGElement>) => {
    const m = svg.current?.getScreenCTM();
    if (!m || editing === null) return;
    const p = new DOMPoint(e.clientX, e.clientY).matrixTransform(m.inverse());
    if (p.x < 0 || p.y < 0 || p.x > W || p.y > H) return;
    addPoint({ x: p.x / W, y: p.y / H });
  };
  const newMask = () => {
    setDrafts([...list, { name: t('masks.defaultName', { n: list.length + 1 }), kind: 'permanent', points: [] }]);
    setEditing(list.length);
  };
  const submit = () => {
    setError(null);
    save({ channelId, masks: list }).unwrap().then(() => { setDrafts(null); setEditing(null); }, (e: unknown) => setError(errorText(e)));
  };
  const crossing = editing !== null && list[editing]!.points.length >= 4 && polygonSelfIntersects(list[editing]!.points);

  return (
    <div className="pb-dialog masks-dialog" role="dialog" aria-modal="true" aria-label={t('masks.title', { name })} ref={box}>
      <h2>{t('masks.title', { name })}</h2>
      <div className="masks-picture" style={{ aspectRatio: `${picture.w} / ${picture.h}` }}>
        <StreamVideo streamId={`${channelId}/sub`} pending={false} onFirstFrame={() => {}} onSize={setPicture} />
        <svg ref={svg} className={editing !== null ? 'mask-editor drawing' : 'mask-editor'} viewBox={`0 0 ${W} ${H}`} preserveAspectRatio="xMidYMid meet" onClick={click} aria-hidden="true">
          {list.map((m, i) => (
            <polygon key={i} points={m.points.map((p) => `${p.x * W},${p.y * H}`).join(' ')} className={i === editing ? 'editing' : ''} />
          ))}
        </svg>
      </div>
      <p className="muted">{editing !== null ? t('masks.drawHint') : t('masks.hint', { max: MAX_MASKS })}</p>
      <ul className="masks-list">
        {list.map((m, i) => {
          const stored = drafts === null ? saved[i] : undefined;
          return (
            <li key={i} className={i === editing ? 'on' : ''}>
              <input aria-label={t('masks.name')} value={m.name} disabled={!canEdit} onChange={(e) => change(i, { name: e.target.value })} />
              <select aria-label={t('masks.kind')} value={m.kind} disabled={!canEdit} onChange={(e) => change(i, { kind: e.target.value as MaskKind })}>
                {MASK_KINDS.map((k) => <option key={k} value={k}>{t(`masks.kinds.${k}`)}</option>)}
              </select>
              <span className="muted">{t('masks.points', { count: m.points.length })}</span>
              {canEdit && <button type="button" aria-pressed={i === editing} onClick={() => setEditing(i === editing ? null : i)}>{t('masks.edit')}</button>}
              {canEdit && <button type="button" onClick={() => { setDrafts(list.filter((_, j) => j !== i)); setEditing(null); }}>{t('masks.remove')}</button>}
              {stored?.kind === 'liftable' && canLift && !stored.lifted && <button type="button" onClick={() => setLifting(stored.id)}>{t('masks.lift')}</button>}
              {stored?.lifted && <button type="button" onClick={() => void restore({ channelId, id: stored.id })}>{t('masks.restore')}</button>}
              {stored?.lifted && <span className="muted">{t('masks.lifted')}</span>}
            </li>
          );
        })}
      </ul>
      {canEdit && editing !== null && (
        <div className="row masks-typed">
          <label>{t('masks.x')} <input type="number" min={0} max={1} step={0.01} value={typed.x} onChange={(e) => setTyped({ ...typed, x: Number(e.target.value) })} /></label>
          <label>{t('masks.y')} <input type="number" min={0} max={1} step={0.01} value={typed.y} onChange={(e) => setTyped({ ...typed, y: Number(e.target.value) })} /></label>
          <button type="button" onClick={() => addPoint(typed)}>{t('masks.addPoint')}</button>
          <button type="button" onClick={() => change(editing, { points: list[editing]!.points.slice(0, -1) })}>{t('masks.undoPoint')}</button>
          {crossing && <span role="status" className="warn">{t('masks.crossing')}</span>}
        </div>
      )}
      {error && <p role="alert">{error}</p>}
      <div className="row">
        {canEdit && <button type="button" onClick={newMask} disabled={list.length >= MAX_MASKS}>{t('masks.new')}</button>}
        {canEdit && drafts !== null && <button type="button" className="primary" onClick={submit} disabled={saving.isLoading}>{t('masks.save')}</button>}
        <button type="button" onClick={onClose}>{t('masks.close')}</button>
      </div>
      {lifting !== null && (
        <ReasonDialog name="mask-lift" onClose={() => setLifting(null)}
          texts={{ title: t('masks.liftTitle'), scope: t('masks.liftScope'), label: t('masks.reason'), placeholder: t('masks.reasonPlaceholder'), required: t('masks.reasonRequired'), submit: t('masks.lift'), cancel: t('masks.cancel') }}
          onSubmit={(reason) => lift({ channelId, id: lifting, reason }).unwrap()} />
      )}
    </div>
  );
}
