// Debian's Chromium through playwright-core; every page fails the test on a console error not allowed.
import { chromium, type Browser, type BrowserContextOptions, type Page } from 'playwright-core';
import { signInPagesOf } from './auth';

export const CHROMIUM = process.env.WATCHPOST_CHROMIUM ?? '/usr/bin/chromium';

/** Every page of this browser loads a station signed in as the test administrator (auth.ts), past the sign-in page. */
export async function launchChromium(extraArgs: string[] = []): Promise<Browser> {
  const browser = await chromium.launch({
    executablePath: CHROMIUM,
    args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--disable-background-networking',
      '--disable-component-update', '--disable-sync', '--no-first-run', ...extraArgs],
  });
  const newContext = browser.newContext.bind(browser);
  const newPage = browser.newPage.bind(browser);
  browser.newContext = async (options) => {
    const ctx = await newContext(options);
    await signInPagesOf(ctx);
    return ctx;
  };
  browser.newPage = async (options) => {
    const page = await newPage(options);
    await signInPagesOf(page.context());
    return page;
  };
  return browser;
}

export type ConsoleGuard = ReturnType<typeof guardConsole>;

/** Collects console errors and page errors; `check()` throws if any is not on the allowlist. */
export function guardConsole(page: Page, allow: RegExp[] = []) {
  const errors: string[] = [];
  page.on('console', (m) => {
    if (m.type() === 'error' && !allow.some((a) => a.test(m.text()))) errors.push(m.text());
  });
  page.on('pageerror', (e) => errors.push(`pageerror: ${e.message}`));
  return {
    errors,
    check() {
      if (errors.length) throw new Error(`console errors:\n${errors.join('\n')}`);
    },
  };
}

/** A new page on `url` whose console is guarded from its first load. */
export async function openGuardedPage(browser: Browser, url: string, options: BrowserContextOptions): Promise<{ page: Page; guard: ConsoleGuard }> {
  const page = await browser.newPage(options);
  const guard = guardConsole(page);
  await page.goto(url);
  return { page, guard };
}

/** `page` once it has gone to `url` and shows `ready` (a selector). */
export async function gotoAndWait(page: Page | Promise<Page>, url: string, ready: string): Promise<Page> {
  const p = await page;
  await p.goto(url);
  await p.waitForSelector(ready);
  return p;
}

/** Fills the page's inputs by name, in the order given, then clicks `form`'s submit button. */
export async function fillAndSubmit(page: Page, form: string, fields: Record<string, string>): Promise<void> {
  for (const [name, value] of Object.entries(fields)) await page.fill(`input[name=${name}]`, value);
  await page.click(`${form} button[type=submit]`);
}

/**
 * Waits until `page`'s DOM has not changed for `quietMs` (at most `maxMs` in all): a page just opened has drawn what its
 * first answers from the station brought. Instead of a fixed pause, which is too long on a quiet machine and may be too
 * short on a loaded one. Video frames do not change the DOM; a ticking clock still leaves quiet gaps between ticks.
 */
export function domSettled(page: Page, quietMs = 250, maxMs = 3000): Promise<void> {
  // No named functions inside: the test transform may wrap them in a helper the page does not have.
  return page.evaluate(([quiet, max]) => new Promise<void>((done) => {
    const t0 = performance.now();
    let last = t0;
    const mo = new MutationObserver(() => { last = performance.now(); });
    mo.observe(document.body, { subtree: true, childList: true, attributes: true, characterData: true });
    const tick = setInterval(() => {
      const now = performance.now();
      if (now - last < quiet && now - t0 < max) return;
      clearInterval(tick);
      mo.disconnect();
      done();
    }, 50);
  }), [quietMs, maxMs] as const);
}
