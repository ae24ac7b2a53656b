// A modal dialog's keyboard: focus moves into it, Tab and Shift+Tab stay inside, Esc closes it, and focus goes back
// to where it was when the dialog closes.
import { useEffect, useRef, useState } from 'react';
import { isShortcut } from '../app/shortcuts';

const FOCUSABLE = 'a[href], button:not(:disabled), input:not(:disabled), select:not(:disabled), textarea:not(:disabled), [tabindex]:not([tabindex="-1"])';

/** What Tab reaches inside `box`, in order: enabled, shown, not taken out of the tab order. */
export function tabbables(box: HTMLElement): HTMLElement[] {
  return [...box.querySelectorAll<HTMLElement>(FOCUSABLE)].filter((el) => el.tabIndex >= 0 && el.getClientRects().length > 0);
}

/** The ref goes on the dialog's box; without `[data-autofocus]` inside (or an input React autofocused), the box itself takes focus (give it tabIndex -1). */
export function useModal<T extends HTMLElement>(onClose: () => void) {
  const ref = useRef<T>(null);
  const close = useRef(onClose);
  close.current = onClose;
  // Read while rendering: an autoFocus input inside has taken focus by the time effects run.
  const [back] = useState(() => (document.activeElement instanceof HTMLElement ? document.activeElement : null));
  useEffect(() => {
    const box = ref.current;
    if (!box) return;
    if (!box.contains(document.activeElement)) (box.querySelector<HTMLElement>('[data-autofocus]') ?? box).focus();
    const onKey = (e: KeyboardEvent) => {
      if (isShortcut(e, 'global.close')) {
        e.preventDefault();
        e.stopPropagation();
        close.current();
        return;
      }
      if (e.key !== 'Tab') return;
      const items = tabbables(box);
      const first = items[0], last = items.at(-1);
      const at = document.activeElement;
      if (!first || !last) e.preventDefault();
      else if (e.shiftKey && (at === first || at === box)) { e.preventDefault(); last.focus(); }
      else if (!e.shiftKey && at === last) { e.preventDefault(); first.focus(); }
    };
    box.addEventListener('keydown', onKey);
    return () => {
      box.removeEventListener('keydown', onKey);
      if (back?.isConnected) back.focus();
    };
  }, [back]);
  return ref;
}
