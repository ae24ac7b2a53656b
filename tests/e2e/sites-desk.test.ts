// A desk's smaller station chores (issue 14), on real station processes: "Find stations" lists a station serving desks
// (WS-Discovery, here on a loopback port: nothing leaves lo) and one click fills the add form; a station of another
// contract shows as such in the site tree with both versions; a remote camera's device is a level of the site tree; the
// Recording page shows settings someone else changed while its user was typing, and says so; and the desk's Recording
// page changes a remote station's channel and archive settings there, and shows a change made there at once.
import { AxeBuilder } from '@axe-core/playwright';
import type { Browser, Page } from 'playwright-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { siteChannelId } from '../../electron/contract';
import { DEFAULT_PASSWORD, DEFAULT_USERNAME, placeholderMedia, startFleet, type Fleet } from '../../scripts/camsim/fleet';
import { TEST_ADMIN } from '../helpers/auth';
import { guardConsole, launchChromium, openGuardedPage, type ConsoleGuard } from '../helpers/chromium';
import { fileScope } from '../helpers/fixtures';
import { freeTcpPort, freeUdpPort, mediaClient, serveStation, servedStationDir, type ServedStation } from '../helpers/in-process-station';
import { ROOT, startStation, type StationProcess } from '../helpers/station-process';
import { wsClient, type WsClient } from '../helpers/ws-client';

const scope = fileScope();
let desk: StationProcess, remote: StationProcess, newer: ServedStation, fleet: Fleet, browser: Browser, page: Page, guard: ConsoleGuard;
let deskWs: WsClient, remoteWs: WsClient, serving: { host: string; port: number; fingerprint: string };

