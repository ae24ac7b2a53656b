// PTZ from a live tile in Chromium: hold a direction and camsim's camera turns, let go and it stops; keyboard; presets.
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { soapCall } from '../../scripts/camsim/onvif/client';
import { startCamsim, type CamsimProcess } from '../helpers/camsim-process';
import { launchChromium, openGuardedPage, type ConsoleGuard } from '../helpers/chromium';
import { fileScope } from '../helpers/fixtures';
import { startStation, type StationProcess } from '../helpers/station-process';
import { wsClient } from '../helpers/ws-client';

const SHOTS = '/tmp/shots-live';
const scope = fileScope();
let camsim: CamsimProcess, station: StationProcess, browser: Browser, page: Page, guard: ConsoleGuard;

/** camsim's own PTZ state, read over its ONVIF PTZ service (GetStatus), not through the station. */
async function camState(): Promise<{ x: number; y: number; moving: boolean }> {
  const d = camsim.manifest.devices[0]!;
  const url = d.onvif.deviceService.replace(/device_service$/, 'ptz_service');
  const r = await soapCall(url, `<tptz:GetStatus xmlns:tptz="http://www.onvif.org/ver20/ptz/wsdl"><tptz:ProfileToken>${d.channels[0]!.onvifProfiles.main}</tptz:ProfileToken></tptz:GetStatus>`, d.credentials);
  const pt = /PanTilt x="([-\d.]+)" y="([-\d.]+)"/.exec(r.text);
  if (!pt) throw new Error(`GetStatus: ${r.status} ${r.text.slice(0, 300)}`);
  return { x: Number(pt[1]), y: Number(pt[2]), moving: /<tt:PanTilt>MOVING</.test(r.text) };
}

beforeAll(async () => {
  mkdirSync(SHOTS, { recursive: true });
  [camsim, station, browser] = await scope.all([startCamsim(['--devices', '1', '--channels', '1']), startStation(), launchChromium()]);
  const api = await wsClient(station.url);
  const d = camsim.manifest.devices[0]!;
  await api.call('devices.add', { address: d.ip, httpPort: d.ports.http, ...d.credentials });
  api.close();
  ({ page, guard } = await openGuardedPage(browser, `${station.url}#/live`, { viewport: { width: 1280, height: 800 } }));
}, 120_000);

describe('PTZ in a live tile', () => {
  const tile = () => page.locator('[data-tile="0"]');

  it('a PTZ camera gets a PTZ button; holding a direction turns the camera, releasing stops it', { timeout: 60_000 }, async () => {
    await page.locator('[data-tile="0"][data-state="live"]').waitFor({ timeout: 30_000 });
    await tile().hover();
    await tile().getByRole('button', { name: 'PTZ' }).click();
    const right = tile().getByRole('button', { name: 'Pan right' });
    await right.waitFor();
    const start = await camState();
    expect(start.moving).toBe(false);
    const box = (await right.boundingBox())!;
    await page.mouse.move(box.x + box.width / 2, box.y + box.height / 2);
    await page.mouse.down();
    await expect.poll(async () => (await camState()).x, { timeout: 5000 }).toBeGreaterThan(start.x + 0.1);
    expect((await camState()).moving).toBe(true);
    await page.screenshot({ path: join(SHOTS, 'ptz-moving.png') });
    await page.mouse.up();
    await expect.poll(async () => (await camState()).moving, { timeout: 5000 }).toBe(false);
    const stopped = (await camState()).x;
    await page.waitForTimeout(500);
    expect((await camState()).x).toBe(stopped);
  });

  it('with PTZ mode on, a held arrow key tilts the camera and releasing it stops', { timeout: 60_000 }, async () => {
    await tile().focus();
    const start = await camState();
    await page.keyboard.down('ArrowDown');
    await expect.poll(async () => (await camState()).y, { timeout: 5000 }).toBeLessThan(start.y - 0.1);
    await page.keyboard.up('ArrowDown');
    await expect.poll(async () => (await camState()).moving, { timeout: 5000 }).toBe(false);
    // The tile stayed selected: arrows drove the camera, not the tile selection.
    expect(await tile().getAttribute('aria-selected')).toBe('true');
  });

  it('a camera never keeps turning: losing window focus mid-hold stops it', { timeout: 60_000 }, async () => {
    const up = tile().getByRole('button', { name: 'Tilt up' });
    const box = (await up.boundingBox())!;
    const start = await camState();
    await page.mouse.move(box.x + box.width / 2, box.y + box.height / 2);
    await page.mouse.down();
    await expect.poll(async () => (await camState()).y, { timeout: 5000 }).toBeGreaterThan(start.y + 0.05);
    await page.evaluate(() => window.dispatchEvent(new Event('blur')));
    await expect.poll(async () => (await camState()).moving, { timeout: 5000 }).toBe(false);
    await page.mouse.up();
  });

  it('saves a preset by name and goes back to it', { timeout: 60_000 }, async () => {
    const saved = await camState();
    await tile().getByLabel('New preset name').fill('Loading dock');
    await tile().getByRole('button', { name: 'Save', exact: true }).click();
    await tile().getByRole('status').filter({ hasText: 'Saved preset "Loading dock"' }).waitFor();
    await expect.poll(() => tile().getByRole('combobox', { name: 'Preset' }).locator('option').allTextContents()).toContain('Loading dock');
    // Turn away by keyboard, then go back.
    await tile().focus();
    await page.keyboard.down('ArrowLeft');
    await expect.poll(async () => Math.abs((await camState()).x - saved.x), { timeout: 5000 }).toBeGreaterThan(0.2);
    await page.keyboard.up('ArrowLeft');
    await expect.poll(async () => (await camState()).moving, { timeout: 5000 }).toBe(false);
    await tile().getByRole('combobox', { name: 'Preset' }).selectOption({ label: 'Loading dock' });
    await tile().getByRole('button', { name: 'Go', exact: true }).click();
    await expect.poll(async () => Math.abs((await camState()).x - saved.x), { timeout: 5000 }).toBeLessThan(0.001);
    expect((await camState()).y).toBeCloseTo(saved.y, 3);
    await page.screenshot({ path: join(SHOTS, 'ptz-preset.png') });
  });

  it('the PTZ overlay stays inside a small tile (16-tile layout)', { timeout: 30_000 }, async () => {
    await page.getByRole('radio', { name: '16', exact: true }).click();
    await tile().hover();
    const overlay = tile().getByTestId('ptz');
    await overlay.waitFor();
    const t = (await tile().boundingBox())!, o = (await overlay.boundingBox())!;
    expect(o.x).toBeGreaterThanOrEqual(t.x);
    expect(o.y).toBeGreaterThanOrEqual(t.y);
    expect(o.x + o.width).toBeLessThanOrEqual(t.x + t.width + 1);
    expect(o.y + o.height).toBeLessThanOrEqual(t.y + t.height + 1);
    await page.screenshot({ path: join(SHOTS, 'ptz-16.png') });
    guard.check();
  });
});
