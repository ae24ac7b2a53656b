import { useState, type FormEvent } from 'react';
import { useTranslation } from 'react-i18next';
import { sameStream, type StreamProbe } from '../../../../electron/contract';
import { useAddChannelMutation, useChannelsQuery } from '../live/live-api';
import { errorText } from './DeviceEdit';
import { useProbeStreamMutation } from './devices-api';
import { errorText as stationErrorText } from '../../i18n/errors';

type Field = 'name' | 'mainUrl' | 'subUrl';
type Tried = { field: 'mainUrl' | 'subUrl'; probe: StreamProbe };

/** The problem with an RTSP URL the user typed, as a catalogue key; null when it will do. */
function urlProblem(text: string): 'notRtsp' | 'noHost' | null {
  try {
    const u = new URL(text);
    if (!/^rtsps?:$/.test(u.protocol)) return 'notRtsp';
    return u.hostname ? null : 'noHost';
  } catch {
    return /^rtsps?:\/\/$/i.test(text) ? 'noHost' : 'notRtsp';
  }
}

/**
 * Adds a camera by RTSP URL (the Live page's "+ Add" and the Devices page): a name no other camera has, a stream no other camera
 * shows unless the user confirms it, and each stream tried before it is saved, saying what it found (codec and size, or why not);
 * an unreachable camera is saved only when the user says so.
 */
export function RtspCameraForm({ onDone, className }: { onDone(): void; className?: string }) {
  const { t } = useTranslation('devices');
  const { data: channels = [] } = useChannelsQuery();
  const [add, adding] = useAddChannelMutation();
  const [probe, probing] = useProbeStreamMutation();
  const [form, setForm] = useState<Record<Field, string>>({ name: '', mainUrl: '', subUrl: '' });
  const [problem, setProblem] = useState('');
  const [sameAs, setSameAs] = useState<{ field: 'mainUrl' | 'subUrl'; name: string } | null>(null);
  const [tried, setTried] = useState<Tried[]>([]);
  // The user said yes to a stream another camera shows already (kept for "Save anyway").
  const [confirmed, setConfirmed] = useState(false);
  const [added, setAdded] = useState('');
  const label = (f: 'mainUrl' | 'subUrl') => t(f === 'mainUrl' ? 'rtsp.mainUrlLabel' : 'rtsp.subUrlLabel');

  const edit = (f: Field, v: string) => {
    setForm((x) => ({ ...x, [f]: v }));
    setProblem('');
    setSameAs(null);
    setTried([]);
    setConfirmed(false);
    setAdded('');
    adding.reset();
  };

  const save = async (allowSameUrl: boolean) => {
    const input = { name: form.name.trim(), mainUrl: form.mainUrl.trim(), subUrl: form.subUrl.trim() || null, allowSameUrl };
    const r = await add(input);
    if ('error' in r) return;
    setForm({ name: '', mainUrl: '', subUrl: '' });
    setSameAs(null);
    setAdded(input.name);
  };

  /** Checks what can be checked here, then tries each stream; saves at once when every stream answered. */
  const submit = async (e: FormEvent | null, confirmedSameUrl = false) => {
    e?.preventDefault();
    setProblem('');
    setAdded('');
    const name = form.name.trim();
    const urls = (['mainUrl', 'subUrl'] as const).map((f) => [f, form[f].trim()] as const).filter(([f, u]) => f === 'mainUrl' || u);
    if (!name) return setProblem(t('rtsp.errors.nameRequired'));
    const taken = channels.find((c) => c.name.trim().toLowerCase() === name.toLowerCase());
    if (taken) return setProblem(t('rtsp.errors.nameTaken', { name: taken.name }));
    for (const [f, u] of urls) {
      const p = u ? urlProblem(u) : 'notRtsp';
      if (p) return setProblem(t(`rtsp.errors.${p}`, { field: label(f) }));
    }
    if (!confirmedSameUrl) {
      for (const [f, u] of urls) {
        const other = channels.find((c) => sameStream(c.mainUrl, u) || (c.subUrl !== null && sameStream(c.subUrl, u)));
        if (other) return setSameAs({ field: f, name: other.name });
      }
    }
    setSameAs(null);
    setConfirmed(confirmedSameUrl);
    setTried([]);
    const results: Tried[] = [];
    for (const [f, u] of urls) {
      const r = await probe({ url: u });
      results.push({ field: f, probe: 'data' in r && r.data ? r.data : { ok: false, reason: errorText(r.error, t('rtsp.couldNotTry')) } });
    }
    setTried(results);
    if (results.every((r) => r.probe.ok)) await save(confirmedSameUrl);
  };

  const found = (r: Tried) => {
    const stream = label(r.field);
    if (!r.probe.ok) return t('rtsp.notOpened', { stream, reason: r.probe.error ? stationErrorText(r.probe.error) : r.probe.reason ?? '' });
    const what = r.probe.width && r.probe.height
      ? t('rtsp.foundSize', { stream, codec: r.probe.codec ?? '?', width: r.probe.width, height: r.probe.height })
      : t('rtsp.found', { stream, codec: r.probe.codec ?? '?' });
    return r.probe.audio ? `${what} ${t('rtsp.withAudio', { audio: r.probe.audio })}` : what;
  };
  const failed = tried.some((r) => !r.probe.ok);
  const busy = adding.isLoading || probing.isLoading;
  const input = (f: Field) => (
    <label className="field-stack">{t(`rtsp.${f}`)}
      <input name={f} value={form[f]} placeholder={t(`rtsp.${f}Placeholder`)} spellCheck={false} autoComplete="off" onChange={(e) => edit(f, e.target.value)} />
    </label>
  );

  return (
    <form className={`dev-form ${className ?? ''}`} onSubmit={(e) => void submit(e)} aria-label={t('rtsp.formLabel')}>
      {input('name')}
      {input('mainUrl')}
      {input('subUrl')}
      {problem && <p className="bad small" role="alert">{problem}</p>}
      {adding.error && <p className="bad small" role="alert">{errorText(adding.error, t('rtsp.couldNotAdd'))}</p>}
      {sameAs && (
        <div className="dev-confirm">
          <p className="warn-text small" role="alert">{t('rtsp.sameUrl', { field: label(sameAs.field), name: sameAs.name })}</p>
          <button type="button" onClick={() => void submit(null, true)} disabled={busy}>{t('rtsp.addAnyway')}</button>
        </div>
      )}
      {probing.isLoading && <p className="muted small" role="status">{t('rtsp.trying')}</p>}
      {tried.length > 0 && (
        <ul className="dev-tried small" aria-label={t('rtsp.triedLabel')}>
          {tried.map((r) => <li key={r.field} data-probe={r.probe.ok ? 'ok' : 'failed'} className={r.probe.ok ? 'ok' : 'bad'}>{found(r)}</li>)}
        </ul>
      )}
      {failed && !added && (
        <div className="dev-confirm">
          <p className="muted small">{t('rtsp.saveAnywayNote')}</p>
          <button type="button" onClick={() => void save(confirmed)} disabled={busy}>{t('rtsp.saveAnyway')}</button>
        </div>
      )}
      {added && <p className="ok small" role="status">{t('rtsp.added', { name: added })}</p>}
      <div className="actions">
        <button type="submit" className="primary" disabled={busy}>{probing.isLoading ? t('rtsp.trying') : t('rtsp.addCamera')}</button>
        <button type="button" className="secondary" onClick={onDone}>{t(added ? 'common:close' : 'common:cancel')}</button>
      </div>
      <p className="muted small">{t('rtsp.passwordNote')}</p>
    </form>
  );
}
