// Every keyboard shortcut, once: the handlers ask `shortcutOf(e, group)` what a key press means, and the `?` overlay lists
// this same table, so what it shows cannot drift from what the keys do.
import i18next from 'i18next';
import { VIEWS, type View } from './store';

/** One way to press a shortcut: any of `keys` (KeyboardEvent.key values), with these modifiers held and no others. */
export interface KeyCombo {
  keys: readonly string[];
  alt?: boolean;
  shift?: boolean;
  /** Shown as "first…last" (Alt+1…7) rather than one key after another. */
  range?: boolean;
  /** Works, but the overlay does not list it (= for + where + needs Shift). */
  quiet?: boolean;
}

/** Where a shortcut works: the overlay's headings (shortcuts:groups.<id>), in page order. */
export const SHORTCUT_GROUPS = ['global', 'cameraList', 'tile', 'ptz', 'layoutEditor', 'timeline', 'schedule', 'motionMask'] as const;
export type ShortcutGroup = (typeof SHORTCUT_GROUPS)[number];
/** The page each group's keys work on (null: anywhere). */
export const GROUP_PAGE: Record<ShortcutGroup, View | null> = {
  global: null, cameraList: 'live', tile: 'live', ptz: 'live', layoutEditor: 'live', timeline: 'playback', schedule: 'events', motionMask: 'events',
};

const ARROWS = ['ArrowUp', 'ArrowDown', 'ArrowLeft', 'ArrowRight'];
/** Alt+1 … Alt+9, then Alt+0 for the tenth page (the digits' order on the keyboard). */
const pageKeys = VIEWS.map((_, i) => String((i + 1) % 10));

/** Shortcut id (what it does is the text shortcuts:do.<id>) -> group and keys. */
export const SHORTCUTS = {
  'global.page': { group: 'global', combos: [{ keys: pageKeys, alt: true, range: true }] },
  'global.help': { group: 'global', combos: [{ keys: ['?'] }] },
  'global.close': { group: 'global', combos: [{ keys: ['Escape'] }] },
  'global.nav': { group: 'global', combos: [{ keys: ['ArrowUp', 'ArrowDown', 'Home', 'End'] }] },
  'global.choose': { group: 'global', combos: [{ keys: ['ArrowLeft', 'ArrowRight', 'Home', 'End'] }] },
  'global.lock': { group: 'global', combos: [{ keys: ['l', 'L'], alt: true, shift: true }] },
  'cameraList.move': { group: 'cameraList', combos: [{ keys: ['ArrowUp', 'ArrowDown', 'Home', 'End'] }] },
  'cameraList.place': { group: 'cameraList', combos: [{ keys: ['Enter'] }] },
  'cameraList.remove': { group: 'cameraList', combos: [{ keys: ['Delete'] }] },
  'tile.move': { group: 'tile', combos: [{ keys: ARROWS }] },
  'tile.maximize': { group: 'tile', combos: [{ keys: ['Enter'] }] },
  'tile.clear': { group: 'tile', combos: [{ keys: ['Delete', 'Backspace'] }] },
  'tile.snapshot': { group: 'tile', combos: [{ keys: ['s'] }] },
  'tile.listen': { group: 'tile', combos: [{ keys: ['a'] }] },
  'tile.ptz': { group: 'tile', combos: [{ keys: ['p'] }] },
  'tile.talk': { group: 'tile', combos: [{ keys: ['t'] }] },
  'tile.resetZoom': { group: 'tile', combos: [{ keys: ['0'] }] },
  'tile.dewarp': { group: 'tile', combos: [{ keys: ['f'] }] },
  'tile.tools': { group: 'tile', combos: [{ keys: ['ArrowLeft', 'ArrowRight', 'Home', 'End'] }] },
  'ptz.move': { group: 'ptz', combos: [{ keys: ARROWS }] },
  'ptz.zoomIn': { group: 'ptz', combos: [{ keys: ['+'] }, { keys: ['='], quiet: true }] },
  'ptz.zoomOut': { group: 'ptz', combos: [{ keys: ['-'] }] },
  'layoutEditor.move': { group: 'layoutEditor', combos: [{ keys: ARROWS }] },
  'layoutEditor.extend': { group: 'layoutEditor', combos: [{ keys: ARROWS, shift: true }] },
  'layoutEditor.merge': { group: 'layoutEditor', combos: [{ keys: ['Enter'] }] },
  'layoutEditor.split': { group: 'layoutEditor', combos: [{ keys: ['Delete', 'Backspace'] }] },
  'timeline.step': { group: 'timeline', combos: [{ keys: ['ArrowLeft', 'ArrowRight'] }] },
  'timeline.select': { group: 'timeline', combos: [{ keys: ['ArrowLeft', 'ArrowRight'], shift: true }] },
  'timeline.zoomIn': { group: 'timeline', combos: [{ keys: ['+'] }, { keys: ['='], quiet: true }] },
  'timeline.zoomOut': { group: 'timeline', combos: [{ keys: ['-'] }] },
  'timeline.pan': { group: 'timeline', combos: [{ keys: ['PageUp', 'PageDown'] }] },
  'timeline.bookmark': { group: 'timeline', combos: [{ keys: ['b'] }] },
  'schedule.move': { group: 'schedule', combos: [{ keys: [...ARROWS, 'Home', 'End'] }] },
  'schedule.paint': { group: 'schedule', combos: [{ keys: ARROWS, shift: true }] },
  'schedule.toggle': { group: 'schedule', combos: [{ keys: [' ', 'Enter'] }] },
  'motionMask.move': { group: 'motionMask', combos: [{ keys: [...ARROWS, 'Home', 'End'] }] },
  'motionMask.toggle': { group: 'motionMask', combos: [{ keys: [' ', 'Enter'] }] },
} as const satisfies Record<string, { group: ShortcutGroup; combos: readonly KeyCombo[] }>;
export type ShortcutId = keyof typeof SHORTCUTS;
type IdIn<G extends ShortcutGroup> = { [K in ShortcutId]: (typeof SHORTCUTS)[K]['group'] extends G ? K : never }[ShortcutId];

