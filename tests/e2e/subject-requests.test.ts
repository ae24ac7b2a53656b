// A subject access request from received to disclosed, in Chromium against `npm run station` recording GStreamer's
// RTSP camera: registered on the Privacy page's Requests tab with a due date three days out (the reminder shows on the
// row, the tab and the register), searched, a real redacted export of the recording attached, disclosed by email; the
// disclosure is in the operation log (request, exports, method) and the requester's name is not.
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { axeViolations } from '../helpers/axe';
import { guardConsole, launchChromium, type ConsoleGuard } from '../helpers/chromium';
import { fileScope } from '../helpers/fixtures';
import { startGstCamera, type GstCamera } from '../helpers/gst-rtsp';
import { ROOT, startStation, type StationProcess } from '../helpers/station-process';
import { recordContinuously } from '../helpers/station-setup';
import { wsClient, type WsClient } from '../helpers/ws-client';

const SHOTS = join(ROOT, 'test-results');
const scope = fileScope();
const DAY = 86_400_000;
let cam: GstCamera, station: StationProcess, browser: Browser, page: Page, guard: ConsoleGuard, api: WsClient;
const call = (name: string, input: unknown): Promise<any> => api.call(name, input);
let channelId: number, exportId: number;

beforeAll(async () => {
  mkdirSync(SHOTS, { recursive: true });
  [cam, station, browser] = await scope.all([startGstCamera(), startStation(), launchChromium()]);
  api = scope.add(await wsClient(station.url));
  channelId = (await call('channels.addRtsp', { name: 'Entrance', mainUrl: cam.url(), subUrl: null })).id;
  await recordContinuously(api, channelId, 8_000);
  const now = Date.now();
  const [tl] = await call('archive.timeline', { channelIds: [channelId], from: now - 600_000, to: now });
  const span = [...tl.spans].sort((a: { start: number; end: number }, b: { start: number; end: number }) => (b.end - b.start) - (a.end - a.start))[0];
  if (!span || span.end - span.start < 4_000) throw new Error(`no recorded span of 4 s: ${JSON.stringify(tl)}`);
  // A real redacted export of the recording (the redaction area's call), to attach to the request.
  ({ exportId } = await call('redaction.start', {
    channelId, from: span.start + 500, to: span.start + 3_500, boxes: [{ inverted: false, keys: [{ at: span.start + 500, x: 0.1, y: 0.1, w: 0.3, h: 0.3 }] }],
    settings: { effect: 'blur', quality: 'low', audio: false, faces: false },
  }));
  for (const t0 = Date.now(); ; await new Promise((r) => setTimeout(r, 250))) {
    const e = (await call('redaction.list', {})).find((x: { exportId: number }) => x.exportId === exportId);
    if (e?.state === 'done') break;
    if (e?.state === 'failed' || Date.now() - t0 > 60_000) throw new Error(`the redacted export did not finish: ${JSON.stringify(e)}`);
  }
  // A page of its own context, at the size the request page is laid out for.
  page = await (await browser.newContext({ viewport: { width: 1280, height: 900 } })).newPage();
  guard = guardConsole(page);
  await page.goto(`${station.url}#/privacy`);
}, 120_000);

const detail = () => page.locator('[data-testid=sar-detail]');

