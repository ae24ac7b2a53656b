// Many stations, one desk: three stations (processes) serving desks over TLS on 127.0.0.2–4, camsim's 16 cameras split
// among them, and a desk (a fourth station with none of its own) whose page adds the first by address, compares and
// trusts its certificate, then shows all 16 cameras of the three stations in one 16-tile layout with moving video, the
// camera list as a site tree, an alarm raised by a camera of the third station, named with its station, and a camera the
// first station records played from the desk's Playback page (its timeline asked of that station, its segments copied).
import type { Browser, Page } from 'playwright-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { siteChannelId } from '../../electron/contract';
import { TEST_ADMIN } from '../helpers/auth';
import { startCamsim, type CamsimProcess } from '../helpers/camsim-process';
import { launchChromium, openGuardedPage, type ConsoleGuard } from '../helpers/chromium';
import { fileScope } from '../helpers/fixtures';
import { freeTcpPort } from '../helpers/in-process-station';
import { liveTiles } from '../helpers/live-tiles';
import { ROOT, startStation, type StationProcess } from '../helpers/station-process';
import { addCamsimChannel, eventSourceConnected } from '../helpers/station-setup';
import { wsClient, type WsClient } from '../helpers/ws-client';
import { DEFAULT_PASSWORD, DEFAULT_USERNAME } from '../../scripts/camsim/fleet';

const scope = fileScope();
const NAMES = ['North yard', 'Loading bay', 'Gatehouse'];
let camsim: CamsimProcess, desk: StationProcess, remotes: StationProcess[], browser: Browser, page: Page, guard: ConsoleGuard;
let serving: { host: string; port: number; fingerprint: string }[];
let deskWs: WsClient;
/** The first station's camera that it records (on the first station). */
let recorded = 0;

beforeAll(async () => {
  const started = await scope.all([startCamsim(['--devices', '4', '--channels', '4']), startStation(), startStation(), startStation(), startStation(), launchChromium()]);
  [camsim, desk, browser] = [started[0], started[1], started[5]];
  remotes = [started[2], started[3], started[4]];
  // Station 1 records devices 0 and 1 (8 cameras), station 2 device 2, station 3 device 3 (and watches its ONVIF events).
  serving = await Promise.all(remotes.map(async (r, i) => {
    const ws = await wsClient(r.url);
    let firstChannel = 0;
    for (const d of camsim.manifest.devices.filter((_, k) => (i === 0 ? k < 2 : k === i + 1))) {
      for (const ch of d.channels) {
        const id = await addCamsimChannel(ws, `${NAMES[i]} ${ch.name}`, ch, d.credentials);
        firstChannel ||= id;
      }
      if (i === 2) {
        await ws.call('eventSources.add', { driver: 'onvif', url: d.onvif.deviceService.replace('device_service', 'events_service'), username: DEFAULT_USERNAME, password: DEFAULT_PASSWORD, channelMap: { '1': firstChannel } });
        await eventSourceConnected(ws, 30_000);
      }
    }
    if (i === 0) {
      // Recorded from now, so the desk has an archive of another station to play by the last test.
      recorded = firstChannel;
      await ws.call('recording.setArchive', { segmentSeconds: 4, quotaBytes: null, freeFloorBytes: 0 });
      await ws.call('recording.setChannels', { channelIds: [firstChannel], mode: 'continuous', stream: 'sub', schedule: '1'.repeat(336), preSeconds: 0, postSeconds: 0, retentionDays: null });
    }
    const on = await ws.call<{ fingerprint: string }>('sites.setServing', { enabled: true, host: `127.0.0.${i + 2}`, port: await freeTcpPort() });
    ws.close();
    return on as { host: string; port: number; fingerprint: string };
  }));
  deskWs = await wsClient(desk.url);
  await deskWs.call('alarms.saveRule', { name: 'Camera tamper', enabled: true, types: ['tamper'], channelIds: null, schedule: '1'.repeat(336), actions: ['notify', 'popup'] });
  ({ page, guard } = await openGuardedPage(browser, `${desk.url}#/devices`, { viewport: { width: 1400, height: 900 } }));
}, 180_000);