/** A key that is itself a typed character (?, +, s): Shift may be what types it, so it is not compared. */
const isCharacter = (key: string) => key.length === 1 && key !== ' ' && !/[a-z0-9]/i.test(key);

function matches(e: Pick<KeyboardEvent, 'key' | 'altKey' | 'shiftKey' | 'ctrlKey' | 'metaKey'>, c: KeyCombo): boolean {
  if (e.ctrlKey || e.metaKey || e.altKey !== !!c.alt) return false;
  if (!isCharacter(e.key) && e.shiftKey !== !!c.shift) return false;
  // Alt+digit may type another character on some layouts; letters count either case.
  return c.keys.includes(e.key.length === 1 ? e.key.toLowerCase() : e.key);
}

/** Which of the group's shortcuts this key press is, if any. */
export function shortcutOf<G extends ShortcutGroup>(e: Pick<KeyboardEvent, 'key' | 'altKey' | 'shiftKey' | 'ctrlKey' | 'metaKey'>, group: G): IdIn<G> | undefined {
  for (const [id, s] of Object.entries(SHORTCUTS)) if (s.group === group && s.combos.some((c) => matches(e, c))) return id as IdIn<G>;
  return undefined;
}

/** Whether this key press is the shortcut `id`. */
export function isShortcut(e: Pick<KeyboardEvent, 'key' | 'altKey' | 'shiftKey' | 'ctrlKey' | 'metaKey'>, id: ShortcutId): boolean {
  return SHORTCUTS[id].combos.some((c: KeyCombo) => matches(e, c));
}

/** Alt+digit jumps to a page: the digit, from e.code so that a layout where Alt changes the character still works. */
export function pageOf(e: Pick<KeyboardEvent, 'key' | 'code' | 'altKey' | 'shiftKey' | 'ctrlKey' | 'metaKey'>): View | undefined {
  const digit = /^Digit(\d)$/.exec(e.code)?.[1] ?? e.key;
  const { altKey, shiftKey, ctrlKey, metaKey } = e;
  if (!isShortcut({ key: digit, altKey, shiftKey, ctrlKey, metaKey }, 'global.page')) return undefined;
  return VIEWS[pageKeys.indexOf(digit)];
}

const SYMBOLS: Record<string, string> = { ArrowUp: '↑', ArrowDown: '↓', ArrowLeft: '←', ArrowRight: '→', '+': '+', '=': '=', '-': '−', '?': '?' };
/** How a key is written on a keycap, in the language (Entf, Supr…). */
export function keyName(key: string): string {
  if (SYMBOLS[key]) return SYMBOLS[key]!;
  if (key.length === 1 && key !== ' ') return key.toUpperCase();
  return i18next.t(`shortcuts:keys.${key === ' ' ? 'Space' : key}`);
}

/** A combo as the overlay and the nav write it: "Alt+1…7", "Shift+← →", "Entf / Rücktaste". */
export function comboText(c: KeyCombo, onlyKey?: string): string {
  // Arrows read as one set (← →), named keys as choices beside it (↑ ↓ / Pos1 / Ende).
  const parts: string[] = [];
  c.keys.forEach((k, i) => {
    if (SYMBOLS[k] && i > 0 && SYMBOLS[c.keys[i - 1]!]) parts[parts.length - 1] += ` ${keyName(k)}`;
    else parts.push(keyName(k));
  });
  const keys = onlyKey !== undefined ? keyName(onlyKey) : c.range ? `${keyName(c.keys[0]!)}…${keyName(c.keys.at(-1)!)}` : parts.join(' / ');
  const mods = [c.alt && i18next.t('shortcuts:keys.Alt'), c.shift && i18next.t('shortcuts:keys.Shift')].filter(Boolean);
  return [...mods, keys].join('+');
}

/** The page shortcut of the n-th page (0-based), as its nav badge shows it: "Alt+3". */
export function pageShortcutText(n: number): string {
  return comboText(SHORTCUTS['global.page'].combos[0], pageKeys[n]);
}

/** The same for aria-keyshortcuts, which names keys in English: "Alt+3". */
export function pageAriaShortcut(n: number): string {
  return `Alt+${pageKeys[n]}`;
}
