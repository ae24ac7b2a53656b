// The table of keyboard shortcuts (renderer/src/app/shortcuts.ts): what a key press means, how the overlay writes it, and
// a text for every shortcut, group and key name in every language.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { comboText, GROUP_PAGE, isShortcut, pageOf, pageShortcutText, SHORTCUT_GROUPS, SHORTCUTS, shortcutOf } from '../../renderer/src/app/shortcuts';
import { VIEWS } from '../../renderer/src/app/store';
import { i18n, LANGUAGES } from '../../renderer/src/i18n';

const key = (k: string, mods: { alt?: boolean; shift?: boolean; ctrl?: boolean; code?: string } = {}) =>
  ({ key: k, code: mods.code ?? '', altKey: !!mods.alt, shiftKey: !!mods.shift, ctrlKey: !!mods.ctrl, metaKey: false });
const catalogue = (lng: string) => JSON.parse(readFileSync(join(import.meta.dirname, `../../renderer/src/i18n/locales/${lng}/shortcuts.json`), 'utf8'));

describe('keyboard shortcuts', () => {
  it('tells what a key press means in a group, modifiers included', () => {
    expect(shortcutOf(key('s'), 'tile')).toBe('tile.snapshot');
    expect(shortcutOf(key('S', { shift: true }), 'tile')).toBeUndefined();
    expect(shortcutOf(key('s', { ctrl: true }), 'tile')).toBeUndefined();
    expect(shortcutOf(key('ArrowRight'), 'layoutEditor')).toBe('layoutEditor.move');
    expect(shortcutOf(key('ArrowRight', { shift: true }), 'layoutEditor')).toBe('layoutEditor.extend');
    expect(shortcutOf(key('ArrowRight', { shift: true }), 'timeline')).toBe('timeline.select');
    // ? and + are typed with Shift on many layouts: Shift does not matter for them.
    expect(isShortcut(key('?', { shift: true }), 'global.help')).toBe(true);
    expect(shortcutOf(key('+', { shift: true }), 'ptz')).toBe('ptz.zoomIn');
    expect(shortcutOf(key('='), 'ptz')).toBe('ptz.zoomIn');
    expect(shortcutOf(key('Delete'), 'cameraList')).toBe('cameraList.remove');
    expect(shortcutOf(key('x'), 'tile')).toBeUndefined();
  });

  it('Alt+digit goes to the page at that place in the navigation, read from the key\'s code', () => {
    expect(pageOf(key('3', { alt: true, code: 'Digit3' }))).toBe(VIEWS[2]);
    // A layout where Alt+1 types another character still has Digit1 as its code.
    expect(pageOf(key('¡', { alt: true, code: 'Digit1' }))).toBe(VIEWS[0]);
    expect(pageOf(key('3', { code: 'Digit3' }))).toBeUndefined();
    // The tenth page is Alt+0, the key after 9.
    expect(pageOf(key('0', { alt: true, code: 'Digit0' }))).toBe(VIEWS[9]);
    expect(pageOf(key(String(VIEWS.length + 1), { alt: true, code: `Digit${VIEWS.length + 1}` }))).toBeUndefined();
  });

  it('writes the keys as the overlay and the nav badges show them', async () => {
    await i18n.changeLanguage('en');
    expect(pageShortcutText(0)).toBe('Alt+1');
    expect(comboText(SHORTCUTS['global.page'].combos[0])).toBe(`Alt+1…${VIEWS.length % 10}`);
    expect(comboText(SHORTCUTS['cameraList.move'].combos[0])).toBe('↑ ↓ / Home / End');
    expect(comboText(SHORTCUTS['timeline.select'].combos[0])).toBe('Shift+← →');
    expect(comboText(SHORTCUTS['tile.clear'].combos[0])).toBe('Delete / Backspace');
    await i18n.changeLanguage('de');
    expect(comboText(SHORTCUTS['tile.clear'].combos[0])).toBe('Entf / Rücktaste');
    expect(comboText(SHORTCUTS['schedule.toggle'].combos[0])).toBe('Leertaste / Eingabe');
    await i18n.changeLanguage('en');
  });

  it('has a text for every shortcut, group and named key in every language, and a page for every group', () => {
    const named = new Set(Object.values(SHORTCUTS).flatMap((s) => s.combos.flatMap((c) => c.keys)).filter((k) => k.length > 1 && !k.startsWith('Arrow')));
    for (const lng of LANGUAGES) {
      const cat = catalogue(lng);
      const problems: string[] = [];
      for (const id of Object.keys(SHORTCUTS)) {
        const [g, name] = id.split('.');
        if (typeof cat.do[g!]?.[name!] !== 'string') problems.push(`do.${id}`);
      }
      for (const g of SHORTCUT_GROUPS) if (typeof cat.groups[g] !== 'string') problems.push(`groups.${g}`);
      for (const k of [...named, 'Space', 'Alt', 'Shift']) if (typeof cat.keys[k] !== 'string') problems.push(`keys.${k}`);
      expect(problems, lng).toEqual([]);
    }
    for (const g of SHORTCUT_GROUPS) expect(GROUP_PAGE[g] === null || VIEWS.includes(GROUP_PAGE[g]!)).toBe(true);
    expect(new Set(Object.values(SHORTCUTS).map((s) => s.group))).toEqual(new Set(SHORTCUT_GROUPS));
  });
});
