// Hardware Share end to end: a cloud on loopback (PostgreSQL where a server can run here, as in CI; SQLite otherwise —
// the SQLite cloud's sharing is proven over HTTP in tests/integration/cloud-sharing.test.ts), two station processes, each signed in to its own cloud account,
// camsim's camera on the first. The first station's page shares the camera with the second account; the second's page
// lists it under "Shared with me", adds it, and its Live tile plays the camera straight from the first station (TLS on
// 127.0.0.2, no media through the cloud). Revoked on the first page, the tile stops within 5 s and says why.
import type { Browser, Page } from 'playwright-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { startCamsim, type CamsimProcess } from '../helpers/camsim-process';
import { launchChromium, openGuardedPage, type ConsoleGuard } from '../helpers/chromium';
import { startCloudOnPostgres } from '../helpers/cloud-service';
import { fileScope } from '../helpers/fixtures';
import { freeTcpPort } from '../helpers/in-process-station';
import { liveTiles } from '../helpers/live-tiles';
import { ROOT, startStation, type StationProcess } from '../helpers/station-process';
import { addCamsimChannel } from '../helpers/station-setup';
import { wsClient } from '../helpers/ws-client';

const scope = fileScope();
const PASSWORD = 'correct horse battery';
const bob = `bob.${process.pid}@example.test`;
let camsim: CamsimProcess, sharer: StationProcess, recipient: StationProcess, browser: Browser;
let alicePage: Page, bobPage: Page, guards: ConsoleGuard[];

beforeAll(async () => {
  const { cloud, db } = await startCloudOnPostgres(scope, { region: 'de', throttle: { signupsPerClient: 1000 } });
  console.log(`shares e2e: the cloud on ${db}`);
  const args = ['--cloud-url', cloud.url];
  [camsim, sharer, recipient, browser] = await scope.all([startCamsim(['--devices', '1', '--channels', '1']), startStation({ args }), startStation({ args }), launchChromium()] as const);
  const [a, b] = await Promise.all([wsClient(sharer.url), wsClient(recipient.url)]);
  const d = camsim.manifest.devices[0]!;
  await addCamsimChannel(a, 'Gate', d.channels[0]!, d.credentials);
  await a.call('sites.setServing', { enabled: true, host: '127.0.0.2', port: await freeTcpPort() });
  await a.call('privacy.signUp', { email: `alice.${process.pid}@example.test`, password: PASSWORD, nickname: 'Alice', country: 'DE', dateOfBirth: '1990-05-17' });
  await b.call('privacy.signUp', { email: bob, password: PASSWORD, nickname: 'Bob', country: 'DE', dateOfBirth: '1991-06-18' });
  a.close();
  b.close();
  const [ao, bo] = await Promise.all([sharer, recipient].map((s) => openGuardedPage(browser, `${s.url}#/devices`, { viewport: { width: 1400, height: 900 } })));
  [alicePage, bobPage, guards] = [ao!.page, bo!.page, [ao!.guard, bo!.guard]];
}, 120_000);

describe('hardware share between two stations', () => {
  it('shares a camera, the recipient adds it, its tile plays; revoked, the tile stops within 5 s and says why', { timeout: 90_000 }, async () => {
    // Alice shares the camera: live only, for a day, playback an hour back.
    const form = alicePage.getByRole('form', { name: 'Share cameras' });
    await form.getByLabel('Gate').check();
    await form.getByLabel('Recipient\'s email').fill(bob);
    await form.getByLabel('Playback reaches back (hours)').fill('1');
    await form.getByRole('button', { name: 'Share', exact: true }).click();
    const given = alicePage.getByRole('table', { name: 'Shares given' }).locator('tr[data-share]');
    await expect.poll(() => given.getAttribute('data-state'), { timeout: 10_000 }).toBe('active');
    expect(await given.textContent()).toContain(bob);
    expect(await given.locator('[data-col="lastUsed"]').textContent()).toBe('never');

    // Bob's station lists it under "Shared with me" and adds it as a station.
    await bobPage.getByRole('button', { name: 'Refresh' }).click();
    const row = bobPage.getByRole('table', { name: 'Shares received' }).locator('tr[data-received]');
    await expect.poll(() => row.getAttribute('data-state'), { timeout: 10_000 }).toBe('active');
    expect(await row.textContent()).toContain('Alice');
    await row.getByRole('button', { name: 'Add station' }).click();
    await expect.poll(() => row.textContent(), { timeout: 10_000 }).toContain('Added');
    await expect.poll(() => bobPage.locator('tr[data-site]').first().getAttribute('data-state'), { timeout: 15_000 }).toBe('online');
    await bobPage.screenshot({ path: `${ROOT}/test-results/shares-received.png` });

    // Its tile plays on Bob's Live page, straight from Alice's station.
    await bobPage.goto(`${recipient.url}#/live`);
    await expect.poll(async () => (await liveTiles(bobPage)).filter((t) => t.frames > 0 && t.stddev > 5).length, { timeout: 30_000, interval: 500 }).toBe(1);
    expect(await bobPage.locator('.tree-group').first().textContent()).toContain('Alice');
    // Alice sees it used.
    await expect.poll(() => given.locator('[data-col="lastUsed"]').textContent(), { timeout: 10_000 }).not.toBe('never');
    await alicePage.screenshot({ path: `${ROOT}/test-results/shares-given.png` });

    // Revoked: the tile stops within 5 s, saying why.
    const t0 = Date.now();
    await given.getByRole('button', { name: 'Revoke' }).click();
    const tile = bobPage.locator('[data-tile]').first();
    await expect.poll(() => tile.getAttribute('data-state'), { timeout: 5000, interval: 100 }).toMatch(/offline|auth_failed/);
    const stoppedMs = Date.now() - t0;
    expect(stoppedMs).toBeLessThan(5000);
    await expect.poll(() => tile.textContent(), { timeout: 5000 - stoppedMs }).toContain('revoked');
    await expect.poll(() => given.getAttribute('data-state')).toBe('revoked');
    await bobPage.screenshot({ path: `${ROOT}/test-results/shares-revoked.png` });

    // Bob's list says so.
    await bobPage.goto(`${recipient.url}#/devices`);
    await bobPage.getByRole('button', { name: 'Refresh' }).click();
    await expect.poll(() => bobPage.getByRole('table', { name: 'Shares received' }).locator('tr[data-received]').getAttribute('data-state'), { timeout: 10_000 }).toBe('revoked');
    for (const g of guards) g.check();
  });
});
