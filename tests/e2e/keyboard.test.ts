// The keyboard, in Chromium on the demo station: the nav badges name the real shortcut and it works; the camera list, the
// layout buttons, the tiles, a tile's buttons, a row of tabs and the motion mask are one tab stop each with the arrows
// inside; the `?` overlay lists the shortcuts, keeps focus inside and gives it back; a range is selected on the timeline
// with Shift+arrows; focus is visible.
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { guardConsole, launchChromium, type ConsoleGuard } from '../helpers/chromium';
import { fileScope } from '../helpers/fixtures';
import { ROOT, startStation, type StationProcess } from '../helpers/station-process';

const SHOTS = join(ROOT, 'test-results');
const scope = fileScope();
let station: StationProcess, browser: Browser, page: Page, guard: ConsoleGuard;
/** The pages in the navigation's order. */
let VIEWS: string[] = [];

beforeAll(async () => {
  mkdirSync(SHOTS, { recursive: true });
  [station, browser] = await scope.all([startStation({ args: ['--demo'], env: { WATCHPOST_DEMO_SUBNET: 'random' } }), launchChromium()]);
  const ctx = await browser.newContext({ viewport: { width: 1366, height: 768 } });
  page = await ctx.newPage();
  guard = guardConsole(page);
  await page.goto(station.url);
  await page.waitForSelector('.conn-open');
  await page.waitForSelector('.tile[data-state=live]', { timeout: 30_000 });
  VIEWS = await page.locator('nav [data-view]').evaluateAll((els) => els.map((e) => (e as HTMLElement).dataset.view!));
}, 120_000);

/** What has focus: "tag.class [role] data-…" enough to tell the stops apart. */
const focused = () => page.evaluate(() => {
  const el = document.activeElement as HTMLElement | null;
  if (!el || el === document.body) return 'body';
  const data = Object.entries(el.dataset).map(([k, v]) => `${k}=${v}`).join(' ');
  return `${el.tagName.toLowerCase()}.${el.className} [${el.getAttribute('role') ?? ''}] ${data} ${(el.getAttribute('aria-label') ?? el.textContent ?? '').trim().slice(0, 30)}`;
});
const focusIn = (selector: string) => page.evaluate((s) => !!document.activeElement?.closest(s), selector);

/** The stops Tab visits from what has focus now, while they stay inside `within`. */
async function tabStops(within: string, max = 40): Promise<string[]> {
  const stops: string[] = [];
  for (let i = 0; i < max; i++) {
    await page.keyboard.press('Tab');
    if (!(await focusIn(within))) break;
    stops.push(await focused());
  }
  return stops;
}

/** Whether the focused element draws a ring: an outline at least 2 px wide. */
const ringShown = () => page.evaluate(() => {
  const cs = getComputedStyle(document.activeElement!);
  return cs.outlineStyle !== 'none' && parseFloat(cs.outlineWidth) >= 2;
});

