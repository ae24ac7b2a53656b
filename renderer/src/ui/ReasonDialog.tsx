import { useState, type FormEvent } from 'react';
import { errorText } from '../i18n/errors';
import { useModal } from './use-modal';

/** The words of a ReasonDialog, already in the reader's language. */
export interface ReasonTexts { title: string; scope: string; label: string; placeholder: string; required: string; submit: string; cancel: string }

interface Props {
  /** The input's name; also the prefix of the dialog's ids. */
  name: string;
  texts: ReasonTexts;
  className?: string;
  danger?: boolean;
  onSubmit(reason: string): Promise<unknown>;
  onClose(): void;
}

/**
 * A step that needs a reason kept in the audit trail (locking evidence, unlocking it): the reason is required, the station's
 * refusal is shown in the reader's words, Escape cancels and focus stays inside until it closes.
 */
export function ReasonDialog({ name, texts, className = '', danger = false, onSubmit, onClose }: Props) {
  const [reason, setReason] = useState('');
  const [missing, setMissing] = useState(false);
  const [refusal, setRefusal] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const box = useModal<HTMLDivElement>(onClose);
  const error = missing ? texts.required : refusal;

  const submit = (e: FormEvent) => {
    e.preventDefault();
    setRefusal(null);
    if (!reason.trim()) return setMissing(true);
    setBusy(true);
    onSubmit(reason.trim()).then(onClose, (err: unknown) => { setBusy(false); setRefusal(errorText(err)); });
  };

  return (
    <div ref={box} className={`pb-dialog ${className}`} role="dialog" aria-modal="true" aria-labelledby={`${name}-title`} aria-describedby={`${name}-scope`} tabIndex={-1}>
      <form onSubmit={submit} className="reason-form">
        <h2 id={`${name}-title`}>{texts.title}</h2>
        <p id={`${name}-scope`} className="muted">{texts.scope}</p>
        <label className="pb-field">{texts.label}
          <input name={name} autoFocus value={reason} maxLength={500} aria-invalid={!!error} aria-describedby={error ? `${name}-error` : undefined}
            placeholder={texts.placeholder} onChange={(e) => { setReason(e.target.value); setMissing(false); setRefusal(null); }} />
        </label>
        {error && <p id={`${name}-error`} className="pb-error" role="alert">{error}</p>}
        <div className="pb-dialog-actions">
          <button type="submit" className={danger ? 'primary st-danger' : 'primary'} disabled={busy}>{texts.submit}</button>
          <button type="button" onClick={onClose}>{texts.cancel}</button>
        </div>
      </form>
    </div>
  );
}
