import { useState, type FormEvent } from 'react';
import { useTranslation } from 'react-i18next';
import type { Bookmark } from '../../../../electron/contract';
import { errorText } from '../../i18n/errors';
import { useModal } from '../../ui/use-modal';
import { instantText, rangeText } from './timeline-view';

export interface BookmarkFields { name: string; note: string; tags: string[]; lock: boolean }

interface Props {
  from: number;
  to: number;
  /** The channels' names, for the line saying what the bookmark covers. */
  channels: string;
  /** Editing this one; else a new bookmark. */
  editing?: Bookmark;
  onSave(f: BookmarkFields): Promise<unknown>;
  onClose(): void;
}

/** Tags as typed: separated by commas, blanks dropped. */
export const parseTags = (s: string): string[] => s.split(',').map((x) => x.trim()).filter(Boolean);

/** A bookmark's name, note and tags; a new range may also be locked as evidence. Escape cancels. */
export function BookmarkDialog({ from, to, channels, editing, onSave, onClose }: Props) {
  const { t } = useTranslation('recording');
  const [name, setName] = useState(editing?.name ?? '');
  const [note, setNote] = useState(editing?.note ?? '');
  const [tags, setTags] = useState(editing?.tags.join(', ') ?? '');
  const [lock, setLock] = useState(false);
  const [refusal, setRefusal] = useState<string | null>(null);
  const [missing, setMissing] = useState(false);
  const [busy, setBusy] = useState(false);
  const box = useModal<HTMLFormElement>(onClose);
  const error = missing ? t('bookmarkDialog.nameRequired') : refusal;
  const isRange = to > from;

  const submit = (e: FormEvent) => {
    e.preventDefault();
    if (!name.trim()) { setRefusal(null); setMissing(true); return; }
    setBusy(true);
    setRefusal(null);
    onSave({ name: name.trim(), note: note.trim(), tags: parseTags(tags), lock: isRange && lock })
      .then(onClose, (err: unknown) => { setBusy(false); setRefusal(errorText(err)); });
  };

  return (
    <form ref={box} className="pb-dialog" role="dialog" aria-modal="true" aria-labelledby="bm-title" onSubmit={submit} tabIndex={-1}>
      <h2 id="bm-title">{editing ? t('bookmarkDialog.editTitle') : t('bookmarkDialog.title')}</h2>
      <p className="muted">{t('bookmarkDialog.scope', { when: isRange ? rangeText(from, to) : instantText(from), channels })}</p>
      <label className="pb-field">{t('bookmarkDialog.name')}
        <input name="bookmark-name" autoFocus value={name} maxLength={200} aria-invalid={!!error} aria-describedby={error ? 'bm-error' : undefined}
          onChange={(e) => { setName(e.target.value); setMissing(false); setRefusal(null); }} placeholder={t('bookmarkDialog.namePlaceholder')} />
      </label>
      <label className="pb-field">{t('bookmarkDialog.note')}
        <textarea name="bookmark-note" rows={2} value={note} maxLength={2000} onChange={(e) => setNote(e.target.value)} />
      </label>
      <label className="pb-field">{t('bookmarkDialog.tags')}
        <input name="bookmark-tags" value={tags} onChange={(e) => setTags(e.target.value)} placeholder={t('bookmarkDialog.tagsPlaceholder')} />
      </label>
      {!editing && isRange && (
        <label className="pb-check"><input type="checkbox" name="bookmark-lock" checked={lock} onChange={(e) => setLock(e.target.checked)} />{t('bookmarkDialog.lock')}</label>
      )}
      {error && <p id="bm-error" className="pb-error" role="alert">{error}</p>}
      <div className="pb-dialog-actions">
        <button type="submit" className="primary" disabled={busy}>{t('bookmarkDialog.save')}</button>
        <button type="button" onClick={onClose}>{t('bookmarkDialog.cancel')}</button>
      </div>
    </form>
  );
}
