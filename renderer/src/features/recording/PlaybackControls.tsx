import { useTranslation } from 'react-i18next';
import { PLAYBACK_SPEEDS, type PlaybackState } from '../../../../electron/contract';
import { useMay } from '../operators/rights';
import { rangeText } from './timeline-view';

const speedLabel = (s: number) => (s === 0.125 ? '⅛×' : s === 0.25 ? '¼×' : s === 0.5 ? '½×' : `${s}×`);

interface Props {
  /** The instant under the playhead, if any. */
  now?: number;
  /** The open session's state (controls other than jumps need one). */
  state?: PlaybackState;
  sound: boolean;
  selection?: { from: number; to: number };
  canLock: boolean;
  onSeek(t: number): void;
  onStep(frames: number): void;
  onTogglePause(): void;
  onToggleSound(): void;
  onSpeed(speed: number): void;
  onExport(): void;
  /** Export for disclosure: a redacted copy of the range (this station's archive only). */
  onDisclose(): void;
  onLock(): void;
}

/** The toolbar under the videos: jumps, frame steps, play/pause, sound, speed, and export or lock of the selected range. */
export function PlaybackControls({ now, state, sound, selection, canLock, onSeek, onStep, onTogglePause, onToggleSound, onSpeed, onExport, onDisclose, onLock }: Props) {
  // Only what the user may do is offered (export, evidence locks).
  const mayExport = useMay('export'), mayLock = useMay('evidence');
  const { t } = useTranslation('recording');
  const jump = (ms: number) => () => now !== undefined && onSeek(now + ms);
  return (
    <div className="pb-controls" role="toolbar" aria-label={t('controls.label')}>
      <button type="button" onClick={jump(-60_000)} title={t('controls.back1mTitle')}>{t('controls.back1m')}</button>
      <button type="button" onClick={jump(-10_000)} title={t('controls.back10sTitle')}>{t('controls.back10s')}</button>
      <button type="button" disabled={!state} onClick={() => onStep(-1)} title={t('controls.previousFrame')}>◀|</button>
      <button type="button" disabled={!state} data-testid="pb-play" onClick={onTogglePause}>
        {state?.paused ? t('controls.play') : t('controls.pause')}
      </button>
      <button type="button" disabled={!state} onClick={() => onStep(1)} title={t('controls.nextFrame')}>|▶</button>
      <button type="button" onClick={jump(10_000)} title={t('controls.forward10sTitle')}>{t('controls.forward10s')}</button>
      <button type="button" onClick={jump(60_000)} title={t('controls.forward1mTitle')}>{t('controls.forward1m')}</button>
      <button type="button" className={sound ? 'on' : ''} aria-pressed={sound} data-testid="pb-sound" aria-label={t('controls.sound')} onClick={onToggleSound}
        title={sound && state && state.speed !== 1 ? t('controls.soundSilent') : t('controls.soundHint')}>♪</button>
      <label>{t('controls.speed')}
        <select value={state?.speed ?? 1} disabled={!state} onChange={(e) => onSpeed(Number(e.target.value))}>
          {PLAYBACK_SPEEDS.map((s) => <option key={s} value={s}>{s < 0 ? t('controls.rewind', { speed: speedLabel(-s) }) : speedLabel(s)}</option>)}
        </select>
      </label>
      <span className="pb-sel muted" data-testid="pb-selection" data-from={selection?.from} data-to={selection?.to} title={selection ? rangeText(selection.from, selection.to) : undefined}>
        {selection ? rangeText(selection.from, selection.to, true) : t('controls.selectHint')}
      </span>
      {mayExport && <button type="button" disabled={!selection} onClick={onExport} data-testid="pb-export">{t('controls.export')}</button>}
      <button type="button" disabled={!selection || !canLock} onClick={onDisclose} data-testid="disclose">{t('controls.disclose')}</button>
      {mayLock && <button type="button" disabled={!selection || !canLock} onClick={onLock} data-testid="pb-lock">{t('controls.lock')}</button>}
    </div>
  );
}
