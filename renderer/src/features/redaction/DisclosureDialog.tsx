import { useEffect, useState, type PointerEvent } from 'react';
import { useTranslation } from 'react-i18next';
import {
  REDACTION_EFFECTS, REDACTION_QUALITIES, type RedactionBox, type RedactionKey, type RedactionProgress, type RedactionSettings,
} from '../../../../electron/contract';
import { useStationClient } from '../../app/client-context';
import { errorText } from '../../i18n/errors';
import { clockText, rangeText } from '../recording/timeline-view';
import { useModal } from '../../ui/use-modal';
import { useCancelRedactionMutation, useRedactionPreviewMutation, useStartRedactionMutation } from './redaction-api';

interface Props { channelId: number; name: string; from: number; to: number; /** The playhead: new keys go here. */ at: number; onClose(): void }

const clamp = (v: number) => Math.min(1, Math.max(0, v));
const round3 = (v: number) => Math.round(v * 1000) / 1000;

/**
 * Export for disclosure: the range re-encoded with the channel's masks, boxes keyed at a few instants (moved linearly in
 * between; "everything except" keeps only the requester), blur or pixelate, audio kept or removed, faces if wanted.
 * Stills rendered by the export's own filter are shown before anything is written.
 */
export function DisclosureDialog({ channelId, name, from, to, at, onClose }: Props) {
  const { t } = useTranslation('recording');
  const client = useStationClient();
  const box = useModal<HTMLDivElement>(onClose);
  const [settings, setSettings] = useState<RedactionSettings>({ effect: 'blur', quality: 'medium', audio: false, faces: false });
  const [boxes, setBoxes] = useState<RedactionBox[]>([]);
  const [current, setCurrent] = useState<{ box: number; key: number } | null>(null);
  const [stills, setStills] = useState<{ at: number; jpegBase64: string }[]>([]);
  const [job, setJob] = useState<{ exportId: number; folder: string } | null>(null);
  const [progress, setProgress] = useState<RedactionProgress | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [drag, setDrag] = useState<{ x: number; y: number } | null>(null);
  const [preview, previewing] = useRedactionPreviewMutation();
  const [start] = useStartRedactionMutation();
  const [cancel] = useCancelRedactionMutation();
  useEffect(() => client.on('redaction.progress', (p) => { if (p.exportId === job?.exportId) setProgress(p); }), [client, job]);

  const keyAt = (when: number): RedactionKey => ({ at: Math.round(when), x: 0.35, y: 0.3, w: 0.3, h: 0.4 });
  const addBox = () => { setBoxes((b) => [...b, { inverted: false, keys: [keyAt(at)] }]); setCurrent({ box: boxes.length, key: 0 }); };
  const setKey = (bi: number, ki: number, patch: Partial<RedactionKey>) =>
    setBoxes((bs) => bs.map((b, i) => (i !== bi ? b : { ...b, keys: b.keys.map((k, j) => (j !== ki ? k : { ...k, ...patch })) })));
  /** A key of the chosen box at `when` (the playhead or a still): the one there, or a new one copied from the nearest. */
  const keyFor = (bi: number, when: number) => {
    const b = boxes[bi]!;
    const i = b.keys.findIndex((k) => Math.abs(k.at - when) < 20);
    if (i >= 0) return i;
    const near = [...b.keys].sort((p, q) => Math.abs(p.at - when) - Math.abs(q.at - when))[0]!;
    const keys = [...b.keys, { ...near, at: Math.round(when) }].sort((p, q) => p.at - q.at);
    setBoxes((bs) => bs.map((x, j) => (j === bi ? { ...x, keys } : x)));
    return keys.findIndex((k) => k.at === Math.round(when));
  };
  const job0 = { channelId, boxes, settings };
  const showPreview = () => {
    setError(null);
    const instants = [...new Set([from, Math.round(Math.min(Math.max(at, from), to - 1)), Math.round(to - 1)].map(Math.round))];
    preview({ ...job0, at: instants }).unwrap().then((r) => setStills(r.frames), (e: unknown) => setError(errorText(e)));
  };
  const begin = () => {
    setError(null);
    start({ ...job0, from: Math.round(from), to: Math.round(to) }).unwrap().then(setJob, (e: unknown) => setError(errorText(e)));
  };
  // Drag on a still: the chosen box's rectangle at that still's instant.
  const point = (e: PointerEvent<HTMLImageElement>) => {
    const r = e.currentTarget.getBoundingClientRect();
    return { x: clamp((e.clientX - r.left) / r.width), y: clamp((e.clientY - r.top) / r.height) };
  };
  const dragEnd = (e: PointerEvent<HTMLImageElement>, when: number) => {
    if (!drag || !current) return;
    const p = point(e);
    const rect = { x: round3(Math.min(p.x, drag.x)), y: round3(Math.min(p.y, drag.y)), w: round3(Math.abs(p.x - drag.x)), h: round3(Math.abs(p.y - drag.y)) };
    setDrag(null);
    if (rect.w < 0.01 || rect.h < 0.01) return;
    const ki = keyFor(current.box, when);
    setKey(current.box, ki, rect);
    setCurrent({ box: current.box, key: ki });
  };
  const state = progress?.state ?? 'running';
  const sel = current && boxes[current.box] ? { box: boxes[current.box]!, key: boxes[current.box]!.keys[current.key] } : null;

  return (
    <div className="pb-dialog disclosure" role="dialog" aria-modal="true" aria-label={t('disclosure.title')} ref={box}>
      <h2>{t('disclosure.title')}</h2>
      <p className="muted">{name} · {rangeText(from, to)}</p>
      <fieldset disabled={!!job}>
        <legend>{t('disclosure.settings')}</legend>
        <label>{t('disclosure.effect')} <select value={settings.effect} onChange={(e) => setSettings({ ...settings, effect: e.target.value as RedactionSettings['effect'] })}>
          {REDACTION_EFFECTS.map((v) => <option key={v} value={v}>{t(`disclosure.effects.${v}`)}</option>)}
        </select></label>
        <label>{t('disclosure.quality')} <select value={settings.quality} onChange={(e) => setSettings({ ...settings, quality: e.target.value as RedactionSettings['quality'] })}>
          {REDACTION_QUALITIES.map((v) => <option key={v} value={v}>{t(`disclosure.qualities.${v}`)}</option>)}
        </select></label>
        <label><input type="checkbox" checked={settings.audio} onChange={(e) => setSettings({ ...settings, audio: e.target.checked })} /> {t('disclosure.audio')}</label>
        <label><input type="checkbox" checked={settings.faces} onChange={(e) => setSettings({ ...settings, faces: e.target.checked })} /> {t('disclosure.faces')}</label>
      </fieldset>
      <fieldset disabled={!!job}>
        <legend>{t('disclosure.boxes')}</legend>
        <p className="muted">{t('disclosure.boxesHint')}</p>
        <ul className="disclosure-boxes">
          {boxes.map((b, bi) => (
            <li key={bi} className={current?.box === bi ? 'on' : ''}>
              <button type="button" aria-pressed={current?.box === bi} onClick={() => setCurrent({ box: bi, key: 0 })}>{t('disclosure.box', { n: bi + 1 })}</button>
              <label><input type="checkbox" checked={b.inverted} onChange={(e) => setBoxes((bs) => bs.map((x, i) => (i === bi ? { ...x, inverted: e.target.checked } : x)))} /> {t('disclosure.inverted')}</label>
              <button type="button" onClick={() => { setBoxes((bs) => bs.filter((_, i) => i !== bi)); setCurrent(null); }}>{t('disclosure.removeBox')}</button>
              <span className="muted">{t('disclosure.keys', { count: b.keys.length })}</span>
            </li>
          ))}
        </ul>
        <button type="button" onClick={addBox} data-testid="add-box">{t('disclosure.addBox')}</button>
        {sel?.key && current && (
          <div className="disclosure-key">
            <label>{t('disclosure.keyAt')} <select value={current.key} onChange={(e) => setCurrent({ ...current, key: Number(e.target.value) })}>
              {sel.box.keys.map((k, i) => <option key={i} value={i}>{clockText(k.at)}</option>)}
            </select></label>
            {(['x', 'y', 'w', 'h'] as const).map((f) => (
              <label key={f}>{t(`disclosure.${f}`)} <input type="number" min={0} max={1} step={0.01} value={sel.key![f]}
                onChange={(e) => setKey(current.box, current.key, { [f]: clamp(Number(e.target.value)) })} /></label>
            ))}
            <button type="button" onClick={() => setCurrent({ ...current, key: keyFor(current.box, at) })}>{t('disclosure.keyHere')}</button>
          </div>
        )}
      </fieldset>
      <div className="disclosure-stills">
        {stills.map((s) => (
          <figure key={s.at}>
            <img src={`data:image/jpeg;base64,${s.jpegBase64}`} alt={t('disclosure.still', { time: clockText(s.at) })} draggable={false} data-still={s.at}
              onPointerDown={(e) => setDrag(point(e))} onPointerUp={(e) => dragEnd(e, s.at)} />
            <figcaption>{clockText(s.at)}</figcaption>
          </figure>
        ))}
      </div>
      {!job && (
        <div className="row">
          <button type="button" onClick={showPreview} disabled={previewing.isLoading} data-testid="disclosure-preview">{t('disclosure.preview')}</button>
          <button type="button" className="primary" onClick={begin} data-testid="disclosure-start">{t('disclosure.start')}</button>
        </div>
      )}
      {job && (
        <>
          <progress max={100} value={Math.round((progress?.done ?? 0) * 100)} aria-label={t('disclosure.progress')} />
          <p data-redaction-state={state}>{t(`disclosure.state.${state}`)} {progress?.error ?? ''}</p>
          {state === 'running' && <button type="button" onClick={() => void cancel({ exportId: job.exportId }).unwrap().catch(() => {})}>{t('disclosure.cancel')}</button>}
          {state === 'done' && <p className="path" data-folder={job.folder}>{t('disclosure.written', { folder: job.folder })}</p>}
        </>
      )}
      {error && <p role="alert">{error}</p>}
      <button type="button" onClick={onClose}>{t('disclosure.close')}</button>
    </div>
  );
}
