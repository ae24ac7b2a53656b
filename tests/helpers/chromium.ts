// Debian's Chromium through playwright-core; every page fails the test on a console error not allowed.
import { chromium, type Browser, type Page } from 'playwright-core';

export const CHROMIUM = process.env.WATCHPOST_CHROMIUM ?? '/usr/bin/chromium';

export async function launchChromium(extraArgs: string[] = []): Promise<Browser> {
  return chromium.launch({
    executablePath: CHROMIUM,
    args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--disable-background-networking',
      '--disable-component-update', '--disable-sync', '--no-first-run', ...extraArgs],
  });
}

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
