import { forwardRef, useCallback, useEffect, useImperativeHandle, useRef, useState, type PointerEvent } from 'react';
import type { ErrorInfo, PtzPreset } from '../../../../electron/contract';
import { useAppDispatch } from '../../app/hooks';
import { ptzMove, ptzStop, useLazyPtzPresetsQuery, usePtzGotoPresetMutation, usePtzSetPresetMutation } from './live-api';

type Vector = { pan: number; tilt: number; zoom: number };

/** Keys that move a PTZ camera while its tile is in PTZ mode; releasing the key stops it. */
export const PTZ_KEYS: Record<string, Vector> = {
  ArrowLeft: { pan: -0.5, tilt: 0, zoom: 0 },
  ArrowRight: { pan: 0.5, tilt: 0, zoom: 0 },
  ArrowUp: { pan: 0, tilt: 0.5, zoom: 0 },
  ArrowDown: { pan: 0, tilt: -0.5, zoom: 0 },
  '+': { pan: 0, tilt: 0, zoom: 0.5 },
  '=': { pan: 0, tilt: 0, zoom: 0.5 },
  '-': { pan: 0, tilt: 0, zoom: -0.5 },
};

const PAD: { label: string; title: string; v: Vector; area: string }[] = [
  { label: '▲', title: 'Tilt up', v: { pan: 0, tilt: 0.5, zoom: 0 }, area: 'u' },
  { label: '◀', title: 'Pan left', v: { pan: -0.5, tilt: 0, zoom: 0 }, area: 'l' },
  { label: '▶', title: 'Pan right', v: { pan: 0.5, tilt: 0, zoom: 0 }, area: 'r' },
  { label: '▼', title: 'Tilt down', v: { pan: 0, tilt: -0.5, zoom: 0 }, area: 'd' },
  { label: '+', title: 'Zoom in', v: { pan: 0, tilt: 0, zoom: 0.5 }, area: 'zi' },
  { label: '−', title: 'Zoom out', v: { pan: 0, tilt: 0, zoom: -0.5 }, area: 'zo' },
];

export interface PtzHandle { press(v: Vector): void; release(): void }

/** A tile's PTZ overlay: hold a direction to move, let go to stop; presets to go to and save. */
export const PtzControls = forwardRef<PtzHandle, { channelId: number; channelName: string }>(function PtzControls({ channelId, channelName }, ref) {
  const dispatch = useAppDispatch();
  const [fetchPresets] = useLazyPtzPresetsQuery();
  const [setPresetAt] = usePtzSetPresetMutation();
  const [gotoPreset] = usePtzGotoPresetMutation();
  const [presets, setPresets] = useState<PtzPreset[]>([]);
  const [preset, setPreset] = useState('');
  const [name, setName] = useState('');
  const [message, setMessage] = useState<string | null>(null);
  const moving = useRef(false);

  const fail = useCallback((what: string) => (err: unknown) => setMessage(`${what}: ${(err as ErrorInfo).message}`), []);
  const press = useCallback((v: Vector) => {
    moving.current = true;
    dispatch(ptzMove({ channelId, ...v })).unwrap().catch(fail('Move failed'));
  }, [dispatch, channelId, fail]);
  const release = useCallback(() => {
    if (!moving.current) return;
    moving.current = false;
    dispatch(ptzStop(channelId)).unwrap().catch(fail('Stop failed'));
  }, [dispatch, channelId, fail]);
  useImperativeHandle(ref, () => ({ press, release }), [press, release]);

  const load = useCallback(() => fetchPresets(channelId).unwrap().then((p) => {
    setPresets(p);
    setPreset((cur) => (p.some((x) => x.token === cur) ? cur : p[0]?.token ?? ''));
  }, fail('Presets')), [fetchPresets, channelId, fail]);
  useEffect(() => { void load(); }, [load]);

  // A camera never keeps turning: stop when the window loses focus or the controls go away.
  useEffect(() => {
    window.addEventListener('blur', release);
    return () => { window.removeEventListener('blur', release); release(); };
  }, [release]);

  const save = async () => {
    const n = name.trim() || presets.find((p) => p.token === preset)?.name || '';
    if (!n) { setMessage('Name the preset first'); return; }
    const existing = presets.find((p) => p.name === n);
    try {
      const saved = await setPresetAt({ channelId, name: n, ...(existing ? { token: existing.token } : {}) }).unwrap();
      setMessage(`Saved preset "${saved.name}"`);
      setName('');
      await load();
      setPreset(saved.token);
    } catch (err) { fail('Save failed')(err); }
  };
  const go = () => {
    if (!preset) return;
    gotoPreset({ channelId, token: preset }).unwrap()
      .then(() => setMessage(`At "${presets.find((p) => p.token === preset)?.name ?? preset}"`), fail('Go to preset failed'));
  };

  const hold = (v: Vector) => ({
    onPointerDown: (e: PointerEvent) => { e.stopPropagation(); (e.currentTarget as Element).setPointerCapture(e.pointerId); press(v); },
    onPointerUp: release, onPointerCancel: release, onLostPointerCapture: release, onPointerLeave: release, onBlur: release,
    onKeyDown: (e: React.KeyboardEvent) => { if ((e.key === ' ' || e.key === 'Enter') && !e.repeat) { e.preventDefault(); e.stopPropagation(); press(v); } },
    onKeyUp: (e: React.KeyboardEvent) => { if (e.key === ' ' || e.key === 'Enter') { e.preventDefault(); e.stopPropagation(); release(); } },
  });

  return (
    <div className="ptz" role="group" aria-label={`PTZ for ${channelName}`} data-testid="ptz"
      onDoubleClick={(e) => e.stopPropagation()} onWheel={(e) => e.stopPropagation()}>
      <div className="ptz-pad">
        {PAD.map((b) => (
          <button key={b.area} type="button" className={`ptz-${b.area}`} title={`${b.title} (hold)`} aria-label={b.title} {...hold(b.v)}>{b.label}</button>
        ))}
      </div>
      <div className="ptz-side">
        <div className="ptz-presets" onKeyDown={(e) => e.stopPropagation()}>
          <select aria-label="Preset" value={preset} onChange={(e) => setPreset(e.target.value)}>
            {presets.length === 0 && <option value="">No presets</option>}
            {presets.map((p) => <option key={p.token} value={p.token}>{p.name}</option>)}
          </select>
          <button type="button" onClick={go} disabled={!preset}>Go</button>
          <input aria-label="New preset name" placeholder="Preset name" value={name} maxLength={64}
            onChange={(e) => setName(e.target.value)} onKeyDown={(e) => e.key === 'Enter' && void save()} />
          <button type="button" onClick={() => void save()} title="Save the camera's current position under this name">Save</button>
        </div>
        {message && <div className="ptz-msg" role="status">{message}</div>}
      </div>
    </div>
  );
});
