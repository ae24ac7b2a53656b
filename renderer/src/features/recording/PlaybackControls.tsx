import { PLAYBACK_SPEEDS, type PlaybackState } from '../../../../electron/contract';
import { clockText } from './timeline-view';

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
  onLock(): void;
}

/** The toolbar under the videos: jumps, frame steps, play/pause, sound, speed, and export or lock of the selected range. */
export function PlaybackControls({ now, state, sound, selection, canLock, onSeek, onStep, onTogglePause, onToggleSound, onSpeed, onExport, onLock }: Props) {
  const jump = (ms: number) => () => now !== undefined && onSeek(now + ms);
  return (
    <div className="pb-controls" role="toolbar" aria-label="Playback controls">
      <button type="button" onClick={jump(-60_000)} title="Back 1 minute">−1m</button>
      <button type="button" onClick={jump(-10_000)} title="Back 10 seconds">−10s</button>
      <button type="button" disabled={!state} onClick={() => onStep(-1)} title="Previous frame">◀|</button>
      <button type="button" disabled={!state} data-testid="pb-play" onClick={onTogglePause}>
        {state?.paused ? 'Play' : 'Pause'}
      </button>
      <button type="button" disabled={!state} onClick={() => onStep(1)} title="Next frame">|▶</button>
      <button type="button" onClick={jump(10_000)} title="Forward 10 seconds">+10s</button>
      <button type="button" onClick={jump(60_000)} title="Forward 1 minute">+1m</button>
      <button type="button" className={sound ? 'on' : ''} aria-pressed={sound} data-testid="pb-sound" aria-label="Sound" onClick={onToggleSound}
        title={sound && state && state.speed !== 1 ? 'Sound plays at 1× only: silent at this speed' : "Cameras' sound (plays at 1× only)"}>♪</button>
      <label>Speed
        <select value={state?.speed ?? 1} disabled={!state} onChange={(e) => onSpeed(Number(e.target.value))}>
          {PLAYBACK_SPEEDS.map((s) => <option key={s} value={s}>{s < 0 ? `rewind ${-s}×` : speedLabel(s)}</option>)}
        </select>
      </label>
      <span className="pb-sel muted">{selection ? `${clockText(selection.from)} – ${clockText(selection.to)}` : 'Shift+drag on a timeline selects a range'}</span>
      <button type="button" disabled={!selection} onClick={onExport}>Export…</button>
      <button type="button" disabled={!selection || !canLock} onClick={onLock}>Lock…</button>
    </div>
  );
}
