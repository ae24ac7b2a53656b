import { forwardRef, useCallback, useEffect, useImperativeHandle, useRef, useState, type PointerEvent } from 'react';
import { useTranslation } from 'react-i18next';
import type { PtzPreset } from '../../../../electron/contract';
import { useAppDispatch } from '../../app/hooks';
import { shortcutOf } from '../../app/shortcuts';
import { ptzMove, ptzStop, useLazyPtzPresetsQuery, usePtzGotoPresetMutation, usePtzSetPresetMutation } from './live-api';
import { errorText } from '../../i18n/errors';

type Vector = { pan: number; tilt: number; zoom: number };

const ARROW_MOVES: Record<string, Vector> = {
  ArrowLeft: { pan: -0.5, tilt: 0, zoom: 0 },
  ArrowRight: { pan: 0.5, tilt: 0, zoom: 0 },
  ArrowUp: { pan: 0, tilt: 0.5, zoom: 0 },
  ArrowDown: { pan: 0, tilt: -0.5, zoom: 0 },
};

/** The move a key asks of a camera while its tile is in PTZ mode (the ptz shortcuts); releasing the key stops it. */
export function ptzMoveOf(e: Pick<KeyboardEvent, 'key' | 'altKey' | 'shiftKey' | 'ctrlKey' | 'metaKey'>): Vector | undefined {
  const what = shortcutOf(e, 'ptz');
  if (what === 'ptz.zoomIn') return { pan: 0, tilt: 0, zoom: 0.5 };
  if (what === 'ptz.zoomOut') return { pan: 0, tilt: 0, zoom: -0.5 };
  return what === 'ptz.move' ? ARROW_MOVES[e.key] : undefined;
}

/** The pad's buttons: a symbol, the catalogue key (ptz.*) of what it does, the move, and its place in the pad. */
const PAD: { label: string; title: 'tiltUp' | 'panLeft' | 'panRight' | 'tiltDown' | 'zoomIn' | 'zoomOut'; v: Vector; area: string }[] = [
  { label: '▲', title: 'tiltUp', v: { pan: 0, tilt: 0.5, zoom: 0 }, area: 'u' },
  { label: '◀', title: 'panLeft', v: { pan: -0.5, tilt: 0, zoom: 0 }, area: 'l' },
  { label: '▶', title: 'panRight', v: { pan: 0.5, tilt: 0, zoom: 0 }, area: 'r' },
  { label: '▼', title: 'tiltDown', v: { pan: 0, tilt: -0.5, zoom: 0 }, area: 'd' },
  { label: '+', title: 'zoomIn', v: { pan: 0, tilt: 0, zoom: 0.5 }, area: 'zi' },
  { label: '−', title: 'zoomOut', v: { pan: 0, tilt: 0, zoom: -0.5 }, area: 'zo' },
];

export interface PtzHandle { press(v: Vector): void; release(): void }

