// axe-core on every page and the main dialogs, in Chromium on the demo station: no serious or critical violation.
// The unacknowledged-alarm banner takes its own space: it covers none of a page's controls.
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { beforeAll, describe, expect, it } from 'vitest';
import type { CloudHandle } from '../../cloud';
import { axeViolations } from '../helpers/axe';
import { domSettled, fillAndSubmit, guardConsole, launchChromium, type ConsoleGuard } from '../helpers/chromium';
import { startCloudInTempDir } from '../helpers/cloud-service';
import { fileScope } from '../helpers/fixtures';
import { ROOT, startStation, type StationProcess } from '../helpers/station-process';
import { wsClient, type WsClient } from '../helpers/ws-client';

const SHOTS = join(ROOT, 'test-results');
const scope = fileScope();
let cloud: CloudHandle, station: StationProcess, browser: Browser, page: Page, guard: ConsoleGuard, ws: WsClient;

beforeAll(async () => {
  mkdirSync(SHOTS, { recursive: true });
  ({ cloud } = await startCloudInTempDir(scope, 'wp-e2e-a11y-', { region: 'us' }));
  // The demo LAN holds a camera waiting for its first password, for the activation dialog.
  [station, browser] = await scope.all([startStation({ args: ['--demo', '--cloud-url', cloud.url], env: { WATCHPOST_DEMO_SUBNET: 'random' } }), launchChromium()]);
  ws = scope.add(await wsClient(station.url));
  const ctx = await browser.newContext({ viewport: { width: 1366, height: 768 } });
  page = await ctx.newPage();
  guard = guardConsole(page);
  await page.goto(station.url);
  await page.waitForSelector('.conn-open');
}, 120_000);

async function expectClean(what: string): Promise<void> {
  const found = await axeViolations(page);
  expect.soft(found, `${what}: axe found\n${found.join('\n')}`).toEqual([]);
}

async function goTo(view: string): Promise<void> {
  await page.click(`nav [data-view=${view}]`);
  await page.waitForFunction((v) => location.hash === `#/${v}` && !!document.querySelector('main h1'), view);
  await domSettled(page);
}

describe('axe on every page and dialog', () => {
  it('Live with playing tiles, the add-camera form and the layout editor', async () => {
    await page.waitForSelector('.tile[data-state=live]', { timeout: 30_000 });
    await expectClean('Live');
    await page.click('.tree-head button[aria-expanded]');
    await page.waitForSelector('form.add-camera');
    await expectClean('Live, add camera');
    await page.click('form.add-camera button.secondary');
    await page.click('.live-bar button[aria-pressed]:has-text("Layouts")');
    await page.waitForSelector('.layout-editor');
    await expectClean('Live, layout editor');
    await page.keyboard.press('Escape');
  }, 120_000);

  it('Playback with a channel, and its export and lock dialogs', async () => {
    await goTo('playback');
    await page.locator('.pb-channels input[type=checkbox]').first().check();
    const canvas = page.locator('.pb-canvas').first();
    await canvas.waitFor();
    await expectClean('Playback');
    const box = (await canvas.boundingBox())!;
    await page.keyboard.down('Shift');
    await page.mouse.move(box.x + box.width * 0.5, box.y + box.height / 2);
    await page.mouse.down();
    await page.mouse.move(box.x + box.width * 0.9, box.y + box.height / 2, { steps: 5 });
    await page.mouse.up();
    await page.keyboard.up('Shift');
    await page.click('.pb-controls button:has-text("Export…")');
    await page.waitForSelector('.pb-dialog');
    await expectClean('Playback, export');
    await page.click('.pb-dialog button:has-text("Cancel"), .pb-dialog button:has-text("Close")');
    await page.click('.pb-controls button:has-text("Lock…")');
    await page.waitForSelector('[role=dialog] input[name=lock-reason]');
    await expectClean('Playback, lock');
    await page.keyboard.press('Escape');
  }, 120_000);

  it('Devices, and the activation dialog', async () => {
    await goTo('devices');
    await expectClean('Devices');
    await page.getByRole('button', { name: 'Scan LAN' }).click();
    const fresh = page.locator('tr[data-status=uninitialised]').first();
    await fresh.waitFor({ timeout: 20_000 });
    await expectClean('Devices, scan results');
    await fresh.locator('input[type=checkbox]').check();
    await page.getByRole('button', { name: 'Activate 1' }).click();
    await page.getByRole('dialog').waitFor();
    await expectClean('Devices, activation');
    await page.getByRole('dialog').getByRole('button', { name: 'Close' }).click();
  }, 120_000);

  it('Events and its tabs, Settings and Status', async () => {
    for (const view of ['events', 'settings', 'status']) {
      await goTo(view);
      await expectClean(view);
      if (view !== 'events') continue;
      for (const tab of ['sensors', 'rules', 'motion']) {
        await page.click(`[data-tab=${tab}]`);
        await domSettled(page);
        await expectClean(`Events, ${tab}`);
      }
    }
  }, 120_000);

  it('every other page in the navigation', async () => {
    const walked = ['live', 'playback', 'devices', 'events', 'privacy', 'settings', 'status'];
    const views = await page.locator('nav [data-view]').evaluateAll((els) => els.map((e) => (e as HTMLElement).dataset.view!));
    for (const view of views.filter((v) => !walked.includes(v))) {
      await goTo(view);
      await expectClean(view);
    }
  }, 120_000);

  it('the keyboard shortcuts overlay', async () => {
    await page.locator('main h1').focus();
    await page.keyboard.press('Shift+Slash');
    await page.waitForSelector('[data-testid=shortcuts]');
    await expectClean('shortcuts overlay');
    await page.keyboard.press('Escape');
  });

  it('Privacy signed out and signed in', async () => {
    await goTo('privacy');
    await expectClean('Privacy, signed out');
    await page.click('[data-testid=tab-signup]');
    await expectClean('Privacy, sign-up form');
    await fillAndSubmit(page, 'form[aria-label="Create account"]', { email: `ada.${process.pid}@a11y.example.test`, password: 'correct horse battery', nickname: 'Ada', country: 'US', dateOfBirth: '1985-12-10' });
    await page.waitForSelector('[data-testid=account-email]', { timeout: 15_000 });
    await expectClean('Privacy, signed in');
  }, 120_000);
});

