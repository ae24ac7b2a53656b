// Editing the device list in Chromium against the station CLI and camsim (with video): add by RTSP URL on the Devices page,
// channel rename, cover image (snapshot, file, refused files), device password, delete with the recordings choice.
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { COVER_MAX_BYTES } from '../../electron/contract';
import { withCredentials } from '../../scripts/camsim/fleet';
import { startCamsim, type CamsimProcess } from '../helpers/camsim-process';
import { launchChromium, openGuardedPage, type ConsoleGuard } from '../helpers/chromium';
import { fileScope } from '../helpers/fixtures';
import { requireBuiltRenderer, ROOT, startStation, type StationProcess } from '../helpers/station-process';
import { wsClient, type WsClient } from '../helpers/ws-client';

const scope = fileScope();
let camsim: CamsimProcess, station: StationProcess, browser: Browser, page: Page, ws: WsClient, consoleGuard: ConsoleGuard;
const SHOTS = process.env.WATCHPOST_SHOTS ?? join(ROOT, 'test-results');
const PNG = Buffer.from('89504e470d0a1a0a0000000d49484452000000010000000108060000001f15c4890000000d4944415478da63f8ffff3f0005fe02fea7d6a4f40000000049454e44ae426082', 'hex');
const poll = <T>(fn: () => T | Promise<T>, timeout = 15_000) => expect.poll(fn, { timeout, interval: 100 });
type Dev = { id: number; name: string; address: string; channels: { channelId: number; name: string }[] };

beforeAll(async () => {
  requireBuiltRenderer();
  mkdirSync(SHOTS, { recursive: true });
  camsim = scope.add(await startCamsim(['--devices', '2', '--channels', '1']));
  [station, browser] = await scope.all([startStation(), launchChromium()]);
  ws = scope.add(await wsClient(station.url));
  for (const d of camsim.manifest.devices) {
    await ws.call('devices.add', { address: d.ip, httpPort: d.ports.http, username: d.credentials!.username, password: d.credentials!.password, ...(d.id === 'cam-02' ? { driver: 'dahua' } : {}) });
  }
  ({ page, guard: consoleGuard } = await openGuardedPage(browser, `${station.url}#/devices`, { viewport: { width: 1440, height: 1000 } }));
}, 90_000);

const devices = () => ws.call<Dev[]>('devices.list', {});
const item = (d: { ip: string }) => page.locator(`li[data-device="${d.ip}"]`);
async function expand(d: { ip: string }) {
  if ((await item(d).getAttribute('aria-expanded')) !== 'true') await item(d).locator('.dev-toggle').click();
}

