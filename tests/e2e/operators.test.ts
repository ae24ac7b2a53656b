// Operators in Chromium against `npm run station`: the first administrator made on the page a new station shows first
// (nothing else there, nothing else answered over the WebSocket), an operator (no evidence right: no Lock button)
// restricted to two of three cameras created there, signed in from a second browser: only their cameras, no Devices
// page, device deletion refused over the WebSocket too; the lock screen keeps the page and wants the password; the
// administrator's operation log shows each step. A password changed on another connection, or reset by the
// administrator, ends the page's sign-in: its sign-in page says which.
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { TEST_ADMIN } from '../helpers/auth';
import { launchChromium, openGuardedPage, type ConsoleGuard } from '../helpers/chromium';
import { fileScope } from '../helpers/fixtures';
import { startStation, type StationProcess } from '../helpers/station-process';
import { wsClient } from '../helpers/ws-client';

const scope = fileScope();
const OP = { name: 'dayshift', password: 'Quiet-harbour-31' };
let station: StationProcess, browser: Browser, admin: Page, adminGuard: ConsoleGuard;
let ids: number[] = [];

beforeAll(async () => {
  // A station left at its first run: the helpers do not sign in to it.
  [station, browser] = await scope.all([startStation({ signIn: false }), launchChromium()]);
  ({ page: admin, guard: adminGuard } = await openGuardedPage(browser, station.url, { viewport: { width: 1280, height: 800 } }));
}, 90_000);

async function operatorPage(): Promise<{ ctx: BrowserContext; page: Page }> {
  const ctx = await browser.newContext({ viewport: { width: 1280, height: 800 } });
  const page = await ctx.newPage();
  await page.goto(station.url);
  return { ctx, page };
}

