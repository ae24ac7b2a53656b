// Every page in every language, in Chromium on the demo station: no missing key, no English text left in another
// language, and no control whose text is wider than its box (German's long words).
import { mkdirSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { domSettled, guardConsole, launchChromium, type ConsoleGuard } from '../helpers/chromium';
import { fileScope } from '../helpers/fixtures';
import { ROOT, startStation, type StationProcess } from '../helpers/station-process';

const LOCALES = join(ROOT, 'renderer/src/i18n/locales');
const VIEWS = ['live', 'playback', 'storage', 'devices', 'events', 'privacy', 'settings', 'status', 'health'] as const;
const SHOTS = join(ROOT, 'test-results');

function flatten(o: unknown, prefix = '', out = new Map<string, string>()): Map<string, string> {
  for (const [k, v] of Object.entries(o as Record<string, unknown>)) {
    if (typeof v === 'string') out.set(prefix + k, v);
    else flatten(v, `${prefix}${k}.`, out);
  }
  return out;
}
function catalogue(lng: string): Map<string, string> {
  const out = new Map<string, string>();
  for (const f of readdirSync(join(LOCALES, lng))) flatten(JSON.parse(readFileSync(join(LOCALES, lng, f), 'utf8')), `${f.replace('.json', '')}:`, out);
  return out;
}

/**
 * English texts that must not show in `lng`: those the language words differently, long enough not to be a name
 * (two words, or one of 6+ letters), cut at their placeholders, and not kept inside any of the language's own texts.
 */
function englishLeftovers(lng: string): string[] {
  const en = catalogue('en'), other = catalogue(lng);
  const texts = new Set<string>();
  for (const [k, v] of en) {
    const mine = other.get(k) ?? other.get(k.replace(/_(one|other)$/, '_other'));
    if (mine === undefined || mine === v) continue;
    for (const part of v.split(/\{\{[^}]+\}\}|<\d+>|<\/\d+>/)) {
      const p = part.trim();
      if (/\p{L}{6,}|\p{L}{2,}\s+\p{L}{2,}/u.test(p) && ![...other.values()].some((o) => o.includes(p))) texts.add(p);
    }
  }
  return [...texts];
}

const scope = fileScope();
let station: StationProcess, browser: Browser;

beforeAll(async () => {
  mkdirSync(SHOTS, { recursive: true });
  [station, browser] = await scope.all([startStation({ args: ['--demo'], env: { WATCHPOST_DEMO_SUBNET: 'random' } }), launchChromium()]);
});

/** A fresh browser profile whose system language is `locale`; `lng` is also stored as the chosen one before every load. */
async function openIn(lng: string | null, locale = 'en-US'): Promise<{ page: Page; guard: ConsoleGuard }> {
  const ctx = await browser.newContext({ viewport: { width: 1366, height: 768 }, locale });
  if (lng) await ctx.addInitScript((l) => localStorage.setItem('watchpost.language', l), lng);
  const page = await ctx.newPage();
  const guard = guardConsole(page);
  await page.goto(station.url);
  await page.waitForSelector('.conn-open');
  return { page, guard };
}

/** Controls whose content is wider than their own box: "tag.class 'text' (content px > box px)". */
const clippedControls = (page: Page) => page.evaluate(() => {
  const out: string[] = [];
  for (const el of document.querySelectorAll<HTMLElement>('main button, main th, main label, main legend, main select, main [role=tab], nav button, main .toolbar > *')) {
    if (!el.offsetParent || el.clientWidth === 0) continue;
    if (el.scrollWidth > el.clientWidth + 1) out.push(`${el.tagName.toLowerCase()}.${el.className} '${(el.textContent ?? '').trim().slice(0, 40)}' (${el.scrollWidth} > ${el.clientWidth})`);
  }
  return out;
});

/** What a person reads on the page: its text and the attributes read aloud or shown on hover, less URLs. */
const readableText = (page: Page) => page.evaluate(() => {
  const parts = [document.body.innerText];
  for (const el of document.querySelectorAll('[title], [aria-label], [placeholder], [alt]'))
    for (const a of ['title', 'aria-label', 'placeholder', 'alt']) { const v = el.getAttribute(a); if (v) parts.push(v); }
  // Addresses are data (rtsp://…/realmonitor?channel=1), not text of the page.
  return parts.join('\n').replace(/\b[a-z]+:\/\/\S+/g, '');
});

describe('every page in every language', () => {
  for (const lng of ['en', 'de', 'es', 'zh'] as const) {
    it(`${lng}: no missing key, no English left, no clipped control`, async () => {
      const { page, guard } = await openIn(lng);
      const leftovers = lng === 'en' ? [] : englishLeftovers(lng);
      const problems: string[] = [];
      for (const view of VIEWS) {
        await page.click(`nav [data-view=${view}]`);
        await page.waitForFunction((v) => location.hash === `#/${v}` && !!document.querySelector('main h1'), view);
        await domSettled(page);
        const text = await readableText(page);
        for (const e of leftovers) if (text.includes(e)) problems.push(`${view}: English "${e}"`);
        for (const c of await clippedControls(page)) problems.push(`${view}: clipped ${c}`);
        if (lng === 'de') await page.screenshot({ path: join(SHOTS, `lang-${lng}-${view}.png`) });
      }
      const missing = await page.evaluate(() => [...((window as { watchpostMissingKeys?: Set<string> }).watchpostMissingKeys ?? [])]);
      expect(missing).toEqual([]);
      expect(problems).toEqual([]);
      expect(await page.evaluate(() => document.documentElement.lang)).toBe(lng === 'zh' ? 'zh-Hans' : lng);
      guard.check();
      await page.context().close();
    }, 90_000);
  }

  it('starts in the system language', async () => {
    const { page, guard } = await openIn(null, 'es-MX');
    await expect.poll(() => page.locator('nav [data-view=settings]').textContent()).toContain('Ajustes');
    guard.check();
    await page.context().close();
  });

  it('the language picker in Settings switches the page at once and is kept for the next start', async () => {
    const { page, guard } = await openIn(null);
    await page.click('nav [data-view=settings]');
    await page.selectOption('select[name=language]', 'de');
    await expect.poll(() => page.locator('main h1').textContent()).toBe('Einstellungen');
    await expect.poll(() => page.locator('nav [data-view=playback]').textContent()).toContain('Wiedergabe');
    await page.reload();
    await page.waitForSelector('.conn-open');
    await expect.poll(() => page.locator('nav [data-view=playback]').textContent()).toContain('Wiedergabe');
    guard.check();
    await page.context().close();
  });
});
