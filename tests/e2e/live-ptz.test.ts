// PTZ from a live tile in Chromium: hold a direction and camsim's camera turns, let go and it stops; keyboard; presets.
// Talk from a live tile: Chromium's fake microphone (a beep) held to an ONVIF camera's back channel and a Dahua camera's upload.
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import type { Browser, Locator, Page } from 'playwright-core';
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
  [camsim, station, browser] = await scope.all([startCamsim(['--devices', '2', '--channels', '1']), startStation(),
    // The fake microphone: a beep, allowed without asking (the permission prompt is the browser's, not ours to click).
    launchChromium(['--use-fake-ui-for-media-stream', '--use-fake-device-for-media-stream'])]);
  const api = await wsClient(station.url);
  const d = camsim.manifest.devices[0]!;
  await api.call('devices.add', { address: d.ip, httpPort: d.ports.http, ...d.credentials });
  // cam-02 (for Talk) plays a Dahua without the ONVIF back channel: talk must go by its audio upload. Added second, so
  // tile 0 stays the PTZ camera.
  const d2 = camsim.manifest.devices[1]!;
  await camsim.fault('cam-02', { type: 'backchannel', on: false });
  await api.call('devices.add', { address: d2.ip, httpPort: d2.ports.http, driver: 'dahua', ...d2.credentials });
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

describe('Talk in a live tile', () => {
  it('holding Talk sends the microphone to an ONVIF camera\'s back channel, T held to a Dahua camera\'s audio upload; both in the operation log', { timeout: 60_000 }, async () => {
    const api = await wsClient(station.url);
    const p2 = page;
    const tileOf = (i: number) => p2.locator(`[data-tile="${i}"]`);
    const tiles = [tileOf(0), tileOf(1)];
    // The ONVIF camera is named by its name scope (cam-01), the Dahua one by its machine name (its serial).
    for (const t of tiles) await expect.poll(() => t.getAttribute('aria-label'), { timeout: 20_000 }).not.toMatch(/^empty tile/);
    const onvifTile = (await tiles[0]!.getAttribute('aria-label'))!.includes('cam-01') ? tiles[0]! : tiles[1]!;
    const dahuaTile = onvifTile === tiles[0] ? tiles[1]! : tiles[0]!;
    /** The tile's talk state, with its message when it is an error (so a failure says why). */
    const talkState = async (t: Locator) => {
      const s = await t.getByTestId('tile-talk').getAttribute('data-talk');
      return s === 'error' ? `error: ${await t.getByTestId('tile-talk-error').textContent()}` : s;
    };

    // The ONVIF camera: the button held with the mouse for 1.5 s.
    await onvifTile.hover();
    const talk = onvifTile.getByTestId('tile-talk');
    await talk.waitFor({ timeout: 20_000 });
    const box = (await talk.boundingBox())!;
    await p2.mouse.move(box.x + box.width / 2, box.y + box.height / 2);
    await p2.mouse.down();
    // The first talk may wait for the camera's first answer (camsim encodes a stream's first loop on demand).
    await expect.poll(() => talkState(onvifTile), { timeout: 20_000 }).toBe('talking');
    await p2.waitForTimeout(1500);
    await p2.screenshot({ path: join(SHOTS, 'talk.png') });
    await p2.mouse.up();
    await expect.poll(() => talkState(onvifTile)).toBe('idle');

    // The Dahua camera: T held on the focused tile.
    await dahuaTile.click();
    await dahuaTile.getByTestId('tile-talk').waitFor({ timeout: 20_000 });
    await dahuaTile.focus();
    await p2.keyboard.down('t');
    await expect.poll(() => talkState(dahuaTile), { timeout: 20_000 }).toBe('talking');
    await p2.waitForTimeout(1500);
    await p2.keyboard.up('t');

    // camsim decoded what arrived: over a second of it, not silence, ended when let go.
    const heard = async (device: string) => (await camsim.talks(device))[0]!.talks.at(-1);
    for (const [device, via] of [['cam-01', 'onvif'], ['cam-02', 'dahua']] as const) {
      await expect.poll(async () => (await heard(device))?.endedAt !== undefined, { timeout: 5000 }).toBe(true);
      const r = (await heard(device))!;
      expect(r.via).toBe(via);
      expect(r.durationMs).toBeGreaterThanOrEqual(1000);
      expect(r.durationMs).toBeLessThan(4000);
      expect(r.rms).toBeGreaterThan(0.005);
      expect(r.peak).toBeGreaterThan(0.05);
    }
    // The operation log: who talked through which camera, how, and for how long.
    const rows = await api.call<{ kind: string; channelId: number | null; user: string | null; detail: string }[]>('oplog.query', { kind: 'talk.stop', limit: 10 });
    expect(rows.map((r) => JSON.parse(r.detail).via).sort()).toEqual(['dahua', 'onvif']);
    for (const r of rows) {
      expect(JSON.parse(r.detail).seconds).toBeGreaterThanOrEqual(1);
      expect(r.user).toBeTruthy();
      expect(r.channelId).toBeGreaterThan(0);
    }
    api.close();
    guard.check();
  });

  it('a microphone the browser refuses is said on the tile, and nothing reaches the camera', { timeout: 30_000 }, async () => {
    // The browser's refusal (its prompt is the browser's own; Chromium here is launched to allow): getUserMedia rejects as a denied prompt does.
    await page.evaluate(() => { navigator.mediaDevices.getUserMedia = () => Promise.reject(new DOMException('Permission denied', 'NotAllowedError')); });
    const before = (await camsim.talks('cam-01'))[0]!.talks.length;
    const t0 = page.locator('[data-tile="0"]');
    await t0.focus();
    await page.keyboard.down('t');
    await expect.poll(() => t0.getByTestId('tile-talk-error').textContent().catch(() => null), { timeout: 5000 }).toMatch(/microphone is blocked/);
    await page.keyboard.up('t');
    expect((await camsim.talks('cam-01'))[0]!.talks.length).toBe(before);
  });
});