/** What of `selector` the alarm bar covers: it lies under the bar's box, or a click at its centre would hit the bar. */
const coveredBy = (selector: string) => page.evaluate((sel) => {
  const bar = document.querySelector('.ev-unacked')!.getBoundingClientRect();
  const out: string[] = [];
  for (const el of document.querySelectorAll<HTMLElement>(sel)) {
    const r = el.getBoundingClientRect();
    if (!r.width || !r.height) continue;
    const hit = document.elementFromPoint(r.left + r.width / 2, r.top + r.height / 2);
    const under = r.bottom > bar.top && r.top < bar.bottom && r.right > bar.left && r.left < bar.right;
    if (under || hit?.closest('.ev-unacked')) out.push(`${el.tagName.toLowerCase()} '${(el.textContent ?? '').trim().slice(0, 30)}'`);
  }
  return out;
}, selector);

describe('the unacknowledged-alarm bar', () => {
  it('takes its own space: the page ends above it and its last controls can be clicked', async () => {
    await ws.call('alarms.saveRule', { name: 'Disk', enabled: true, types: ['disk_low'], channelIds: null, schedule: '1'.repeat(336), actions: ['mark'] });
    // 99.9 % of the disk free is more than any disk in use has: Disk low at once, an alarm waiting for acknowledgement.
    await ws.call('events.updateSettings', { retentionDays: 90, diskLowValue: 99.9, diskLowUnit: 'percent' });
    await page.waitForSelector('.ev-unacked', { timeout: 15_000 });
    await goTo('playback');
    await expectClean('Playback with the alarm bar');
    const boxes = await page.evaluate(() => ({ bar: document.querySelector('.ev-unacked')!.getBoundingClientRect().toJSON(), main: document.querySelector('main')!.getBoundingClientRect().toJSON() }));
    expect(boxes.bar.top).toBeGreaterThanOrEqual(boxes.main.bottom - 0.5);
    expect(boxes.bar.bottom).toBeLessThanOrEqual(768);
    await page.evaluate(() => { const m = document.querySelector('main')!; m.scrollTop = m.scrollHeight; });
    expect(await coveredBy('.pb-controls button:not(:disabled), .pb-controls select, .pb-canvas')).toEqual([]);
    await page.locator('.pb-controls button', { hasText: '+10s' }).click({ timeout: 2000 });

    await goTo('privacy');
    await page.evaluate(() => { const m = document.querySelector('main')!; m.scrollTop = m.scrollHeight; });
    const last = 'main p:last-of-type, main button:not(:disabled), main input, main select';
    expect(await coveredBy(last)).toEqual([]);
    await page.screenshot({ path: join(SHOTS, 'a11y-alarm-bar-privacy.png') });

    // The bar's own button is reached by keyboard and acknowledges; the page gets the space back.
    await page.locator('.ev-unacked button').focus();
    await page.keyboard.press('Enter');
    await expect.poll(() => page.locator('.ev-unacked').count(), { timeout: 10_000 }).toBe(0);
    expect(await page.evaluate(() => document.querySelector('main')!.getBoundingClientRect().bottom)).toBe(768);
    guard.check();
  }, 120_000);
});
