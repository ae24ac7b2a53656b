import { useEffect, useRef, useState } from 'react';
import { useTranslation } from 'react-i18next';
import type { DisplayInfo } from '../../../../electron/contract';
import { desktopBridge, displays, popOut } from './popout';

/** "Pop out" for the Live bar; in the desktop app with more than one display, a short list of displays to choose from. */
export function PopOutButton({ layoutId, onError }: { layoutId: string; onError: (text: string) => void }) {
  const { t } = useTranslation('desktop');
  const [choices, setChoices] = useState<DisplayInfo[] | null>(null);
  const list = useRef<HTMLDivElement>(null);
  const button = useRef<HTMLButtonElement>(null);

  useEffect(() => { if (choices) list.current?.querySelector<HTMLElement>('button')?.focus(); }, [choices]);

  const open = async (displayId: number | null) => {
    setChoices(null);
    button.current?.focus();
    const why = await popOut(layoutId, displayId);
    if (why) onError(why.key === 'blocked' ? t('popOut.blocked') : t('popOut.failed', { message: why.message }));
  };
  const start = async () => {
    const desktop = desktopBridge();
    const screens = desktop ? await displays(desktop) : [];
    if (screens.length > 1) setChoices(screens);
    else void open(screens[0]?.id ?? null);
  };
  const close = () => {
    setChoices(null);
    button.current?.focus();
  };

  return (
    // Focus leaving the list (a click elsewhere, Tab past it) closes it.
    <span className="popout-pick" onBlur={(e) => { if (!e.currentTarget.contains(e.relatedTarget as Node | null)) setChoices(null); }}>
      <button ref={button} type="button" title={t('popOut.title')} aria-haspopup={desktopBridge() ? 'true' : undefined} aria-expanded={desktopBridge() ? choices !== null : undefined}
        onClick={() => (choices ? close() : void start())} data-testid="pop-out">{t('popOut.button')}</button>
      {choices && (
        <div ref={list} className="popout-displays" role="group" aria-label={t('popOut.chooseDisplay')} onKeyDown={(e) => e.key === 'Escape' && close()}>
          {choices.map((d, i) => (
            <button key={d.id} type="button" onClick={() => void open(d.id)} data-display={d.id}>
              {t(d.primary ? 'popOut.displayMain' : 'popOut.display', { n: i + 1, width: d.width, height: d.height })}
            </button>
          ))}
        </div>
      )}
    </span>
  );
}
