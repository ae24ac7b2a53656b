// An alarm rule's weekly schedule, drawn in the rules editor's half-hour grid: a door opening outside the schedule is
// only an event; once the schedule includes now, the same door raises the alarm.
import type { Browser, Page } from 'playwright-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { weekSlot } from '../../electron/core/events/alarm-rules';
import { placeholderMedia, startFleet, type Fleet } from '../../scripts/camsim/fleet';
import { gotoAndWait, guardConsole, launchChromium } from '../helpers/chromium';
import { fileScope } from '../helpers/fixtures';
import { startStation, type StationProcess } from '../helpers/station-process';
import { addOnvifEventSource, eventSourceConnected } from '../helpers/station-setup';
import { wsClient, type WsClient } from '../helpers/ws-client';

const scope = fileScope();
let fleet: Fleet, station: StationProcess, browser: Browser, page: Page, ws: WsClient;
let channelId: number;

interface Ev { id: number; type: string; ruleId: number | null; end: number | null }
interface Rule { id: number; name: string; schedule: string }

beforeAll(async () => {
  [fleet, station, browser] = await scope.all([startFleet({ devices: 1, channels: 1, subnet: 'random', media: placeholderMedia }), startStation(), launchChromium()]);
  ws = scope.add(await wsClient(station.url));
  const dev = fleet.manifest.devices[0]!;
  channelId = (await ws.call<{ id: number }>('channels.addRtsp', { name: 'Back gate', mainUrl: dev.channels[0]!.main.rtsp })).id;
  await addOnvifEventSource(ws, fleet, channelId);
  await eventSourceConnected(ws, 15_000);
  page = await gotoAndWait(browser.newPage({ viewport: { width: 1280, height: 900 } }), `${station.url}#/events`, '.ev-filters');
}, 90_000);

/** Keeps the test off a half-hour boundary: the slots it draws must still be "now" when the door opens. */
async function awayFromSlotEnd(): Promise<void> {
  const msLeft = 30 * 60_000 - (Date.now() % (30 * 60_000));
  if (msLeft < 90_000) await new Promise((r) => setTimeout(r, msLeft + 1000));
}

/** Opens the door and waits for its row; returns the event as stored. Closes it again afterwards. */
async function openDoor(): Promise<Ev> {
  const before = (await ws.call<Ev[]>('events.list', { types: ['door'] })).length;
  fleet.device(0).raiseEvent({ kind: 'door', channel: 1, state: true });
  await expect.poll(() => page.locator('.ev-row[data-type=door]').count(), { timeout: 10_000 }).toBe(before + 1);
  const [ev] = await ws.call<Ev[]>('events.list', { types: ['door'] });
  fleet.device(0).raiseEvent({ kind: 'door', channel: 1, state: false });
  await expect.poll(async () => (await ws.call<Ev[]>('events.list', { types: ['door'] }))[0]?.end ?? null, { timeout: 10_000 }).not.toBeNull();
  return ev!;
}