describe('editing the device list in Chromium', () => {
  it('adds a camera by RTSP URL on the Devices page (the Live page\'s call) and renames it there', async () => {
    const cam = camsim.manifest.devices[0]!;
    await page.getByRole('button', { name: 'Add by RTSP URL' }).click();
    const form = page.getByRole('form', { name: 'Add a camera by RTSP URL' });
    await form.locator('input[name=name]').fill('Loading dock');
    await form.locator('input[name=mainUrl]').fill('http://not-rtsp');
    await form.getByRole('button', { name: 'Add camera' }).click();
    await poll(() => form.getByRole('alert').count()).toBe(1);
    await form.locator('input[name=mainUrl]').fill(withCredentials(cam.channels[0]!.main.rtsp, cam.credentials!));
    await form.getByRole('button', { name: 'Add camera' }).click();
    // The device added in the set-up has this stream already: the form asks, then tries the stream and saves it.
    await poll(() => form.getByRole('alert').textContent()).toMatch(/^Main stream URL: this stream is already on the list as “.+”\. Add it a second time\?$/);
    await form.getByRole('button', { name: 'Add it anyway' }).click();
    await poll(() => form.locator('[data-probe=ok]').textContent(), 20_000).toBe('Main stream URL: H.264, 1920 × 1080');
    const row = page.locator('.dev-rtsp li[data-rtsp]');
    await poll(() => row.count()).toBe(1);
    expect(await row.textContent()).toContain('Loading dock');
    // The URL shown carries no password.
    expect(await row.textContent()).not.toContain(cam.credentials!.password);
    await row.getByRole('button', { name: 'Rename Loading dock' }).click();
    await row.getByLabel('New name for Loading dock').fill('Dock east');
    await row.getByRole('button', { name: 'Save' }).click();
    await poll(() => row.locator('.dev-ch-name').textContent()).toBe('Dock east');
    expect((await ws.call<{ name: string }[]>('channels.list', {})).map((c) => c.name)).toContain('Dock east');
  }, 30_000);

  it('renames a device channel in the tree', async () => {
    const cam = camsim.manifest.devices[0]!;
    await expand(cam);
    const ch = item(cam).locator('li[data-channel="1"]');
    const old = (await ch.locator('.dev-ch-name').textContent())!;
    await ch.getByRole('button', { name: `Rename ${old}` }).click();
    await ch.getByLabel(`New name for ${old}`).fill('Gate north');
    await ch.getByLabel(`New name for ${old}`).press('Enter');
    await poll(() => ch.locator('.dev-ch-name').textContent()).toBe('Gate north');
    expect((await devices()).find((d) => d.address === cam.ip)!.channels[0]!.name).toBe('Gate north');
  }, 20_000);

  it('sets a channel cover from a snapshot and from a file; a wrong type or an oversized file is refused by name', async () => {
    const cam = camsim.manifest.devices[0]!;
    const ch = item(cam).locator('li[data-channel="1"]');
    await ch.getByRole('button', { name: 'Cover image of Gate north' }).click();
    const dialog = page.getByRole('dialog');
    await dialog.getByRole('button', { name: 'Use a snapshot of the channel' }).click();
    await poll(() => dialog.getByRole('status').textContent(), 20_000).toBe('Cover set from a snapshot');
    await poll(() => ch.getAttribute('data-cover')).toBe('yes');
    await poll(() => ch.locator('img.dev-cover').evaluate((i: HTMLImageElement) => i.naturalWidth)).toBeGreaterThan(0);
    const file = dialog.locator('input[type=file]');
    await file.setInputFiles({ name: 'notes.txt', mimeType: 'text/plain', buffer: Buffer.from('not an image') });
    await poll(() => dialog.getByRole('alert').textContent()).toBe('notes.txt is not a JPEG, PNG or WebP image');
    await file.setInputFiles({ name: 'huge.png', mimeType: 'image/png', buffer: Buffer.concat([PNG, Buffer.alloc(COVER_MAX_BYTES)]) });
    await poll(() => dialog.getByRole('alert').textContent()).toMatch(/^huge\.png is \d+ KiB; a cover may be at most 512 KiB$/);
    // A file that claims to be a PNG but is not: the station checks the bytes.
    await file.setInputFiles({ name: 'fake.png', mimeType: 'image/png', buffer: Buffer.from('GIF89a not really a png') });
    await poll(() => dialog.getByRole('alert').textContent()).toMatch(/JPEG, PNG or WebP/);
    await file.setInputFiles({ name: 'logo.png', mimeType: 'image/png', buffer: PNG });
    await poll(() => dialog.getByRole('status').textContent()).toBe('Cover set from logo.png');
    await poll(() => ch.locator('img.dev-cover').getAttribute('src')).toMatch(/^data:image\/png;base64,/);
    await page.screenshot({ path: join(SHOTS, 'devices-edit-cover.png') });
    await dialog.getByRole('button', { name: 'Close' }).click();
  }, 40_000);

  it('changes a device password through each driver: a weak one is held back, a strong one is set on the device', async () => {
    for (const cam of camsim.manifest.devices) {
      const d = (await devices()).find((x) => x.address === cam.ip)!;
      await item(cam).getByRole('button', { name: `Change the password of ${d.name}` }).click();
      const dialog = page.getByRole('dialog');
      await dialog.locator('input[name=password]').fill('weakweak');
      expect(await dialog.locator('.pw-rule li.ok').count()).toBe(2);
      expect(await dialog.getByRole('button', { name: 'Change password' }).isDisabled()).toBe(true);
      const fresh = `New-${cam.id}-Pass9`;
      await dialog.locator('input[name=password]').fill(fresh);
      await dialog.locator('input[name=confirm]').fill(fresh);
      await dialog.getByRole('button', { name: 'Change password' }).click();
      await poll(() => dialog.getByRole('status').count(), 20_000).toBe(1);
      const now = await (await fetch(`${camsim.manifest.control!}/devices/${cam.id}`)).json() as { credentials: { password: string } };
      expect(now.credentials.password).toBe(fresh);
      await dialog.getByRole('button', { name: 'Close' }).click();
    }
  }, 40_000);

  it('deletes a device only after choosing what happens to its recordings; its credentials go', async () => {
    const cam = camsim.manifest.devices[1]!;
    const d = (await devices()).find((x) => x.address === cam.ip)!;
    await item(cam).getByRole('button', { name: `Delete ${d.name}` }).click();
    const dialog = page.getByRole('dialog');
    expect(await dialog.getByRole('button', { name: 'Delete device' }).isDisabled()).toBe(true);
    await dialog.getByLabel(/Delete its recordings/).check();
    await page.screenshot({ path: join(SHOTS, 'devices-edit-delete.png') });
    await dialog.getByRole('button', { name: 'Delete device' }).click();
    await poll(() => item(cam).count()).toBe(0);
    expect((await devices()).some((x) => x.address === cam.ip)).toBe(false);
    const ch = (await ws.call<{ id: number }[]>('channels.list', {})).some((c) => c.id === d.channels[0]!.channelId);
    expect(ch).toBe(false);
    consoleGuard.check();
  }, 30_000);
});
