// What a new user typed (issue 22 items 2, 6 and 11), in Chromium against the station CLI and camsim with video (its own
// process): the Live page's "+ Add" refuses or questions a camera and tries its stream before saving; "Add by IP" names the
// field of a bad address and the address and port of a closed one; a device added by IP takes its own name and says which of
// its streams were already on the list by RTSP URL. Scans probe one closed loopback port only: nothing leaves the machine.
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { withCredentials } from '../../scripts/camsim/fleet';
import { startCamsim, type CamsimProcess } from '../helpers/camsim-process';
import { launchChromium, openGuardedPage, type ConsoleGuard } from '../helpers/chromium';
import { fileScope } from '../helpers/fixtures';
import { freeTcpPort } from '../helpers/in-process-station';
import { requireBuiltRenderer, ROOT, startStation, type StationProcess } from '../helpers/station-process';
import { wsClient, type WsClient } from '../helpers/ws-client';

const scope = fileScope();
const SHOTS = process.env.WATCHPOST_SHOTS ?? join(ROOT, 'test-results');
let camsim: CamsimProcess, station: StationProcess, browser: Browser, page: Page, ws: WsClient, guard: ConsoleGuard, closedPort: number;
const poll = <T>(fn: () => T | Promise<T>, timeout = 15_000) => expect.poll(fn, { timeout, interval: 100 });
const channelNames = async () => (await ws.call<{ name: string }[]>('channels.list', {})).map((c) => c.name);

beforeAll(async () => {
  requireBuiltRenderer();
  mkdirSync(SHOTS, { recursive: true });
  closedPort = await freeTcpPort();
  camsim = scope.add(await startCamsim(['--devices', '2', '--channels', '2']));
  // The scan asks one loopback port where nothing answers.
  [station, browser] = await scope.all([startStation({ env: { WATCHPOST_DISCOVER_UNICAST: `127.0.0.1:${closedPort}:${closedPort}` } }), launchChromium()]);
  ws = scope.add(await wsClient(station.url));
  ({ page, guard } = await openGuardedPage(browser, `${station.url}#/live`, { viewport: { width: 1440, height: 900 } }));
}, 120_000);

describe('the Live page\'s + Add (item 2)', () => {
  const form = () => page.getByRole('form', { name: 'Add a camera by RTSP URL' });
  const fill = async (name: string, mainUrl: string) => {
    await form().locator('input[name=name]').fill(name);
    await form().locator('input[name=mainUrl]').fill(mainUrl);
    await form().getByRole('button', { name: 'Add camera' }).click();
  };

  it('refuses a URL with no host, by its field, and stores nothing', async () => {
    await page.getByRole('button', { name: '+ Add' }).click();
    await fill('Lobby', 'rtsp://');
    await poll(() => form().getByRole('alert').textContent()).toBe('Main stream URL: the address names no camera host, e.g. rtsp://192.168.1.64:554/stream1.');
    expect(await channelNames()).toEqual([]);
  }, 20_000);

  it('tries the stream before saving and says what it found: codec and size', async () => {
    const cam = camsim.manifest.devices[0]!;
    await fill('Lobby', withCredentials(cam.channels[0]!.main.rtsp, cam.credentials!));
    await poll(() => form().locator('[data-probe]').first().textContent(), 20_000).toBe('Main stream URL: H.264, 1920 × 1080');
    await poll(() => form().getByRole('status').textContent()).toBe('Added “Lobby”.');
    expect(await channelNames()).toEqual(['Lobby']);
  }, 30_000);

  it('refuses a name already used and questions a stream already on the list; nothing is stored unless confirmed', async () => {
    const cam = camsim.manifest.devices[0]!;
    await fill('lobby', withCredentials(cam.channels[1]!.main.rtsp, cam.credentials!));
    await poll(() => form().getByRole('alert').textContent()).toBe('Name: “Lobby” is already the name of another camera; choose a different name.');
    await fill('Lobby again', withCredentials(cam.channels[0]!.main.rtsp, cam.credentials!));
    await poll(() => form().getByRole('alert').textContent()).toBe('Main stream URL: this stream is already on the list as “Lobby”. Add it a second time?');
    expect(await form().locator('[data-probe]').count()).toBe(0);
    expect(await channelNames()).toEqual(['Lobby']);
    // The station refuses it too, whatever client asks.
    await expect(ws.call('channels.addRtsp', { name: 'Lobby again', mainUrl: cam.channels[0]!.main.rtsp, subUrl: null })).rejects.toThrow(/already on the list as the main stream of “Lobby”/);
  }, 20_000);

  it('says why an unreachable camera could not be opened (address and port) and saves it only when told to', async () => {
    await fill('Nowhere', 'rtsp://127.0.0.1:9/none');
    await poll(() => form().locator('[data-probe=failed]').textContent(), 20_000).toBe('Main stream URL: Nothing answers at 127.0.0.1:9: the connection was refused.');
    expect(await channelNames()).toEqual(['Lobby']);
    await page.screenshot({ path: join(SHOTS, 'devices-input-live-add.png') });
    await form().getByRole('button', { name: 'Save anyway' }).click();
    await poll(() => form().getByRole('status').textContent()).toBe('Added “Nowhere”.');
    expect(await channelNames()).toEqual(['Lobby', 'Nowhere']);
    await form().getByRole('button', { name: 'Close' }).click();
    guard.check();
  }, 30_000);
});

