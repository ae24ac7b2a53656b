// The Events page's "Event sources" tab in Chromium against `npm run station` and camsim: add a device watched only for its
// events, see it connect, receive its event on the mapped channel, refuse what cannot work, remove it.
import type { Browser, Page } from 'playwright-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { DEFAULT_PASSWORD, DEFAULT_USERNAME, startFleet, type Fleet } from '../../scripts/camsim/fleet';
import { launchChromium, openGuardedPage } from '../helpers/chromium';
import { fileScope } from '../helpers/fixtures';
import { freeTcpPort } from '../helpers/in-process-station';
import { startStation, type StationProcess } from '../helpers/station-process';
import { addCamsimChannel } from '../helpers/station-setup';
import { wsClient, type WsClient } from '../helpers/ws-client';

const scope = fileScope();
let fleet: Fleet, station: StationProcess, browser: Browser, page: Page, ws: WsClient;
let channelId: number;

beforeAll(async () => {
  [fleet, station, browser] = await scope.all([startFleet({ devices: 1, channels: 1, subnet: 'random' }), startStation(), launchChromium()]);
  ws = scope.add(await wsClient(station.url));
  channelId = await addCamsimChannel(ws, 'Gate', fleet.manifest.devices[0]!.channels[0]!);
  ({ page } = await openGuardedPage(browser, `${station.url}#/events`, { viewport: { width: 1280, height: 800 } }));
  await page.click('#ev-tab-sources');
  await page.waitForSelector('.ev-sources [data-empty]');
}, 90_000);

async function fill(url: string, channel: number | null) {
  if (!(await page.$('form[aria-label="New event source"]'))) await page.click('[data-action=new-source]');
  await page.fill('input[name=url]', url);
  await page.fill('input[name=username]', DEFAULT_USERNAME);
  await page.fill('input[name=password]', DEFAULT_PASSWORD);
  await page.selectOption('select[name=station-channel-0]', channel === null ? '' : String(channel));
  await page.click('form[aria-label="New event source"] button[type=submit]');
}

describe('event sources page', () => {
  it('refuses a source without a station channel or with an address that is not one, and stores nothing', async () => {
    await fill(`${fleet.device(0).baseUrl}/onvif/events_service`, null);
    expect(await page.textContent('.ev-sources [role=alert]')).toBe('Choose the station channel for each device channel.');
    await fill('not an address', channelId);
    await expect.poll(() => page.textContent('.ev-sources [role=alert]')).toBe('Event source address is not in the expected form.');
    expect(await ws.call('eventSources.list', {})).toEqual([]);
  });

  it('adds a source, shows it connected, and its events arrive on the mapped channel', async () => {
    await fill(`${fleet.device(0).baseUrl}/onvif/events_service`, channelId);
    await page.waitForSelector('.ev-sources tr[data-state=connected]', { timeout: 15_000 });
    expect(await page.textContent('.ev-sources tbody tr')).toContain('1 → Gate');
    // The password is kept by the station, never shown.
    expect(await page.content()).not.toContain(DEFAULT_PASSWORD);
    fleet.device(0).raiseEvent({ kind: 'door', channel: 1, state: true });
    await page.click('#ev-tab-events');
    await page.waitForSelector('.ev-row[data-type=door]', { timeout: 5000 });
    expect(await page.textContent('.ev-row[data-type=door]')).toContain('Gate');
  });

  it('shows a source that cannot be reached in red with its reason, and removes it after asking', async () => {
    await page.click('#ev-tab-sources');
    await fill(`http://127.0.0.1:${await freeTcpPort()}/onvif/events_service`, channelId);
    await page.waitForSelector('.ev-sources tr[data-state=error] .bad-dot', { timeout: 15_000 });
    page.once('dialog', (d) => void d.accept());
    await page.click('.ev-sources tr[data-state=error] button');
    await expect.poll(async () => (await ws.call<unknown[]>('eventSources.list', {})).length).toBe(1);
    await page.waitForSelector('.ev-sources tr[data-state=error]', { state: 'detached' });
  });
});
