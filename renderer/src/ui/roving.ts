// A row of choices that is one tab stop (tabs, a radio group of layouts): the arrow keys choose within it.
import type { KeyboardEvent } from 'react';
import { isShortcut } from '../app/shortcuts';

/** The index `e` moves to from `index` among `count` choices (wrapping), or undefined when it is not such a key. */
export function rovingTarget(e: KeyboardEvent, index: number, count: number): number | undefined {
  if (!isShortcut(e, 'global.choose') || count === 0) return undefined;
  const to = { ArrowLeft: index - 1, ArrowRight: index + 1, Home: 0, End: count - 1 }[e.key] ?? index;
  e.preventDefault();
  return (to + count) % count;
}
