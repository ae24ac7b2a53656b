import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import type { Channel, FisheyeLens } from '../../../../electron/contract';
import { errorText } from '../../i18n/errors';
import { useModal } from '../../ui/use-modal';
import { useSetChannelLensMutation } from '../devices/devices-api';
import { StreamVideo } from './StreamVideo';

interface Props { channel: Channel; onClose(): void }

const MOUNTS: FisheyeLens['mount'][] = ['ceiling', 'wall', 'floor'];
const FITTED: FisheyeLens = { cx: 0.5, cy: 0.5, radius: 0.5, mount: 'ceiling' };
const pct = (v: number) => Math.round(v * 1000) / 10;

/**
 * A channel's lens: whether it is a fisheye, how it is mounted, and where its circle lies in the picture (centre and
 * radius in percent, drawn over the live picture so the circle can be matched by eye).
 */
export function LensDialog({ channel, onClose }: Props) {
  const { t } = useTranslation('live');
  const box = useModal<HTMLDivElement>(onClose);
  const [fisheye, setFisheye] = useState(!!channel.lens);
  const [lens, setLens] = useState<FisheyeLens>(channel.lens ?? FITTED);
  const [picture, setPicture] = useState({ w: 16, h: 9 });
  const [error, setError] = useState<string | null>(null);
  const [save, saving] = useSetChannelLensMutation();
  const W = 1600, H = Math.round((W * picture.h) / picture.w);
  const num = (key: 'cx' | 'cy' | 'radius', label: string, max: number) => (
    <label>
      {label}
      <input type="number" min={0} max={max} step={0.5} value={pct(lens[key])} disabled={!fisheye}
        onChange={(e) => setLens({ ...lens, [key]: Number(e.target.value) / 100 })} />
    </label>
  );
  const submit = () => {
    setError(null);
    save({ id: channel.id, lens: fisheye ? lens : null }).unwrap().then(onClose, (e: unknown) => setError(errorText(e)));
  };

  return (
    <div className="pb-dialog lens-dialog" role="dialog" aria-modal="true" aria-label={t('lens.title', { name: channel.name })} ref={box}>
      <h2>{t('lens.title', { name: channel.name })}</h2>
      <div className="masks-picture" style={{ aspectRatio: `${picture.w} / ${picture.h}` }}>
        <StreamVideo streamId={`${channel.id}/sub`} pending={false} onFirstFrame={() => {}} onSize={setPicture} />
        {fisheye && (
          <svg className="lens-circle" viewBox={`0 0 ${W} ${H}`} preserveAspectRatio="xMidYMid meet" aria-hidden="true">
            <circle cx={lens.cx * W} cy={lens.cy * H} r={lens.radius * H} />
            <path d={`M ${lens.cx * W - 20} ${lens.cy * H} h 40 M ${lens.cx * W} ${lens.cy * H - 20} v 40`} />
          </svg>
        )}
      </div>
      <p className="muted">{t('lens.hint')}</p>
      <div className="lens-fields">
        <label className="check"><input type="checkbox" checked={fisheye} onChange={(e) => setFisheye(e.target.checked)} />{t('lens.fisheye')}</label>
        <label>
          {t('lens.mount')}
          <select value={lens.mount} disabled={!fisheye} onChange={(e) => setLens({ ...lens, mount: e.target.value as FisheyeLens['mount'] })}>
            {MOUNTS.map((m) => <option key={m} value={m}>{t(`lens.mounts.${m}`)}</option>)}
          </select>
        </label>
        {num('cx', t('lens.cx'), 100)}
        {num('cy', t('lens.cy'), 100)}
        {num('radius', t('lens.radius'), 150)}
        <button type="button" disabled={!fisheye} onClick={() => setLens({ ...FITTED, mount: lens.mount })}>{t('lens.fit')}</button>
      </div>
      {error && <p className="error" role="alert">{error}</p>}
      <div className="pb-dialog-actions">
        <button type="button" onClick={onClose}>{t('lens.cancel')}</button>
        <button type="button" className="primary" disabled={saving.isLoading} onClick={submit}>{t('lens.save')}</button>
      </div>
    </div>
  );
}
