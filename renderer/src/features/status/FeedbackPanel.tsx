import { useState, type FormEvent } from 'react';
import { useTranslation } from 'react-i18next';
import { errorText } from '../../i18n/errors';
import { formatBytes, formatDate, formatDateTime } from '../../i18n/format';
import { desktopBridge } from '../live/popout';
import { usePrivacyStateQuery, useSendFeedbackMutation, useSentFeedbackQuery } from '../privacy/privacy-api';

const MAX_FILES = 3;
const MAX_BYTES = 5 * 1024 * 1024;
type Shot = { name: string; contentType: 'image/png' | 'image/jpeg'; dataBase64: string; bytes: number };

function readShot(file: File): Promise<Shot> {
  return new Promise((resolve, reject) => {
    const r = new FileReader();
    r.onload = () => resolve({
      name: file.name, contentType: file.type === 'image/png' ? 'image/png' : 'image/jpeg',
      dataBase64: String(r.result).replace(/^data:[^,]*,/, ''), bytes: file.size,
    });
    r.onerror = () => reject(r.error);
    r.readAsDataURL(file);
  });
}

/**
 * Feedback to the service, from a signed-in account: text, an optional reply address, screenshots picked from disk and,
 * if wanted, the diagnostics zip. The form lists exactly what will be sent; nothing goes before Send.
 */
export function FeedbackPanel() {
  const { t } = useTranslation('status');
  const { data: privacy } = usePrivacyStateQuery();
  const signedIn = Boolean(privacy?.account);
  const { data: sent = [] } = useSentFeedbackQuery(undefined, { skip: !signedIn });
  const [send, { data: done, error, isLoading, reset }] = useSendFeedbackMutation();
  const [text, setText] = useState('');
  const [reply, setReply] = useState('');
  const [shots, setShots] = useState<Shot[]>([]);
  const [diagnostics, setDiagnostics] = useState(false);
  const [local, setLocal] = useState<string | null>(null);
  const touched = () => { reset(); setLocal(null); };

  const pick = async (files: FileList | null) => {
    touched();
    const list = [...(files ?? [])];
    if (shots.length + list.length > MAX_FILES) return setLocal(t('feedback.tooMany', { max: MAX_FILES }));
    const big = list.find((f) => f.size > MAX_BYTES);
    if (big) return setLocal(t('feedback.tooLarge', { name: big.name, max: formatBytes(MAX_BYTES) }));
    const wrong = list.find((f) => f.type !== 'image/png' && f.type !== 'image/jpeg');
    if (wrong) return setLocal(t('feedback.wrongType', { name: wrong.name }));
    setShots([...shots, ...(await Promise.all(list.map(readShot)))]);
  };
  // The desktop app: a screenshot of this window, listed like a picked file (and removable) before anything is sent.
  const desktop = desktopBridge();
  const capture = async () => {
    touched();
    if (shots.length >= MAX_FILES) return setLocal(t('feedback.tooMany', { max: MAX_FILES }));
    const r = await desktop!.request('captureWindow', {});
    if (!r.ok) return setLocal(t('feedback.captureFailed', { reason: r.error.message }));
    if (r.value.bytes > MAX_BYTES) return setLocal(t('feedback.tooLarge', { name: r.value.name, max: formatBytes(MAX_BYTES) }));
    setShots([...shots, r.value]);
  };
  const submit = async (e: FormEvent) => {
    e.preventDefault();
    if (!text.trim()) return setLocal(t('feedback.noText'));
    const r = await send({ text, replyEmail: reply.trim() || null, screenshots: shots.map(({ bytes: _, ...s }) => s), diagnostics });
    if ('data' in r) { setText(''); setShots([]); setDiagnostics(false); }
  };
  const problem = local ?? (error ? errorText(error) : null);

  return (
    <section className="panel feedback" aria-labelledby="feedback-title">
      <h2 id="feedback-title">{t('feedback.title')}</h2>
      {!signedIn ? <p className="muted" data-signed-out>{t('feedback.signIn')} <a href="#/privacy">{t('feedback.toPrivacy')}</a></p> : (
        <form className="form" onSubmit={submit} aria-label={t('feedback.formLabel')} noValidate>
          <label className="field"><span>{t('feedback.text')}</span>
            <textarea name="feedback-text" rows={5} maxLength={5000} value={text} onChange={(e) => { touched(); setText(e.target.value); }} />
          </label>
          <label className="field"><span>{t('feedback.reply')}</span>
            <input name="reply-email" type="email" autoComplete="email" value={reply} onChange={(e) => { touched(); setReply(e.target.value); }} />
          </label>
          <label className="field"><span>{t('feedback.screenshots', { max: MAX_FILES, size: formatBytes(MAX_BYTES) })}</span>
            <input name="screenshots" type="file" accept="image/png,image/jpeg" multiple onChange={(e) => { void pick(e.target.files); e.target.value = ''; }} />
          </label>
          {desktop && <button type="button" name="capture-window" onClick={() => void capture()}>{t('feedback.captureWindow')}</button>}
          <label className="ev-check"><input type="checkbox" name="attach-diagnostics" checked={diagnostics} onChange={() => { touched(); setDiagnostics(!diagnostics); }} /> {t('feedback.diagnostics')}</label>
          <div className="feedback-preview" aria-label={t('feedback.previewLabel')} role="group">
            <strong>{t('feedback.willSend', { url: privacy?.cloud.url ?? '' })}</strong>
            <ul>
              <li>{t('feedback.textPart', { count: text.trim().length })}</li>
              {reply.trim() && <li>{t('feedback.replyPart', { email: reply.trim() })}</li>}
              {shots.map((s, i) => (
                <li key={`${s.name}-${i}`} data-shot={s.name}>{s.name} <span className="muted">{formatBytes(s.bytes)}</span>{' '}
                  <button type="button" className="link small" aria-label={t('feedback.removeLabel', { name: s.name })} onClick={() => { touched(); setShots(shots.filter((_, j) => j !== i)); }}>{t('feedback.remove')}</button>
                </li>
              ))}
              {diagnostics && <li>{t('feedback.diagnosticsPart')}</li>}
            </ul>
          </div>
          <div className="actions">
            <button type="submit" className="primary" disabled={isLoading}>{isLoading ? t('feedback.sending') : t('feedback.send')}</button>
            {done && !problem && <span className="ok" role="status">{t('feedback.sent', { date: formatDate(Date.parse(done.deleteAfter)) })}</span>}
            {problem && <span className="error" role="alert">{problem}</span>}
          </div>
        </form>
      )}
      {signedIn && sent.length > 0 && (
        <table className="table" aria-label={t('feedback.sentLabel')}>
          <thead><tr><th scope="col">{t('feedback.columns.sent')}</th><th scope="col">{t('feedback.columns.text')}</th><th scope="col">{t('feedback.columns.files')}</th><th scope="col">{t('feedback.columns.deleted')}</th></tr></thead>
          <tbody>
            {[...sent].reverse().map((f) => (
              <tr key={f.id} data-feedback-id={f.id}>
                <td className="mono">{formatDateTime(Date.parse(f.receivedAt))}</td>
                <td>{f.text.length > 120 ? `${f.text.slice(0, 120)}…` : f.text}</td>
                <td>{f.attachments.map((a) => `${a.name} (${formatBytes(a.bytes)})`).join(', ')}</td>
                <td className="mono">{formatDate(Date.parse(f.deleteAfter))}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </section>
  );
}