describe('a desk showing three stations', () => {
  it('adds a station by address; its certificate is compared in a dialog and trusted before anything is sent', { timeout: 60_000 }, async () => {
    const form = page.getByRole('form', { name: 'Add a station' });
    await form.getByLabel('Name', { exact: true }).fill(NAMES[0]!);
    await form.getByLabel('Address', { exact: true }).fill(serving[0]!.host);
    await form.getByLabel('Port', { exact: true }).fill(String(serving[0]!.port));
    await form.getByLabel('User name there').fill(TEST_ADMIN.name);
    await form.getByLabel('Password there').fill(TEST_ADMIN.password);
    await form.getByRole('button', { name: 'Add station' }).click();
    const dialog = page.getByRole('dialog');
    await expect.poll(() => dialog.textContent(), { timeout: 15_000 }).toContain(serving[0]!.fingerprint.split(':').slice(0, 4).join(':'));
    expect((await dialog.locator('code.fingerprint').textContent())!.replace(/\s/g, '')).toBe(serving[0]!.fingerprint.replace(/:/g, '').replace(/(..)/g, '$1:').replace(/:$/, '').replace(/(([0-9A-F]{2}:){3}[0-9A-F]{2}):/g, '$1'));
    await page.screenshot({ path: `${ROOT}/test-results/sites-trust.png` });
    await dialog.getByRole('button', { name: 'The fingerprints match: trust' }).click();
    await expect.poll(() => page.locator('tr[data-site]').first().getAttribute('data-state'), { timeout: 15_000 }).toBe('online');
    // The other two the way a script would, through the same calls.
    for (const [i, s] of serving.entries()) {
      if (i === 0) continue;
      const added = await deskWs.call<{ id: number; seenFingerprint: string }>('sites.add', { name: NAMES[i], host: s.host, port: s.port, username: TEST_ADMIN.name, password: TEST_ADMIN.password });
      expect(added.seenFingerprint).toBe(s.fingerprint);
      await deskWs.call('sites.trust', { id: added.id, fingerprint: s.fingerprint });
    }
    await expect.poll(async () => (await page.locator('tr[data-site]').evaluateAll((rows) => rows.map((r) => r.getAttribute('data-state')))).join(), { timeout: 20_000 })
      .toBe('online,online,online');
    // Failover: the desk named the standby of the first station from its row; it pairs (that station records one camera, played from the desk below).
    const row = page.locator('tr[data-site]').first();
    await row.getByRole('button', { name: 'Standby…' }).click();
    const standby = row.getByRole('form', { name: `Standby of ${NAMES[0]}` });
    await standby.getByLabel('This station is its standby').check();
    await standby.getByLabel('Take over after (s)').fill('600');
    await standby.getByRole('button', { name: 'Save' }).click();
    await expect.poll(() => row.locator('[data-standby]').textContent(), { timeout: 10_000 }).toBe('Standby for 1 camera');
    await page.screenshot({ path: `${ROOT}/test-results/sites-devices.png` });
  });

  it('shows the 16 cameras of the three stations in one 16-tile layout, each with a moving picture, under a site tree', { timeout: 150_000 }, async () => {
    await page.goto(`${desk.url}#/live`);
    await expect.poll(async () => (await liveTiles(page)).length, { timeout: 30_000 }).toBe(16);
    await expect.poll(async () => (await liveTiles(page)).filter((t) => t.frames > 0 && t.stddev > 5).length, { timeout: 120_000, interval: 2000 }).toBe(16);
    const a = await liveTiles(page);
    await page.waitForTimeout(4000);
    const b = await liveTiles(page);
    for (let i = 0; i < 16; i++) expect(b[i]!.frames - a[i]!.frames, `tile ${i} updates`).toBeGreaterThan(0);
    const groups = await page.locator('.tree-group').evaluateAll((els) => els.map((e) => e.textContent));
    expect(groups).toEqual(NAMES.map((n) => expect.stringContaining(n)));
    await page.screenshot({ path: `${ROOT}/test-results/sites-live.png` });
  });

  it('an alarm of a camera on the third station reaches the desk, named with its station and camera', { timeout: 60_000 }, async () => {
    const device = camsim.manifest.devices[3]!;
    await camsim.event(device.id, { kind: 'tamper', channel: 1, state: true });
    const toast = page.locator('.ev-toast').filter({ hasText: 'Gatehouse ›' });
    await expect.poll(() => toast.count(), { timeout: 30_000 }).toBeGreaterThan(0);
    expect(await toast.first().textContent()).toContain('Camera tamper');
    // Its popup action shows the remote camera in a maximized tile, as for a camera of the desk's own.
    await expect.poll(() => page.locator('[data-tile].maximized').count(), { timeout: 10_000 }).toBeGreaterThan(0);
    await page.screenshot({ path: `${ROOT}/test-results/sites-alarm.png` });
    guard.check();
  });

  it('plays a camera the first station records from the desk\'s Playback page', { timeout: 40_000 }, async () => {
    const site = (await deskWs.call<{ id: number; name: string }[]>('sites.list', {})).find((s) => s.name === NAMES[0])!;
    const channelId = siteChannelId(site.id, recorded);
    await page.goto(`${desk.url}#/playback?at=${Date.now() - 10_000}&channel=${channelId}`);
    await page.waitForSelector(`canvas[data-timeline="${channelId}"]`, { timeout: 15_000 });
    await expect.poll(() => page.evaluate((id) => document.querySelector<HTMLVideoElement>(`video[data-playback="${id}"]`)?.getVideoPlaybackQuality().totalVideoFrames ?? 0, channelId), { timeout: 20_000 }).toBeGreaterThan(10);
    // Its strip drew that station's recording, no refusal over it.
    expect(await page.locator('.pb-strip-note').count()).toBe(0);
    await page.screenshot({ path: `${ROOT}/test-results/sites-playback.png` });
    guard.check();
  });
});