describe('keyboard', () => {
  it('the nav badges show Alt+N, and Alt+N goes to the page the badge is on', async () => {
    const badges = await page.locator('nav .nav-item kbd').allTextContents();
    expect(badges).toEqual(VIEWS.map((_, i) => `Alt+${(i + 1) % 10}`));
    await page.locator('main h1').focus();
    for (const [i, view] of [...VIEWS.entries()].reverse()) {
      await page.keyboard.press(`Alt+${(i + 1) % 10}`);
      await page.waitForFunction((v) => location.hash === `#/${v}`, view);
      expect(await page.locator(`nav [data-view=${view}]`).getAttribute('aria-current')).toBe('page');
      expect(await page.evaluate(() => document.activeElement?.tagName)).toBe('H1');
      expect(await page.locator(`nav [data-view=${view}]`).getAttribute('aria-keyshortcuts')).toBe(`Alt+${(i + 1) % 10}`);
    }
    expect(await page.evaluate(() => location.hash)).toBe('#/live');
  });

  it('the camera list is one tab stop, the arrows move within it and Enter places the camera', async () => {
    await page.focus('.tree-filter');
    const stops = await tabStops('.tree');
    // Add, then one camera of the list, then out of the list.
    expect(stops.filter((s) => s.includes('[option]'))).toHaveLength(1);
    expect(stops).toHaveLength(2);
    await page.locator('.tree [role=option]').first().focus();
    expect(await ringShown()).toBe(true);
    const names = await page.locator('.tree [role=option] .tree-name').allTextContents();
    await page.keyboard.press('ArrowDown');
    expect(await page.evaluate(() => document.activeElement?.querySelector('.tree-name')?.textContent)).toBe(names[1]);
    expect(await page.locator('.tree [role=option][aria-selected=true] .tree-name').textContent()).toBe(names[1]);
    await page.keyboard.press('End');
    expect(await page.evaluate(() => document.activeElement?.querySelector('.tree-name')?.textContent)).toBe(names.at(-1));
    await page.keyboard.press('Home');
    expect(await page.evaluate(() => document.activeElement?.querySelector('.tree-name')?.textContent)).toBe(names[0]);
    // Tab leaves the list from wherever the arrows left it, and Shift+Tab comes back to that camera.
    await page.keyboard.press('ArrowDown');
    await page.keyboard.press('Tab');
    expect(await focusIn('.tree [role=listbox]')).toBe(false);
    await page.keyboard.press('Shift+Tab');
    expect(await page.evaluate(() => document.activeElement?.querySelector('.tree-name')?.textContent)).toBe(names[1]);
    // Enter shows it in the selected tile (the first tile holds the first camera until then).
    await page.keyboard.press('Enter');
    await expect.poll(() => page.locator('.tile.selected .tile-name').textContent()).toBe(names[1]);
    await page.keyboard.press('Home');
    await page.keyboard.press('Enter');
    await expect.poll(() => page.locator('.tile.selected .tile-name').textContent()).toBe(names[0]);
  });

  it('the layout buttons are one tab stop; the arrows choose a layout', async () => {
    const radios = page.locator('.live-bar [role=radio]');
    const checked = () => page.locator('.live-bar [role=radio][aria-checked=true]').textContent();
    const before = await checked();
    await page.locator('.live-bar [role=radio][aria-checked=true]').focus();
    const stops = await tabStops('.live-bar [role=radiogroup]');
    expect(stops).toEqual([]);
    await page.locator('.live-bar [role=radio][aria-checked=true]').focus();
    await page.keyboard.press('ArrowRight');
    await expect.poll(checked).not.toBe(before);
    await expect.poll(focused).toContain('[radio]');
    expect(await page.evaluate(() => document.activeElement?.getAttribute('aria-checked'))).toBe('true');
    await page.keyboard.press('ArrowLeft');
    await expect.poll(checked).toBe(before);
    expect(await radios.evaluateAll((els) => els.filter((e) => (e as HTMLElement).tabIndex === 0).length)).toBe(1);
  });

  it('the tiles are one tab stop and the selected tile\'s buttons one more; the arrows move between tiles and between buttons', async () => {
    const tile = page.locator('.tile.selected');
    await tile.focus();
    expect(await ringShown()).toBe(true);
    const stops = await tabStops('.grid');
    expect(stops).toHaveLength(1);
    expect(stops[0]).toMatch(/^button.*Snap$/);
    // From the tile, Tab reaches its buttons; the arrows go along them and not to the next tile.
    await tile.focus();
    await page.keyboard.press('Tab');
    expect(await focusIn('.tile.selected [role=toolbar]')).toBe(true);
    expect(await ringShown()).toBe(true);
    await page.screenshot({ path: join(SHOTS, 'keyboard-tile-toolbar.png') });
    const labels = await page.locator('.tile.selected [role=toolbar] button').allTextContents();
    expect(labels.length).toBeGreaterThanOrEqual(3);
    const current = () => page.evaluate(() => document.activeElement?.textContent);
    await expect.poll(current).toBe(labels[0]);
    await page.keyboard.press('ArrowRight');
    await expect.poll(current).toBe(labels[1]);
    await page.keyboard.press('End');
    await expect.poll(current).toBe(labels.at(-1));
    await page.keyboard.press('Home');
    await expect.poll(current).toBe(labels[0]);
    expect(await page.locator('.tile.selected').getAttribute('data-tile')).toBe('0');
    // Enter on Snap takes a snapshot and leaves the tile as it was (not maximized).
    await page.keyboard.press('Enter');
    await page.waitForSelector('.live .toast img', { timeout: 15_000 });
    expect(await page.locator('.tile.maximized').count()).toBe(0);
    // Shift+Tab back to the tile; the arrow selects the next tile, which takes focus.
    await page.keyboard.press('Shift+Tab');
    await expect.poll(focused).toContain('[gridcell] tile=0');
    await page.keyboard.press('ArrowRight');
    // The selection moves first and the focus follows it on the next render.
    await expect.poll(focused).toContain('[gridcell] tile=1');
    expect(await page.locator('.tile.selected').getAttribute('data-tile')).toBe('1');
    // The next tile's buttons are now the one stop; the first tile's are out of the tab order.
    expect(await page.locator('.tile[data-tile="0"] [role=toolbar] button').evaluateAll((els) => els.every((e) => (e as HTMLElement).tabIndex === -1))).toBe(true);
    await page.keyboard.press('ArrowLeft');
  });

  it('? opens the list of shortcuts, focus stays inside, Esc closes it and gives focus back; ? in a text field is text', async () => {
    await page.locator('.tile.selected').focus();
    await page.keyboard.press('Shift+Slash');
    const dialog = page.getByRole('dialog', { name: 'Keyboard shortcuts' });
    await dialog.waitFor();
    expect(await focusIn('[data-testid=shortcuts]')).toBe(true);
    for (const id of ['global.page', 'global.help', 'cameraList.move', 'tile.snapshot', 'tile.tools', 'layoutEditor.merge', 'timeline.select', 'schedule.paint'])
      expect(await dialog.locator(`[data-shortcut="${id}"]`).count(), id).toBe(1);
    expect(await dialog.locator('[data-shortcut="global.page"] kbd').textContent()).toBe(`Alt+1…${VIEWS.length % 10}`);
    expect(await dialog.locator('[data-shortcut="tile.snapshot"] kbd').textContent()).toBe('S');
    expect(await dialog.locator('[data-shortcut="timeline.select"] kbd').textContent()).toBe('Shift+← →');
    expect(await dialog.locator('[data-shortcut="tile.clear"] kbd').textContent()).toBe('Delete / Backspace');
    expect(await dialog.locator('[data-shortcut="tile.snapshot"] td').textContent()).toBe('Take a snapshot');
    expect(await dialog.locator('[data-group=tile] h3').textContent()).toBe('Live: tiles');
    await page.screenshot({ path: join(SHOTS, 'keyboard-shortcuts-overlay.png') });
    for (let i = 0; i < 6; i++) {
      await page.keyboard.press('Tab');
      expect(await focusIn('[data-testid=shortcuts]')).toBe(true);
    }
    await page.keyboard.press('Shift+Tab');
    expect(await focusIn('[data-testid=shortcuts]')).toBe(true);
    expect(await ringShown()).toBe(true);
    // Keys meant for the page do nothing while it is open.
    await page.keyboard.press(`Alt+${VIEWS.indexOf('playback') + 1}`);
    expect(await page.evaluate(() => location.hash)).toBe('#/live');
    await page.keyboard.press('Escape');
    await expect.poll(() => dialog.count()).toBe(0);
    await expect.poll(focused).toContain('[gridcell] tile=0');

    await page.focus('.tree-filter');
    await page.keyboard.press('Shift+Slash');
    expect(await page.inputValue('.tree-filter')).toBe('?');
    expect(await dialog.count()).toBe(0);
    await page.fill('.tree-filter', '');

    // The button at the foot of the navigation opens it too.
    await page.click('[data-testid=open-shortcuts]');
    await dialog.waitFor();
    await page.keyboard.press('Escape');
    await expect.poll(() => dialog.count()).toBe(0);
    await expect.poll(focused).toContain('open-shortcuts');
  });

  it('the overlay is in the language chosen', async () => {
    await page.evaluate(() => localStorage.setItem('watchpost.language', 'de'));
    await page.reload();
    await page.waitForSelector('.conn-open');
    expect(await page.locator('nav .nav-item kbd').first().textContent()).toBe('Alt+1');
    await page.locator('main h1').focus();
    await page.keyboard.press('Shift+Slash');
    const dialog = page.getByRole('dialog', { name: 'Tastenkürzel' });
    await dialog.waitFor();
    expect(await dialog.locator('[data-shortcut="tile.clear"] kbd').textContent()).toBe('Entf / Rücktaste');
    expect(await dialog.locator('[data-shortcut="timeline.select"] kbd').textContent()).toBe('Umschalt+← →');
    expect(await dialog.locator('[data-group=tile] h3').textContent()).toBe('Live: Kacheln');
    await page.screenshot({ path: join(SHOTS, 'keyboard-shortcuts-overlay-de.png') });
    await page.keyboard.press('Escape');
    await page.evaluate(() => localStorage.setItem('watchpost.language', 'en'));
    await page.reload();
    await page.waitForSelector('.conn-open');
  });

  it('a row of tabs is one tab stop; the arrows choose the tab (Events, Privacy)', async () => {
    await page.keyboard.press(`Alt+${VIEWS.indexOf('events') + 1}`);
    await page.waitForFunction(() => location.hash === '#/events');
    const selected = () => page.evaluate(() => document.querySelector('[role=tab][aria-selected=true]')?.getAttribute('data-tab'));
    await page.locator('[role=tab][aria-selected=true]').focus();
    expect(await tabStops('[role=tablist]')).toEqual([]);
    await page.locator('[role=tab][aria-selected=true]').focus();
    await page.keyboard.press('ArrowRight');
    expect(await selected()).toBe('sensors');
    expect(await page.evaluate(() => document.activeElement?.getAttribute('data-tab'))).toBe('sensors');
    expect(await page.locator('[role=tabpanel]').getAttribute('aria-labelledby')).toBe('ev-tab-sensors');
    await page.keyboard.press('End');
    expect(await selected()).toBe('sources');
    await page.keyboard.press('ArrowLeft');
    expect(await selected()).toBe('motion');
    // The motion mask is one stop too: 144 cells, the arrows inside.
    await page.locator('.ev-mask-grid button[tabindex="0"]').waitFor();
    expect(await page.locator('.ev-mask-grid button[tabindex="0"]').count()).toBe(1);
    await page.locator('.ev-mask-grid button[tabindex="0"]').focus();
    await page.keyboard.press('ArrowDown');
    await page.keyboard.press('ArrowRight');
    expect(await page.evaluate(() => document.activeElement?.getAttribute('data-cell'))).toBe('17');
    await page.keyboard.press('Home');
    await page.locator('[role=tab][aria-selected=true]').focus();
    await page.keyboard.press('Home');
    expect(await selected()).toBe('events');

    await page.keyboard.press(`Alt+${VIEWS.indexOf('privacy') + 1}`);
    await page.waitForFunction(() => location.hash === '#/privacy');
    await page.locator('[data-testid=tab-login]').focus();
    await page.keyboard.press('ArrowRight');
    expect(await page.locator('[data-testid=tab-signup]').getAttribute('aria-selected')).toBe('true');
    await expect.poll(focused).toContain('testid=tab-signup');
    await page.keyboard.press('ArrowLeft');
    expect(await page.locator('[data-testid=tab-login]').getAttribute('aria-selected')).toBe('true');
  });

  it('on the timeline, Shift+arrows select a range that Export then takes; + and − zoom', async () => {
    await page.keyboard.press(`Alt+${VIEWS.indexOf('playback') + 1}`);
    await page.waitForFunction(() => location.hash === '#/playback');
    await page.locator('.pb-channels input[type=checkbox]').first().check();
    const canvas = page.locator('.pb-canvas').first();
    await canvas.focus();
    const exportButton = page.locator('.pb-controls button', { hasText: 'Export…' });
    expect(await exportButton.isDisabled()).toBe(true);
    const range = () => page.locator('.pb-sel').textContent();
    const hint = await range();
    await page.keyboard.press('Shift+ArrowRight');
    await page.keyboard.press('Shift+ArrowRight');
    await expect.poll(() => exportButton.isDisabled()).toBe(false);
    expect(await range()).not.toBe(hint);
    expect(await ringShown()).toBe(true);
    const max = () => canvas.getAttribute('aria-valuemax').then(Number);
    const min = () => canvas.getAttribute('aria-valuemin').then(Number);
    const span = (await max()) - (await min());
    await page.keyboard.type('-');
    await expect.poll(async () => (await max()) - (await min())).toBeGreaterThan(span);
    await page.keyboard.type('++');
    await expect.poll(async () => (await max()) - (await min())).toBeLessThan(span);
    // Tab reaches Export, and Enter opens it.
    await exportButton.focus();
    await page.keyboard.press('Enter');
    await page.waitForSelector('.pb-dialog');
    await page.click('.pb-dialog button:has-text("Close")');
    guard.check();
  });
});
