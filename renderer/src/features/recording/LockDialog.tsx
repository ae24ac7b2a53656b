import { useState, type FormEvent } from 'react';
import { clockText } from './timeline-view';

interface Props {
  from: number;
  to: number;
  onLock(reason: string): Promise<void>;
  onClose(): void;
}

/** The reason for an evidence lock: required, kept with the lock in the audit trail. Escape cancels. */
export function LockDialog({ from, to, onLock, onClose }: Props) {
  const [reason, setReason] = useState('');
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);

  const submit = (e: FormEvent) => {
    e.preventDefault();
    if (!reason.trim()) {
      setError('A reason is required: say why this range is kept as evidence (case number, incident).');
      return;
    }
    setBusy(true);
    setError(null);
    onLock(reason.trim()).then(onClose, (err: Error) => { setBusy(false); setError(err.message); });
  };

  return (
    <form className="pb-dialog" role="dialog" aria-modal="true" aria-labelledby="lock-title" onSubmit={submit}
      onKeyDown={(e) => { if (e.key === 'Escape') { e.stopPropagation(); onClose(); } }}>
      <h2 id="lock-title">Lock as evidence</h2>
      <p className="muted">{clockText(from)} – {clockText(to)}, every channel. Retention never deletes a locked range.</p>
      <label className="pb-field">Reason
        <input name="lock-reason" autoFocus value={reason} maxLength={500} aria-invalid={!!error} aria-describedby={error ? 'lock-error' : undefined}
          onChange={(e) => { setReason(e.target.value); if (error) setError(null); }} placeholder="Case 2024-117, theft at the gate" />
      </label>
      {error && <p id="lock-error" className="pb-error" role="alert">{error}</p>}
      <div className="pb-dialog-actions">
        <button type="submit" className="primary" disabled={busy}>Lock</button>
        <button type="button" onClick={onClose}>Cancel</button>
      </div>
    </form>
  );
}