describe('operators in Chromium', () => {
  it('a new station shows only the first-administrator page, and answers nothing else over the WebSocket', async () => {
    await admin.waitForSelector('[data-testid=first-admin]');
    expect(await admin.locator('nav').count()).toBe(0);
    const ws = await wsClient(station.url, { signIn: false });
    try {
      await expect(ws.call('channels.list', {})).rejects.toThrow('channels.list: unauthenticated');
      expect(await ws.call('auth.state', {})).toMatchObject({ setupNeeded: true, me: null });
    } finally {
      ws.close();
    }
  });

  it('creates the first administrator there, with the password rule shown', async () => {
    const form = admin.locator('[data-testid=first-admin]');
    await form.locator('input[name=name]').fill(TEST_ADMIN.name);
    await form.locator('input[name=newPassword]').fill('short1');
    await expect.poll(() => admin.locator('#password-rule').textContent()).toContain('At least 10 characters');
    await form.locator('button[type=submit]').click();
    await expect.poll(() => form.locator('[role=alert]').textContent()).toContain('Password is too weak');
    await form.locator('input[name=newPassword]').fill(TEST_ADMIN.password);
    await form.locator('button[type=submit]').click();
    await expect.poll(() => admin.locator('[data-testid=signed-in-as] span').textContent()).toBe(TEST_ADMIN.name);
    await admin.click('nav [data-view=operators]');
    await admin.waitForSelector('[data-testid=users] tr[data-user=admin]');
  });

  it('creates an operator restricted to two cameras', async () => {
    // Three cameras, added as the administrator over the WebSocket; their streams need not play.
    const ws = await wsClient(station.url, { signIn: false });
    await ws.call('auth.signIn', TEST_ADMIN);
    for (const name of ['Gate', 'Yard', 'Office']) ids.push((await ws.call<{ id: number }>('channels.addRtsp', { name, mainUrl: `rtsp://127.0.0.1:9/${name}`, subUrl: null })).id);
    ws.close();
    const form = admin.locator('[data-testid=new-user]');
    await form.locator('input[name=userName]').fill(OP.name);
    await form.locator('input[name=newPassword]').fill(OP.password);
    await form.locator('select[name=roleId]').selectOption('operator');
    await form.locator('input[name=allChannels]').uncheck();
    await form.locator(`input[name=channel-${ids[0]}]`).check();
    await form.locator(`input[name=channel-${ids[1]}]`).check();
    await form.locator('input[name=mustChangePassword]').uncheck();
    await form.locator('button[type=submit]').click();
    await admin.waitForSelector(`[data-testid=users] tr[data-user=${OP.name}]`);
    expect(await admin.locator(`tr[data-user=${OP.name}]`).textContent()).toContain('2 cameras');
  });

  it('signed in as the operator: only their cameras, no Devices page, the lock screen keeps the page', async () => {
    const { ctx, page } = await operatorPage();
    try {
      const guard = { errors: [] as string[] };
      page.on('pageerror', (e) => guard.errors.push(e.message));
      const form = page.locator('[data-testid=sign-in]');
      await form.locator('input[name=name]').fill(OP.name);
      await form.locator('input[name=password]').fill('not-the-password-1');
      await form.locator('button[type=submit]').click();
      await expect.poll(() => form.locator('[role=alert]').textContent()).toBe('The user name or password is wrong.');
      await form.locator('input[name=password]').fill(OP.password);
      await form.locator('button[type=submit]').click();
      await page.waitForSelector('[data-channel]');
      await expect.poll(async () => (await page.locator('[data-channel]').evaluateAll((els) => els.map((e) => Number(e.getAttribute('data-channel'))))).sort()).toEqual([ids[0], ids[1]]);
      expect(await page.locator('nav [data-view=devices]').count()).toBe(0);
      expect(await page.locator('nav [data-view=operators]').count()).toBe(0);
      expect(await page.locator('nav [data-view=playback]').count()).toBe(1);

      // A reload resumes the sign-in (this tab keeps its id).
      await page.reload();
      await page.waitForSelector('[data-testid=signed-in-as]');

      await page.keyboard.press('Alt+Shift+L');
      const lock = page.locator('[data-testid=lock-screen]');
      await lock.waitFor();
      expect(await page.locator('[data-channel]').count()).toBe(2);
      await lock.locator('input[name=password]').fill('still-not-it-9');
      await lock.locator('button[type=submit]').click();
      await expect.poll(() => lock.locator('[role=alert]').textContent()).toBe('The user name or password is wrong.');
      await lock.locator('input[name=password]').fill(OP.password);
      await lock.locator('button[type=submit]').click();
      await lock.waitFor({ state: 'detached' });
      expect(await page.getAttribute('nav [data-view=live]', 'aria-current')).toBe('page');
      expect(await page.locator('[data-channel]').count()).toBe(2);
      // Inside a page too, what they may not do is not offered: export yes, evidence locks (no right) not at all.
      await page.click('nav [data-view=playback]');
      await page.waitForSelector('.pb-controls');
      expect(await page.locator('[data-testid=pb-export]').count()).toBe(1);
      expect(await page.locator('[data-testid=pb-lock]').count()).toBe(0);
      expect(guard.errors).toEqual([]);
    } finally {
      await ctx.close();
    }
  });

  it('refuses the operator device deletion over the WebSocket too', async () => {
    const ws = await wsClient(station.url, { signIn: false });
    try {
      await ws.call('auth.signIn', OP);
      await expect(ws.call('devices.remove', { id: 1 })).rejects.toThrow('devices.remove: forbidden: Your account does not have the right “Devices”.');
      await expect(ws.call('live.open', { streamId: `${ids[2]}/main` })).rejects.toThrow(`Your account does not have the right “Live view” on channel ${ids[2]}.`);
    } finally {
      ws.close();
    }
  });

  it('the administrator’s operation log shows each step', async () => {
    await admin.fill('input[name=log-userName]', OP.name);
    const rows = () => admin.locator('[data-testid=oplog] tbody tr').evaluateAll((trs) => trs.map((tr) => `${tr.getAttribute('data-kind')}:${tr.getAttribute('data-result')}`));
    await expect.poll(rows, { timeout: 15_000 }).toEqual(expect.arrayContaining(['auth.signIn:refused', 'auth.signIn:ok', 'auth.resume:ok', 'auth.lock:ok', 'auth.unlock:refused', 'auth.unlock:ok', 'devices.remove:refused', 'live.open:refused']));
    adminGuard.check();
  });

  it('a password changed elsewhere or reset by an administrator ends the page\'s sign-in; its sign-in page says which', async () => {
    const { ctx, page } = await operatorPage();
    const form = page.locator('[data-testid=sign-in]');
    const why = form.locator('[data-testid=signed-out-reason]');
    const signIn = async (password: string) => {
      await form.locator('input[name=name]').fill(OP.name);
      await form.locator('input[name=password]').fill(password);
      await form.locator('button[type=submit]').click();
      await page.waitForSelector('[data-testid=signed-in-as]');
    };
    const ws = await wsClient(station.url, { signIn: false });
    try {
      await signIn(OP.password);
      // The operator changes their password on another connection: this page's is closed with the reason.
      await ws.call('auth.signIn', OP);
      await ws.call('auth.changePassword', { currentPassword: OP.password, newPassword: 'Calm-lighthouse-47' });
      await expect.poll(() => why.textContent(), { timeout: 10_000 }).toBe('You were signed out because your password was changed on another page or device. Sign in with the new password.');
      await signIn('Calm-lighthouse-47');
      // An administrator resets it.
      await ws.call('auth.signIn', TEST_ADMIN);
      const id = (await ws.call<{ id: number; name: string }[]>('users.list', {})).find((u) => u.name === OP.name)!.id;
      await ws.call('users.resetPassword', { id, password: 'Reset-harbour-58', mustChangePassword: false });
      await expect.poll(() => why.textContent(), { timeout: 10_000 }).toBe('You were signed out because an administrator reset your password. Sign in with the password they gave you.');
      // Signed in again, the page goes on without the words.
      await signIn('Reset-harbour-58');
      expect(await why.count()).toBe(0);
    } finally {
      ws.close();
      await ctx.close();
    }
  });
});
