import { useEffect, useRef, useState, type KeyboardEvent } from 'react';
import { useTranslation } from 'react-i18next';
import type { MotionConfig } from '../../../../electron/contract';
import { shortcutOf } from '../../app/shortcuts';
import { useChannelsQuery, useSnapshotMutation } from '../live/live-api';
import { useMotionConfigQuery, useSetMotionMutation } from './events-api';
import { errorText } from '../../i18n/errors';

const COLS = 16;
const ROWS = 9;

/** Per-channel local motion detection: on/off, sensitivity, and a 16x9 mask drawn over the camera's picture. */
function MotionEditor({ channelId }: { channelId: number }) {
  const { t } = useTranslation('events');
  const { data: saved } = useMotionConfigQuery(channelId);
  const [snapshot, { data: shot }] = useSnapshotMutation();
  const [setMotion, { isLoading, error, isSuccess }] = useSetMotionMutation();
  const [draft, setDraft] = useState<MotionConfig | null>(null);
  // The mask is one tab stop: the active cell; arrows, Home and End move, Space or Enter flips.
  const [active, setActive] = useState(0);
  const cells = useRef<(HTMLButtonElement | null)[]>([]);
  useEffect(() => setDraft(saved ?? null), [saved]);
  useEffect(() => void snapshot(channelId), [channelId, snapshot]);
  if (!draft) return <p className="muted">{t('motion.loading')}</p>;
  const flip = (i: number) => setDraft({ ...draft, mask: draft.mask.slice(0, i) + (draft.mask[i] === '1' ? '0' : '1') + draft.mask.slice(i + 1) });
  const onKey = (e: KeyboardEvent, i: number) => {
    if (shortcutOf(e, 'motionMask') !== 'motionMask.move') return;
    const col = i % COLS;
    const to = { ArrowLeft: col > 0 ? i - 1 : i, ArrowRight: col < COLS - 1 ? i + 1 : i, ArrowUp: i >= COLS ? i - COLS : i,
      ArrowDown: i < COLS * (ROWS - 1) ? i + COLS : i, Home: i - col, End: i - col + COLS - 1 }[e.key] ?? i;
    e.preventDefault();
    setActive(to);
    cells.current[to]?.focus();
  };
  return (
    <form className="ev-motion" onSubmit={(e) => { e.preventDefault(); void setMotion(draft); }}>
      <label className="ev-check"><input type="checkbox" checked={draft.enabled} onChange={() => setDraft({ ...draft, enabled: !draft.enabled })} name="motion-enabled" /> {t('motion.enabled')}</label>
      <label>{t('motion.sensitivity')} <input type="range" min={1} max={100} value={draft.sensitivity} onChange={(e) => setDraft({ ...draft, sensitivity: Number(e.target.value) })} name="motion-sensitivity" /> {draft.sensitivity}</label>
      <p className="muted">{t('motion.maskHint')}</p>
      <div className="ev-mask" role="group" aria-label={t('motion.maskLabel')}>
        {shot && <img src={`data:image/jpeg;base64,${shot.jpegBase64}`} alt="" />}
        <div className="ev-mask-grid">
          {Array.from({ length: COLS * ROWS }, (_, i) => (
            <button key={i} type="button" ref={(el) => void (cells.current[i] = el)} tabIndex={i === active ? 0 : -1} onKeyDown={(e) => onKey(e, i)} onFocus={() => setActive(i)}
              className={draft.mask[i] === '1' ? 'masked' : ''} aria-pressed={draft.mask[i] === '1'}
              aria-label={t('motion.cell', { row: Math.floor(i / COLS) + 1, column: (i % COLS) + 1 })} onClick={() => flip(i)} data-cell={i} />
          ))}
        </div>
      </div>
      <div className="ev-form-buttons">
        <button type="submit" className="primary" disabled={isLoading}>{t('common:save')}</button>
        <button type="button" onClick={() => setDraft({ ...draft, mask: '0'.repeat(COLS * ROWS) })}>{t('motion.clearMask')}</button>
        {isSuccess && <span className="muted" role="status">{t('common:saved')}</span>}
        {error && <span className="error" role="alert">{errorText(error)}</span>}
      </div>
    </form>
  );
}

export function MotionSettings() {
  const { t } = useTranslation('events');
  const { data: channels = [] } = useChannelsQuery();
  const [channelId, setChannelId] = useState<number | null>(null);
  const id = channelId ?? channels[0]?.id ?? null;
  if (id === null) return <p className="muted">{t('motion.noCamera')}</p>;
  return (
    <section aria-label={t('motion.sectionLabel')}>
      <label>{t('motion.camera')} <select value={id} onChange={(e) => setChannelId(Number(e.target.value))} name="motion-channel">
        {channels.map((c) => <option key={c.id} value={c.id}>{c.name}</option>)}
      </select></label>
      <MotionEditor key={id} channelId={id} />
    </section>
  );
}
