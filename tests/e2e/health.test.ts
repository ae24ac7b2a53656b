// The Health page in Chromium against `npm run station` and camsim's cameras: the local station's card with its
// recording channels, and a camera gone off the network turning its chip amber with the reason (and the station alarm in
// the unacknowledged-alarm bar once the set time has passed); the chips are one tab stop with the arrows inside.
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { applyFault } from '../../scripts/camsim/control';
import { startFleet, type Fleet } from '../../scripts/camsim/fleet';
import { axeViolations } from '../helpers/axe';
import { guardConsole, launchChromium, type ConsoleGuard } from '../helpers/chromium';
import { fileScope } from '../helpers/fixtures';
import { ROOT, startStation, type StationProcess } from '../helpers/station-process';
import { addCamsimChannel } from '../helpers/station-setup';
import { wsClient, type WsClient } from '../helpers/ws-client';

const SHOTS = join(ROOT, 'test-results');
const scope = fileScope();
let fleet: Fleet, station: StationProcess, browser: Browser, page: Page, guard: ConsoleGuard, ws: WsClient;
let gate: number, yard: number;
const chip = (id: number) => page.locator(`[data-station=local] [data-channel="${id}"]`);

beforeAll(async () => {
  mkdirSync(SHOTS, { recursive: true });
  [fleet, station, browser] = await scope.all([startFleet({ devices: 2, channels: 1, subnet: 'random' }), startStation(), launchChromium()]);
  ws = scope.add(await wsClient(station.url));
  gate = await addCamsimChannel(ws, 'Gate', fleet.manifest.devices[0]!.channels[0]!);
  yard = await addCamsimChannel(ws, 'Yard', fleet.manifest.devices[1]!.channels[0]!);
  await ws.call('health.updateSettings', { recordingStopAlarmS: 2 });
  await ws.call('recording.setChannels', { channelIds: [gate, yard], mode: 'continuous', stream: 'sub', schedule: '1'.repeat(336), preSeconds: 0, postSeconds: 0, retentionDays: null, backfill: false });
  // A context of its own, at a desk's size.
  page = await (await browser.newContext({ viewport: { width: 1366, height: 800 } })).newPage();
  guard = guardConsole(page);
  await page.goto(`${station.url}#/health`);
}, 90_000);

describe('health page', () => {
  it('shows the local station online with its version, uptime, streams and recording channels', async () => {
    const card = page.locator('[data-station=local]');
    await card.waitFor();
    expect(await card.getAttribute('data-state')).toBe('online');
    expect(await card.locator('h2').textContent()).toContain('(this station)');
    expect(await card.locator('.hl-sub').first().textContent()).toMatch(/Watchpost \d+\.\d+/);
    await expect.poll(() => Promise.all([chip(gate).getAttribute('data-state'), chip(yard).getAttribute('data-state')]), { timeout: 20_000 }).toEqual(['recording', 'recording']);
    expect(await chip(gate).getAttribute('aria-label')).toMatch(/^Gate: recording since /);
    await expect.poll(() => card.locator('[data-testid=streams]').textContent(), { timeout: 10_000 }).toBe('2 of 2 connected');
    expect(await card.locator('[data-fact=cpu] [role=meter]').count()).toBe(1);
    // The recorders' shared write budget: a meter with what is queued of its 128 MiB.
    expect(await card.locator('[data-fact=writeQueue] [role=meter]').getAttribute('aria-label')).toBe('Disk write queue');
    expect(await card.locator('[data-fact=writeQueue] .hl-value').textContent()).toMatch(/ of 128(\.0)? MiB · channels cut 0$/);
    expect(await card.locator('[data-testid=forecast]').textContent()).not.toBe('');
    // The alarm's setting shows what the station holds.
    expect(await page.inputValue('#hl-alarm-after')).toBe('2');
  }, 40_000);

  it('a camera gone turns its chip amber with the reason, and raises the station alarm', async () => {
    await applyFault(fleet.device(1), { type: 'offline', seconds: 60 });
    await expect.poll(() => chip(yard).getAttribute('data-state'), { timeout: 15_000, interval: 250 }).toBe('gap');
    expect(await chip(yard).getAttribute('aria-label')).toMatch(/^Yard: not recording since .*, camera offline/);
    expect(await chip(gate).getAttribute('data-state')).toBe('recording');
    // The chips are one tab stop: focus lands on the first, the arrow moves to Yard, whose reason shows on focus.
    await chip(gate).focus();
    await page.keyboard.press('ArrowRight');
    expect(await page.evaluate(() => document.activeElement?.getAttribute('data-channel'))).toBe(String(yard));
    await expect.poll(() => chip(yard).locator('.hl-tip').isVisible()).toBe(true);
    expect(await chip(yard).locator('.hl-tip').textContent()).toContain('camera offline');
    // Past the set time the unacknowledged-alarm bar says so, and the chip carries the alarm.
    await expect.poll(() => page.locator('.ev-unacked').textContent(), { timeout: 10_000 }).toContain('Channel stopped recording');
    await expect.poll(() => chip(yard).getAttribute('class'), { timeout: 10_000 }).toContain('hl-alarm');
    await page.screenshot({ path: join(SHOTS, 'health.png') });
    // The amber chip, its alarm and its tooltip as axe sees them (the accessibility e2e walks the page with recording chips).
    expect(await axeViolations(page, 'main')).toEqual([]);
    guard.check();
  }, 40_000);
});
