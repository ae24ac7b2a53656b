// A camera plugged in after the page is open: its WS-Discovery Hello (the Hikvision shape of the real-device corpus) shows a
// row on the Devices page without a scan, and its Bye marks the row gone — through the station CLI's own listener
// (WATCHPOST_WSD_LISTEN on a loopback port: nothing is sent, and nothing leaves lo).
import dgram from 'node:dgram';
import type { Browser, Page } from 'playwright-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { launchChromium, openGuardedPage } from '../helpers/chromium';
import { fixture } from '../helpers/device-fixtures';
import { fileScope } from '../helpers/fixtures';
import { freeUdpPort } from '../helpers/in-process-station';
import { requireBuiltRenderer, startStation, type StationProcess } from '../helpers/station-process';

const scope = fileScope();
let station: StationProcess, browser: Browser, page: Page, port: number;
const poll = <T>(fn: () => T | Promise<T>) => expect.poll(fn, { timeout: 15_000, interval: 100 });

/** Sends `xml` to the station's listener from a loopback address, as the camera at that address would. */
async function announce(from: string, xml: string): Promise<void> {
  const sock = dgram.createSocket('udp4');
  await new Promise<void>((r) => sock.bind(0, from, () => r()));
  await new Promise<void>((r, j) => sock.send(Buffer.from(xml), port, '127.0.0.1', (err) => (err ? j(err) : r())));
  await new Promise<void>((r) => sock.close(() => r()));
}

beforeAll(async () => {
  requireBuiltRenderer();
  port = await freeUdpPort();
  [station, browser] = await scope.all([startStation({ env: { WATCHPOST_WSD_LISTEN: `127.0.0.1:${port}` } }), launchChromium()]);
  ({ page } = await openGuardedPage(browser, `${station.url}#/devices`, { viewport: { width: 1440, height: 900 } }));
}, 90_000);

describe('Hello and Bye on the Devices page', () => {
  it('a Hello adds the row (vendor from its scopes) without a scan; a Bye from the same address marks it offline', async () => {
    const address = `127.${40 + Math.floor(Math.random() * 200)}.${Math.floor(Math.random() * 250)}.9`;
    const row = page.locator(`tr[data-address="${address}"]`);
    expect(await row.count()).toBe(0);
    // The device's own address in XAddrs: a Hello naming another host than its sender is dropped.
    await announce(address, fixture('hikvision', 'hello.xml').replace('http://192.168.1.64/', `http://${address}/`));
    await poll(() => row.getAttribute('data-status')).toBe('initialised');
    expect(await row.locator('[data-col=vendor]').textContent()).toBe('Hikvision');
    expect(await row.locator('[data-col=model]').textContent()).toBe('DS-2CD2143G2-I');
    // A stranger's Bye for the same endpoint changes nothing; the device's own does.
    await announce('127.0.0.1', fixture('hikvision', 'bye.xml'));
    await announce(address, fixture('hikvision', 'bye.xml'));
    await poll(() => row.getAttribute('data-status')).toBe('offline');
  }, 40_000);
});