/** axe's serious and critical findings within `selector` (as tests/e2e/accessibility.test.ts checks whole pages). */
async function axeIn(p: Page, selector: string): Promise<string[]> {
  const r = await new AxeBuilder({ page: p }).include(selector).withTags(['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'best-practice']).analyze();
  return r.violations.filter((v) => v.impact === 'serious' || v.impact === 'critical').map((v) => `${v.id}: ${v.nodes.map((n) => n.target.join(' ')).join(', ')}`);
}

beforeAll(async () => {
  const env = { WATCHPOST_SITES_DISCOVERY: `127.0.0.1:${await freeUdpPort()}`, WATCHPOST_WSD_LISTEN: 'off' };
  [desk, remote, newer, fleet, browser] = await scope.all([
    startStation({ env }), startStation({ env }),
    // A station of the next major version (in this process: only a test can pose as one).
    serveStation(servedStationDir(scope, 'wp-desk-newer-'), { heartbeatMs: 60_000, poseAs: { version: '2.0.0', contract: '2.0' } }),
    startFleet({ devices: 1, channels: 2, subnet: 'random', media: placeholderMedia }),
    launchChromium(),
  ] as const);
  remoteWs = await wsClient(remote.url);
  const d = fleet.manifest.devices[0]!;
  await remoteWs.call('devices.add', { address: d.ip, httpPort: d.ports.http, name: 'Mast 3', username: DEFAULT_USERNAME, password: DEFAULT_PASSWORD });
  serving = await remoteWs.call('sites.setServing', { enabled: true, host: '127.0.0.2', port: await freeTcpPort() });
  deskWs = await wsClient(desk.url);
  // AxeBuilder needs a page of a context made with newContext().
  page = await (await browser.newContext({ viewport: { width: 1400, height: 900 } })).newPage();
  guard = guardConsole(page);
  await page.goto(`${desk.url}#/devices`);
}, 90_000);

describe('a desk and its stations', () => {
  it('finds a station serving desks on the LAN; one click fills the add form', { timeout: 30_000 }, async () => {
    const panel = page.locator('section.sites');
    await panel.getByRole('button', { name: 'Find stations' }).click();
    const found = panel.getByRole('list', { name: 'Stations found' }).locator('li');
    await expect.poll(() => found.count(), { timeout: 10_000 }).toBe(1);
    expect(await found.getAttribute('data-found')).toBe(`127.0.0.2:${serving.port}`);
    expect(await axeIn(page, 'section.sites')).toEqual([]);
    expect((await found.locator('code.fingerprint').textContent())!.replace(/[\s:]/g, '')).toBe(serving.fingerprint.replace(/:/g, ''));
    await found.getByRole('button').click();
    const form = page.getByRole('form', { name: 'Add a station' });
    expect(await form.getByLabel('Address', { exact: true }).inputValue()).toBe('127.0.0.2');
    expect(await form.getByLabel('Port', { exact: true }).inputValue()).toBe(String(serving.port));
    expect(await form.getByLabel('Name', { exact: true }).inputValue()).not.toBe('');
    // The account there is the user's to type: the focus waits in its field.
    expect(await page.evaluate(() => document.activeElement?.closest('label')?.textContent)).toContain('User name there');
    await page.keyboard.type(TEST_ADMIN.name);
    await form.getByLabel('Password there').fill(TEST_ADMIN.password);
    await form.getByRole('button', { name: 'Add station' }).click();
    await page.getByRole('dialog').getByRole('button', { name: 'The fingerprints match: trust' }).click();
    await expect.poll(() => page.locator('tr[data-site]').first().getAttribute('data-state'), { timeout: 15_000 }).toBe('online');
    // Once added, it leaves the list found.
    await expect.poll(() => found.count()).toBe(0);
  });

  it('shows a station of another version in the site tree with both versions, and the remote cameras under their device', { timeout: 30_000 }, async () => {
    const n = await mediaClient(scope, newer.server);
    const on = (await n.call('sites.setServing', { enabled: true, host: '127.0.0.3', port: await freeTcpPort() })).value as { port: number; fingerprint: string };
    const added = await deskWs.call<{ id: number }>('sites.add', { name: 'East gate', host: '127.0.0.3', port: on.port, username: TEST_ADMIN.name, password: TEST_ADMIN.password });
    await deskWs.call('sites.trust', { id: added.id, fingerprint: on.fingerprint });
    const { version } = await deskWs.call<{ version: string }>('station.status', {});
    await page.goto(`${desk.url}#/live`);
    const east = page.locator('.tree-group', { hasText: 'East gate' });
    await expect.poll(() => east.locator('.site-state').getAttribute('data-state'), { timeout: 15_000 }).toBe('incompatible');
    expect(await east.textContent()).toContain(`East gate runs Watchpost 2.0.0, this desk ${version}: update one of them`);
    // Stations, then devices, then channels.
    const tree = await page.locator('.tree li').evaluateAll((els) => els.map((e) => `${e.className.split(' ')[0]}:${e.querySelector('.tree-name')?.textContent}`));
    expect(tree.slice(1)).toEqual(['tree-device:Mast 3', expect.stringMatching(/^tree-item:/), expect.stringMatching(/^tree-item:/), 'tree-group:East gate']);
    await page.screenshot({ path: `${ROOT}/test-results/sites-desk-tree.png` });
  });

  it('shows recording settings someone else changed while the user was typing, and says so', { timeout: 30_000 }, async () => {
    const { page: p2, guard: g2 } = await openGuardedPage(browser, `${remote.url}#/storage`, { viewport: { width: 1400, height: 900 } });
    const segment = p2.locator('input[name="segment"]');
    await expect.poll(() => segment.inputValue(), { timeout: 10_000 }).not.toBe('');
    const before = await segment.inputValue();
    await segment.fill(String(Number(before) + 2));
    // Another user (another desk) changes the archive settings before this one saves: the page shows theirs at once.
    const config = await remoteWs.call<{ archive: object; revision: number }>('recording.config', {});
    await remoteWs.call('recording.setArchive', { ...config.archive, segmentSeconds: Number(before) + 7, revision: config.revision });
    await expect.poll(() => p2.locator('[data-stale="archive"]').textContent(), { timeout: 10_000 }).toContain('Someone else changed these settings meanwhile');
    await expect.poll(() => segment.inputValue()).toBe(String(Number(before) + 7));
    expect((await remoteWs.call<{ archive: { segmentSeconds: number } }>('recording.config', {})).archive.segmentSeconds).toBe(Number(before) + 7);
    g2.check();
    guard.check();
  });

  it('the desk\'s Recording page changes a remote station\'s settings there, and shows a change made there at once', { timeout: 30_000 }, async () => {
    const site = (await deskWs.call<{ id: number; name: string; port: number }[]>('sites.list', {})).find((s) => s.port === serving.port)!;
    const remoteId = (await remoteWs.call<{ id: number }[]>('channels.list', {}))[0]!.id;
    const there = async () => (await remoteWs.call<{ channels: { channelId: number; retentionDays: number | null }[]; archive: { segmentSeconds: number }; revision: number }>('recording.config', {}));
    await page.goto(`${desk.url}#/storage`);
    // The remote channel's row, in its station's group, with that station's settings once asked of it.
    const row = page.locator(`tbody[data-site="${site.id}"] tr[data-channel="${siteChannelId(site.id, remoteId)}"]`);
    await expect.poll(() => row.locator('[data-col=mode]').textContent(), { timeout: 10_000 }).toBe('Off');
    expect(await axeIn(page, '.st-table-wrap')).toEqual([]);
    await row.locator('input[type=checkbox]').check();
    expect(await page.locator('#st-settings-legend').textContent()).toBe(`Settings for 1 channel on ${site.name} (changed there)`);
    const days = page.locator('.st-settings input[name=retentionDays]');
    await page.locator('.st-settings input[name=noAgeLimit]').uncheck();
    await days.fill('9');
    await page.locator('.st-settings [data-action=apply]').click();
    await expect.poll(async () => (await there()).channels.find((c) => c.channelId === remoteId)?.retentionDays, { timeout: 10_000 }).toBe(9);
    await expect.poll(() => row.locator('[data-col=keep]').textContent()).toBe('9 days');
    // Someone on that station changes the same channel while the desk's user is typing: the desk shows it at once.
    await days.fill('5');
    const now = await there();
    await remoteWs.call('recording.setChannels', { channelIds: [remoteId], retentionDays: 21, revision: now.revision });
    await expect.poll(() => page.locator('.st-settings [role=alert]').textContent(), { timeout: 10_000 }).toContain('Someone else changed these settings meanwhile');
    await expect.poll(() => days.inputValue()).toBe('21');
    expect((await there()).channels.find((c) => c.channelId === remoteId)?.retentionDays).toBe(21);
    // That station's archive limits, chosen above the archive form, are changed there too.
    await page.locator('select[name=archiveStation]').selectOption({ label: site.name });
    const segment = page.locator(`.st-archive[data-site="${site.id}"] input[name=segment]`);
    const seconds = (await there()).archive.segmentSeconds;
    await expect.poll(() => segment.inputValue(), { timeout: 10_000 }).toBe(String(seconds));
    await segment.fill(String(seconds + 1));
    await page.locator(`.st-archive[data-site="${site.id}"] [data-action=save-archive]`).click();
    await expect.poll(async () => (await there()).archive.segmentSeconds, { timeout: 10_000 }).toBe(seconds + 1);
    guard.check();
  });
});
