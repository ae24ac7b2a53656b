import { useTranslation } from 'react-i18next';
import { useModal } from '../ui/use-modal';
import { comboText, GROUP_PAGE, SHORTCUT_GROUPS, SHORTCUTS, type ShortcutGroup, type ShortcutId } from './shortcuts';

const idsOf = (g: ShortcutGroup) => (Object.keys(SHORTCUTS) as ShortcutId[]).filter((id) => SHORTCUTS[id].group === g);

/** The `?` overlay: every shortcut of the table in shortcuts.ts, by page. */
export function ShortcutsHelp({ onClose }: { onClose(): void }) {
  const { t } = useTranslation('shortcuts');
  const box = useModal<HTMLDivElement>(onClose);
  return (
    <div className="modal-backdrop" onMouseDown={(e) => { if (e.target === e.currentTarget) onClose(); }}>
      <div ref={box} className="shortcuts" role="dialog" aria-modal="true" aria-labelledby="shortcuts-title" aria-describedby="shortcuts-hint" tabIndex={-1} data-testid="shortcuts">
        <header className="shortcuts-head">
          <h2 id="shortcuts-title">{t('title')}</h2>
          <button type="button" className="shortcuts-close" onClick={onClose} aria-label={t('common:close')}>×</button>
        </header>
        <p id="shortcuts-hint" className="muted small">{t('hint')}</p>
        <div className="shortcuts-groups" role="region" aria-label={t('listLabel')} tabIndex={0}>
          {SHORTCUT_GROUPS.map((g) => {
            const page = GROUP_PAGE[g];
            return (
              <section key={g} className="shortcuts-group" aria-labelledby={`shortcuts-${g}`} data-group={g}>
                <h3 id={`shortcuts-${g}`}>{page ? t('groupOnPage', { page: t(`common:nav.${page}`), group: t(`groups.${g}`) }) : t(`groups.${g}`)}</h3>
                <table>
                  <tbody>
                    {idsOf(g).map((id) => (
                      <tr key={id} data-shortcut={id}>
                        <th scope="row">{SHORTCUTS[id].combos.filter((c) => !('quiet' in c && c.quiet)).map((c, i) => <kbd key={i}>{comboText(c)}</kbd>)}</th>
                        <td>{t(`do.${id}`)}</td>
                      </tr>
                    ))}
                  </tbody>
                </table>
              </section>
            );
          })}
        </div>
      </div>
    </div>
  );
}