describe('alarm rule schedule', () => {
  it('does not fire outside the drawn schedule, and fires once the schedule includes now', async () => {
    const guard = guardConsole(page);
    await awayFromSlotEnd();
    const now = weekSlot(Date.now());
    const next = now % 48 === 47 ? now - 1 : now + 1;

    // A rule for the door, always on except now: drawn by dragging across the current half-hour and the next.
    await page.click('[data-tab=rules]');
    await page.click('[data-action=new-rule]');
    await page.fill('input[name=rule-name]', 'Gate after hours');
    await page.uncheck('.ev-rule-form input[data-type=motion]');
    await page.check('.ev-rule-form input[data-type=door]');
    await page.click('[data-preset=Always]');
    const box = async (slot: number) => (await page.locator(`.sched-cell[data-slot="${slot}"]`).boundingBox())!;
    const a = await box(now);
    const b = await box(next);
    await page.mouse.move(a.x + a.width / 2, a.y + a.height / 2);
    await page.mouse.down();
    await page.mouse.move(b.x + b.width / 2, b.y + b.height / 2, { steps: 4 });
    await page.mouse.up();
    expect(await page.getAttribute(`.sched-cell[data-slot="${now}"]`, 'aria-selected')).toBe('false');
    await page.click('.ev-rule-form button[type=submit]');
    await page.waitForSelector('.ev-rule[data-rule-id]');
    const [rule] = await ws.call<Rule[]>('alarms.rules', {});
    expect(rule!.schedule[now]).toBe('0');
    expect(rule!.schedule[next]).toBe('0');
    expect([...rule!.schedule].filter((c) => c === '0')).toHaveLength(2);

    await page.click('[data-tab=events]');
    const outside = await openDoor();
    expect(outside.ruleId).toBeNull();
    expect(await page.getAttribute(`.ev-row[data-event-id="${outside.id}"]`, 'class')).not.toContain('alarm');

    // Edit: clear the week, then with the keyboard only switch on the current half-hour (Space) and the next (Shift+arrow).
    await page.click('[data-tab=rules]');
    await page.click(`.ev-rule[data-rule-id="${rule!.id}"] button:has-text("Edit")`);
    await page.click('[data-preset=Clear]');
    await page.keyboard.press('Tab');
    for (let i = 0; i < 6; i++) await page.keyboard.press('ArrowUp');
    await page.keyboard.press('Home');
    for (let d = 0; d < Math.floor(now / 48); d++) await page.keyboard.press('ArrowDown');
    for (let s = 0; s < now % 48; s++) await page.keyboard.press('ArrowRight');
    expect(await page.evaluate(() => document.activeElement?.getAttribute('data-slot'))).toBe(String(now));
    await page.keyboard.press('Space');
    await page.keyboard.press(next > now ? 'Shift+ArrowRight' : 'Shift+ArrowLeft');
    await page.click('.ev-rule-form button[type=submit]');
    await expect.poll(async () => (await ws.call<Rule[]>('alarms.rules', {}))[0]!.schedule
      .split('').flatMap((c, i) => (c === '1' ? [i] : []))).toEqual([now, next].sort((x, y) => x - y));

    await page.click('[data-tab=events]');
    const inside = await openDoor();
    expect(inside.ruleId).toBe(rule!.id);
    await page.waitForSelector(`.ev-row.alarm[data-event-id="${inside.id}"]`);
    guard.check();
  }, 120_000);

  it('refuses a rule that could never fire: no channel, or an empty schedule (page and contract)', async () => {
    const before = (await ws.call<Rule[]>('alarms.rules', {})).length;
    await page.click('[data-tab=rules]');
    await page.click('[data-action=new-rule]');
    await page.fill('input[name=rule-name]', 'Nowhere');
    await page.locator('.ev-rule-form label', { hasText: 'All channels' }).locator('input').uncheck();
    await page.click('.ev-rule-form button[type=submit]');
    expect(await page.textContent('.ev-rule-form [data-problem]')).toBe('This rule can never fire: choose at least one channel, or all channels.');
    await page.locator('.ev-rule-form label', { hasText: 'All channels' }).locator('input').check();
    await page.click('[data-preset=Clear]');
    await page.click('.ev-rule-form button[type=submit]');
    expect(await page.getAttribute('.ev-rule-form [data-problem]', 'data-problem')).toBe('noSchedule');
    await page.click('.ev-rule-form button:has-text("Cancel")');
    const rule = { name: 'Nowhere', enabled: true, types: ['door'], schedule: '1'.repeat(336), actions: ['notify'] };
    await expect(ws.call('alarms.saveRule', { ...rule, channelIds: [] })).rejects.toThrow(/at least one channel/);
    await expect(ws.call('alarms.saveRule', { ...rule, channelIds: null, schedule: '0'.repeat(336) })).rejects.toThrow(/no half-hour/);
    expect(await ws.call<Rule[]>('alarms.rules', {})).toHaveLength(before);
  }, 60_000);
});
