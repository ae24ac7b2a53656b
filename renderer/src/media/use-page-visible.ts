import { useEffect, useState } from 'react';

/** False while the window is hidden (minimised, other tab): tiles release their decoders then. */
export function usePageVisible(): boolean {
  const [visible, setVisible] = useState(!document.hidden);
  useEffect(() => {
    const on = () => setVisible(!document.hidden);
    document.addEventListener('visibilitychange', on);
    return () => document.removeEventListener('visibilitychange', on);
  }, []);
  return visible;
}

/** Whether an element is on screen, and its size in CSS pixels. */
export function useOnScreen(ref: React.RefObject<HTMLElement | null>): { onScreen: boolean; width: number; height: number } {
  const [state, setState] = useState({ onScreen: false, width: 0, height: 0 });
  useEffect(() => {
    const el = ref.current;
    if (!el) return;
    const io = new IntersectionObserver(([e]) => setState((s) => ({ ...s, onScreen: !!e?.isIntersecting })));
    const ro = new ResizeObserver(([e]) => {
      const r = e?.contentRect;
      if (r) setState((s) => (s.width === Math.round(r.width) && s.height === Math.round(r.height) ? s : { ...s, width: Math.round(r.width), height: Math.round(r.height) }));
    });
    io.observe(el);
    ro.observe(el);
    return () => { io.disconnect(); ro.disconnect(); };
  }, [ref]);
  return state;
}