/** A tile's PTZ overlay: hold a direction to move, let go to stop; presets to go to and save. */
export const PtzControls = forwardRef<PtzHandle, { channelId: number; channelName: string }>(function PtzControls({ channelId, channelName }, ref) {
  const { t } = useTranslation('live');
  const dispatch = useAppDispatch();
  const [fetchPresets] = useLazyPtzPresetsQuery();
  const [setPresetAt] = usePtzSetPresetMutation();
  const [gotoPreset] = usePtzGotoPresetMutation();
  const [presets, setPresets] = useState<PtzPreset[]>([]);
  const [preset, setPreset] = useState('');
  const [name, setName] = useState('');
  const [message, setMessage] = useState<string | null>(null);
  const moving = useRef(false);

  const fail = useCallback((what: 'move' | 'stop' | 'presets' | 'save' | 'goto') => (err: unknown) =>
    setMessage(t(`ptz.failed.${what}`, { message: errorText(err) })), [t]);
  const press = useCallback((v: Vector) => {
    moving.current = true;
    dispatch(ptzMove({ channelId, ...v })).unwrap().catch(fail('move'));
  }, [dispatch, channelId, fail]);
  const release = useCallback(() => {
    if (!moving.current) return;
    moving.current = false;
    dispatch(ptzStop(channelId)).unwrap().catch(fail('stop'));
  }, [dispatch, channelId, fail]);
  useImperativeHandle(ref, () => ({ press, release }), [press, release]);

  const load = useCallback(() => fetchPresets(channelId).unwrap().then((p) => {
    setPresets(p);
    setPreset((cur) => (p.some((x) => x.token === cur) ? cur : p[0]?.token ?? ''));
  }, fail('presets')), [fetchPresets, channelId, fail]);
  useEffect(() => { void load(); }, [load]);

  // A camera never keeps turning: stop when the window loses focus or the controls go away.
  useEffect(() => {
    window.addEventListener('blur', release);
    return () => { window.removeEventListener('blur', release); release(); };
  }, [release]);

  const save = async () => {
    const n = name.trim() || presets.find((p) => p.token === preset)?.name || '';
    if (!n) { setMessage(t('ptz.nameFirst')); return; }
    const existing = presets.find((p) => p.name === n);
    try {
      const saved = await setPresetAt({ channelId, name: n, ...(existing ? { token: existing.token } : {}) }).unwrap();
      setMessage(t('ptz.savedPreset', { name: saved.name }));
      setName('');
      await load();
      setPreset(saved.token);
    } catch (err) { fail('save')(err); }
  };
  const go = () => {
    if (!preset) return;
    gotoPreset({ channelId, token: preset }).unwrap()
      .then(() => setMessage(t('ptz.atPreset', { name: presets.find((p) => p.token === preset)?.name ?? preset })), fail('goto'));
  };

  const hold = (v: Vector) => ({
    onPointerDown: (e: PointerEvent) => { e.stopPropagation(); (e.currentTarget as Element).setPointerCapture(e.pointerId); press(v); },
    onPointerUp: release, onPointerCancel: release, onLostPointerCapture: release, onPointerLeave: release, onBlur: release,
    onKeyDown: (e: React.KeyboardEvent) => { if ((e.key === ' ' || e.key === 'Enter') && !e.repeat) { e.preventDefault(); e.stopPropagation(); press(v); } },
    onKeyUp: (e: React.KeyboardEvent) => { if (e.key === ' ' || e.key === 'Enter') { e.preventDefault(); e.stopPropagation(); release(); } },
  });

  return (
    <div className="ptz" role="group" aria-label={t('ptz.label', { name: channelName })} data-testid="ptz"
      onDoubleClick={(e) => e.stopPropagation()} onWheel={(e) => e.stopPropagation()}>
      <div className="ptz-pad">
        {PAD.map((b) => (
          <button key={b.area} type="button" className={`ptz-${b.area}`} title={t('ptz.hold', { action: t(`ptz.${b.title}`) })} aria-label={t(`ptz.${b.title}`)} {...hold(b.v)}>{b.label}</button>
        ))}
      </div>
      <div className="ptz-side">
        <div className="ptz-presets" onKeyDown={(e) => e.stopPropagation()}>
          <select aria-label={t('ptz.preset')} value={preset} onChange={(e) => setPreset(e.target.value)}>
            {presets.length === 0 && <option value="">{t('ptz.noPresets')}</option>}
            {presets.map((p) => <option key={p.token} value={p.token}>{p.name}</option>)}
          </select>
          <button type="button" onClick={go} disabled={!preset}>{t('ptz.go')}</button>
          <input aria-label={t('ptz.newPresetName')} placeholder={t('ptz.presetName')} value={name} maxLength={64}
            onChange={(e) => setName(e.target.value)} onKeyDown={(e) => e.key === 'Enter' && void save()} />
          <button type="button" onClick={() => void save()} title={t('ptz.saveTitle')}>{t('common:save')}</button>
        </div>
        {message && <div className="ptz-msg" role="status">{message}</div>}
      </div>
    </div>
  );
});
