import { useLayoutEffect, useRef, type KeyboardEvent, type ReactNode } from 'react';
import { isShortcut, type ShortcutId } from '../app/shortcuts';

interface Props {
  label: string;
  /** Whether Tab stops here at all (a toolbar of a tile that is not selected is left out). */
  reachable: boolean;
  /** The shortcut whose keys (arrows, Home, End) move between the buttons. */
  moveKey: ShortcutId;
  className?: string;
  children: ReactNode;
  onDoubleClick?(e: React.MouseEvent): void;
}

/** A row of buttons that is one tab stop: the last one used takes focus, and the arrow keys move along the row. */
export function Toolbar({ label, reachable, moveKey, className, children, onDoubleClick }: Props) {
  const box = useRef<HTMLDivElement>(null);
  const current = useRef(0);
  const buttons = () => [...box.current!.querySelectorAll<HTMLButtonElement>('button:not(:disabled)')];
  useLayoutEffect(() => {
    const items = buttons();
    current.current = Math.max(0, Math.min(current.current, items.length - 1));
    items.forEach((b, i) => (b.tabIndex = reachable && i === current.current ? 0 : -1));
  });
  const onKey = (e: KeyboardEvent) => {
    if (!isShortcut(e, moveKey)) return;
    const items = buttons();
    const at = Math.max(0, items.indexOf(document.activeElement as HTMLButtonElement));
    const to = { ArrowLeft: at - 1, ArrowRight: at + 1, ArrowUp: at - 1, ArrowDown: at + 1, Home: 0, End: items.length - 1 }[e.key] ?? at;
    const next = items[(to + items.length) % items.length];
    e.preventDefault();
    e.stopPropagation();
    next?.focus();
  };
  const onFocus = (e: React.FocusEvent) => {
    const items = buttons();
    const i = items.indexOf(e.target as HTMLButtonElement);
    if (i < 0) return;
    current.current = i;
    items.forEach((b, k) => (b.tabIndex = k === i ? 0 : -1));
  };
  return (
    <div ref={box} className={className} role="toolbar" aria-label={label} onKeyDown={onKey} onFocus={onFocus} onDoubleClick={onDoubleClick}>
      {children}
    </div>
  );
}
