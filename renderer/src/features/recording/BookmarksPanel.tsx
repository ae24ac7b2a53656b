import { useTranslation } from 'react-i18next';
import type { Bookmark } from '../../../../electron/contract';
import { instantText, rangeText } from './timeline-view';
import './bookmarks.css';

export interface BookmarkSearch { text: string; tag: string; shownOnly: boolean; inView: boolean }

interface Props {
  items: Bookmark[];
  search: BookmarkSearch;
  names: Map<number, string>;
  /** The search's refusal, worded. */
  error?: string | null;
  onSearch(s: BookmarkSearch): void;
  onAdd(): void;
  onJump(b: Bookmark): void;
  onEdit(b: Bookmark): void;
  onDelete(b: Bookmark): void;
}

/** Bookmarks found by text, tag, the channels shown and the visible range; each can be played, edited or deleted. */
export function BookmarksPanel({ items, search, names, error, onSearch, onAdd, onJump, onEdit, onDelete }: Props) {
  const { t } = useTranslation('recording');
  const set = (p: Partial<BookmarkSearch>) => onSearch({ ...search, ...p });
  return (
    <section className="pb-bookmarks" aria-labelledby="bm-head">
      <div className="pb-bm-bar">
        <h2 id="bm-head">{t('bookmarks.title')}</h2>
        <input type="search" name="bookmark-search" aria-label={t('bookmarks.search')} placeholder={t('bookmarks.search')} value={search.text} onChange={(e) => set({ text: e.target.value })} />
        <input name="bookmark-tag" aria-label={t('bookmarks.tag')} placeholder={t('bookmarks.tag')} value={search.tag} onChange={(e) => set({ tag: e.target.value })} />
        <label><input type="checkbox" checked={search.shownOnly} onChange={(e) => set({ shownOnly: e.target.checked })} />{t('bookmarks.shownOnly')}</label>
        <label><input type="checkbox" checked={search.inView} onChange={(e) => set({ inView: e.target.checked })} />{t('bookmarks.inView')}</label>
        <button type="button" onClick={onAdd}>{t('bookmarks.add')}</button>
      </div>
      {error && <p className="pb-error" role="alert">{error}</p>}
      <ul className="pb-bm-list" aria-label={t('bookmarks.title')}>
        {items.map((b) => (
          <li key={b.id} data-bookmark={b.id}>
            <button type="button" className="pb-bm-jump" onClick={() => onJump(b)} title={t('bookmarks.jump')}>
              <strong>{b.name}</strong>
              <span className="mono">{b.end > b.start ? rangeText(b.start, b.end) : instantText(b.start)}</span>
            </button>
            <span className="muted pb-bm-meta">
              {b.channelIds.map((id) => names.get(id) ?? t('channelFallback', { id })).join(', ')}
              {b.tags.length > 0 && ` · ${b.tags.map((x) => `#${x}`).join(' ')}`}
              {b.lockIds.length > 0 && ` · ${t('bookmarks.locked')}`}
              {b.note && ` · ${b.note}`}
            </span>
            <button type="button" onClick={() => onEdit(b)} aria-label={t('bookmarks.editOne', { name: b.name })}>{t('bookmarks.edit')}</button>
            <button type="button" onClick={() => onDelete(b)} aria-label={t('bookmarks.deleteOne', { name: b.name })}>{t('bookmarks.delete')}</button>
          </li>
        ))}
        {items.length === 0 && <li className="muted">{t('bookmarks.none')}</li>}
      </ul>
    </section>
  );
}