describe('Devices: a finished scan, Add by IP (items 3, 6 and 11)', () => {
  it('a finished scan that heard nothing says so', async () => {
    await page.click('nav [data-view=devices]');
    await page.getByRole('button', { name: 'Scan LAN' }).click();
    await poll(() => page.locator('.page-head [role=status]').textContent()).toBe('Scan finished: 0 devices found');
    expect(await page.locator('table.dev-scan tbody').textContent()).toBe('The scan found no devices. Check the interfaces, or add a device by its IP address below.');
  }, 20_000);

  it('a sweep of the cameras\' addresses finds them where the scan heard nothing; a range backwards is refused by its field', async () => {
    const subnet = camsim.manifest.subnet;
    await page.getByText('Sweep addresses').click();
    const sweep = page.getByRole('form', { name: 'Sweep addresses' });
    await sweep.getByLabel('First address').fill(`${subnet}.9`);
    await sweep.getByLabel('Last address').fill(`${subnet}.1`);
    await sweep.getByRole('button', { name: 'Sweep' }).click();
    expect(await sweep.getByRole('alert').textContent()).toBe(`Last address: ${subnet}.1 comes before the first, ${subnet}.9.`);
    await sweep.getByLabel('First address').fill(`${subnet}.1`);
    await sweep.getByLabel('Last address').fill(`${subnet}.9`);
    await page.screenshot({ path: join(SHOTS, 'devices-input-sweep.png') });
    await sweep.getByRole('button', { name: 'Sweep' }).click();
    await poll(() => page.locator('.page-head [role=status]').textContent()).toBe('Scan finished: 2 devices found');
    expect((await page.locator('table.dev-scan tbody tr[data-address]').evaluateAll((rows) => rows.map((r) => r.getAttribute('data-address')))).sort())
      .toEqual(camsim.manifest.devices.map((d) => d.ip).sort());
    await page.getByText('Sweep addresses').click();
  }, 30_000);

  it('names the field of an address with an octet over 255, and the address and port of a closed port', async () => {
    await page.getByText('Add by IP address').click();
    const form = page.getByRole('form', { name: 'Credentials for the device' });
    await page.locator('.dev-add input[name=address]').fill('999.1.1.1');
    await page.getByRole('form', { name: 'Credentials for 999.1.1.1' }).getByLabel('Password').fill('whatever-1');
    await page.getByRole('form', { name: 'Credentials for 999.1.1.1' }).getByRole('button', { name: 'Add device' }).click();
    await poll(() => page.getByRole('form', { name: 'Credentials for 999.1.1.1' }).getByRole('alert').textContent())
      .toBe('IP address: “999.1.1.1” is not an IPv4 address (four numbers from 0 to 255, e.g. 192.168.1.64).');
    await page.locator('.dev-add input[name=address]').fill('127.0.0.1');
    await page.locator('.dev-add input[name=port]').fill(String(closedPort));
    const at = page.getByRole('form', { name: 'Credentials for 127.0.0.1' });
    await at.getByRole('button', { name: 'Add device' }).click();
    await poll(() => at.getByRole('alert').textContent())
      .toBe(`Nothing answers at 127.0.0.1:${closedPort}: the connection was refused. Check the IP address and the HTTP port.`);
    expect(await form.count()).toBe(0);
    expect(await ws.call<unknown[]>('devices.list', {})).toEqual([]);
  }, 30_000);

  it('adds a camera by IP under its own name and warns that its stream was already on the list by RTSP URL; the copy can go', async () => {
    const [cam, other] = camsim.manifest.devices;
    for (const d of [cam!, other!]) {
      await page.locator('.dev-add input[name=address]').fill(d.ip);
      await page.locator('.dev-add input[name=port]').fill(String(d.ports.http));
      const at = page.getByRole('form', { name: `Credentials for ${d.ip}` });
      await at.getByLabel('Password').fill(d.credentials!.password);
      await at.getByRole('button', { name: 'Add device' }).click();
      await poll(() => page.locator(`li[data-device="${d.ip}"]`).count()).toBe(1);
    }
    // Two devices of one model, told apart by their own names.
    const names = (await ws.call<{ name: string; channels: { name: string }[] }[]>('devices.list', {})).map((d) => [d.name, d.channels.map((c) => c.name)]);
    expect(names).toEqual([[`camsim-${cam!.id}`, [`camsim-${cam!.id} CH1`, `camsim-${cam!.id} CH2`]], [`camsim-${other!.id}`, [`camsim-${other!.id} CH1`, `camsim-${other!.id} CH2`]]]);
    const notice = page.getByTestId('duplicates');
    await poll(() => notice.locator('p').textContent())
      .toBe(`camsim-${cam!.id} is added, but its stream was already on the list by RTSP URL as “Lobby”: it now shows twice in Live view, rules and Playback.`);
    await page.screenshot({ path: join(SHOTS, 'devices-input-duplicates.png'), fullPage: true });
    await notice.getByRole('button', { name: 'Remove the RTSP-URL copy' }).click();
    await poll(() => notice.count()).toBe(0);
    await poll(channelNames).toEqual(['Nowhere', `camsim-${cam!.id} CH1`, `camsim-${cam!.id} CH2`, `camsim-${other!.id} CH1`, `camsim-${other!.id} CH2`]);
    guard.check();
  }, 60_000);
});