describe('subject access requests', () => {
  it('registers a request, reminds of its due date, and takes it from received to disclosed', async () => {
    await page.click('[role=tab][data-tab=requests]');
    await page.click('[data-testid=sar-new]');
    const form = page.locator('[data-testid=sar-form]');
    // Nothing chosen: refused with the field named, nothing stored.
    await form.locator('input[name=sar-name]').fill('Erika Mustermann');
    await form.locator('input[name=sar-contact]').fill('erika@example.test');
    await form.locator('[data-testid=sar-create]').click();
    await expect.poll(() => form.locator('[role=alert]').textContent()).toContain('Channels');
    expect((await call('subjectRequests.list', {})).requests).toEqual([]);
    const due = new Date(Date.now() + 3 * DAY);
    await form.locator('input[name=sar-due]').fill(due.toISOString().slice(0, 10));
    await form.locator('input[name=sar-channel]').check();
    await form.locator('textarea[name=sar-notes]').fill('Blue coat, came in around noon');
    // A second time window: the person came back the evening before.
    await form.locator('[data-testid=sar-add-window]').click();
    const second = form.locator('[data-window="1"]');
    await second.locator('input[name=sar-from]').fill('2026-01-05T18:00');
    await second.locator('input[name=sar-to]').fill('2026-01-05T19:30');
    await form.locator('[data-testid=sar-create]').click();
    const row = page.locator('[data-request=SAR-0001]');
    await expect.poll(() => row.getAttribute('data-state')).toBe('received');
    const stored = async (): Promise<{ from: number; to: number }[]> => (await call('subjectRequests.list', {})).requests[0].windows;
    expect((await stored()).map((w) => w.to - w.from)).toEqual([DAY, 90 * 60_000]);
    await expect.poll(() => detail().locator('.sar-windows button').count()).toBe(2);
    // Changed later in the request's details: the second window removed again.
    await detail().getByRole('button', { name: 'Remove window 2' }).click();
    await detail().getByRole('button', { name: 'Save', exact: true }).click();
    await expect.poll(async () => (await stored()).length).toBe(1);
    await expect.poll(() => detail().locator('.sar-windows button').count()).toBe(1);
    // The reminder: on the row, on the tab, and in the register's list of what is due.
    await expect.poll(() => row.locator('[data-reminder]').getAttribute('data-reminder')).toBe('week');
    await expect.poll(() => page.locator('[data-testid=sar-tab-badge]').textContent()).toBe('1');
    await expect.poll(() => page.locator('[data-testid=sar-reminders]').textContent()).toContain('SAR-0001');

    await detail().locator('[data-testid=sar-start-search]').click();
    await expect.poll(() => detail().getAttribute('data-state')).toBe('searching');
    await detail().locator('[data-testid=sar-motion]').click();
    await expect.poll(() => detail().locator('[data-testid=sar-search] h5').nth(2).textContent()).toMatch(/\d+ motions?/);
    // Prepared needs an export: refused, then the redacted export attached.
    await detail().locator('[data-testid=sar-prepared]').click();
    await expect.poll(() => page.locator('[data-testid=sar-error]').textContent()).toContain('attach at least one redacted export');
    await detail().locator('[data-testid=sar-export-pick]').selectOption(String(exportId));
    await detail().locator('[data-testid=sar-attach]').click();
    await expect.poll(() => detail().locator(`[data-testid=sar-attached] [data-export="${exportId}"]`).count()).toBe(1);
    // While the request is open the export's original range is locked as evidence.
    expect((await call('redaction.list', {})).find((x: { exportId: number }) => x.exportId === exportId).lockId).not.toBeNull();
    await detail().locator('[data-testid=sar-prepared]').click();
    await expect.poll(() => detail().getAttribute('data-state')).toBe('prepared');
    await detail().locator('[data-testid=sar-method]').selectOption('email');
    await page.screenshot({ path: join(SHOTS, 'subject-request-prepared.png'), fullPage: true });
    // The tab as it stands: no serious or critical axe finding; the tab row is reached and moved by the keyboard.
    expect(await axeViolations(page)).toEqual([]);
    await page.focus('[role=tab][data-tab=requests]');
    await page.keyboard.press('ArrowLeft');
    await expect.poll(() => page.locator('[id^=privacy-tab-][aria-selected=true]').getAttribute('data-tab')).toBe('account');
    await page.keyboard.press('ArrowRight');
    await expect.poll(() => detail().getAttribute('data-state')).toBe('prepared');
    await detail().locator('[data-testid=sar-method]').selectOption('email');
    await detail().locator('[data-testid=sar-disclose]').click();
    await expect.poll(() => detail().getAttribute('data-state')).toBe('disclosed');
    await expect.poll(() => page.locator('[data-testid=sar-closed]').textContent()).toContain('By email');
    await expect.poll(() => page.locator('[data-testid=sar-tab-badge]').count()).toBe(0);
    expect((await call('redaction.list', {})).find((x: { exportId: number }) => x.exportId === exportId).lockId).toBeNull();
  }, 90_000);

  it('the disclosure is in the operation log: which request, which exports, how; never the person', async () => {
    await page.evaluate(() => { location.hash = '#/operators'; });
    await page.locator('input[name=log-kind]').fill('subjectRequests.disclose');
    const rows = page.locator('[data-testid=oplog] tbody tr[data-kind="subjectRequests.disclose"]');
    await expect.poll(() => rows.count(), { timeout: 15_000 }).toBe(1);
    const text = await rows.first().textContent();
    expect(text).toContain(`"exportIds":[${exportId}]`);
    expect(text).toContain('"method":"email"');
    await page.screenshot({ path: join(SHOTS, 'subject-request-oplog.png') });
    const all = JSON.stringify(await call('oplog.query', {}));
    expect(all).not.toContain('Mustermann');
    expect(all).not.toContain('erika@example.test');
    guard.check();
  }, 30_000);
});
