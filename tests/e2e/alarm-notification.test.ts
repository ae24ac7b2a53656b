// Browser mode's desktop notification for an alarm: the Web Notification API with the snapshot as its icon, and a click
// on it brings up the alarm's camera in Live. Chromium is granted the permission; an init script records each Notification.
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { startFleet, type Fleet } from '../../scripts/camsim/fleet';
import { gotoAndWait, guardConsole, launchChromium } from '../helpers/chromium';
import { fileScope } from '../helpers/fixtures';
import { startStation, type StationProcess } from '../helpers/station-process';
import { addCamsimChannel, addOnvifEventSource, eventSourceConnected } from '../helpers/station-setup';
import { wsClient, type WsClient } from '../helpers/ws-client';

const scope = fileScope();
let fleet: Fleet, station: StationProcess, browser: Browser, context: BrowserContext, page: Page, ws: WsClient;
let channelId: number;

interface Recorded { title: string; body: string; icon: string | null; tag: string | null }
declare global {
  interface Window { __notes?: { rec: Recorded; note: Notification }[] }
}

beforeAll(async () => {
  [fleet, station, browser] = await scope.all([startFleet({ devices: 1, channels: 1, subnet: 'random' }), startStation(), launchChromium()]);
  ws = scope.add(await wsClient(station.url));
  channelId = await addCamsimChannel(ws, 'Side door', fleet.manifest.devices[0]!.channels[0]!);
  await addOnvifEventSource(ws, fleet, channelId);
  await ws.call('alarms.saveRule', { name: 'Side door alarm', enabled: true, types: ['door'], channelIds: [channelId], schedule: '1'.repeat(336), actions: ['notify'] });
  await eventSourceConnected(ws, 15_000);
  context = await browser.newContext({ viewport: { width: 1280, height: 800 } });
  await context.grantPermissions(['notifications'], { origin: new URL(station.url).origin });
  // Wraps the real constructor: every notification the app makes is recorded, and still made.
  await context.addInitScript(() => {
    const Real = window.Notification;
    const notes: NonNullable<Window['__notes']> = [];
    window.__notes = notes;
    class Recording extends Real {
      constructor(title: string, options: NotificationOptions = {}) {
        super(title, options);
        notes.push({ rec: { title, body: options.body ?? '', icon: options.icon ?? null, tag: options.tag ?? null }, note: this });
      }
      static override get permission() { return Real.permission; }
      static override requestPermission = Real.requestPermission.bind(Real);
    }
    window.Notification = Recording;
  });
  page = await gotoAndWait(context.newPage(), `${station.url}#/events`, '.ev-filters');
}, 90_000);

describe('desktop notification for an alarm (browser mode)', () => {
  it('notifies with the snapshot as its icon, and a click opens the alarm\'s camera in Live', async () => {
    const guard = guardConsole(page);
    expect(await page.evaluate(() => Notification.permission)).toBe('granted');
    fleet.device(0).raiseEvent({ kind: 'door', channel: 1, state: true });
    await page.waitForFunction(() => (window.__notes?.length ?? 0) > 0, undefined, { timeout: 20_000 });
    const [rec] = await page.evaluate(() => window.__notes!.map((n) => n.rec));
    const [ev] = await ws.call<{ id: number; start: number; hasSnapshot: boolean }[]>('events.list', { types: ['door'] });
    expect(rec!.title).toBe('Side door alarm: Door/window');
    expect(rec!.body).toBe(await page.evaluate((t) => new Date(t).toLocaleTimeString(), ev!.start));
    expect(rec!.tag).toBe(`alarm-${ev!.id}`);
    // The icon is the alarm's snapshot: a JPEG, the same bytes the event keeps.
    expect(rec!.icon).toMatch(/^data:image\/jpeg;base64,/);
    const icon = Buffer.from(rec!.icon!.slice('data:image/jpeg;base64,'.length), 'base64');
    expect(icon.subarray(0, 2).toString('hex')).toBe('ffd8');
    expect(ev!.hasSnapshot).toBe(true);
    const stored = Buffer.from((await ws.call<{ jpegBase64: string }>('events.snapshot', { id: ev!.id })).jpegBase64, 'base64');
    expect(icon.equals(stored)).toBe(true);
    expect(await page.evaluate(() => window.__notes!.length)).toBe(1);

    // The user clicks the notification: Watchpost switches to Live with that camera maximized.
    await page.evaluate(() => window.__notes![0]!.note.dispatchEvent(new Event('click')));
    await page.waitForSelector('.tile.maximized[aria-label^="Side door"]', { timeout: 10_000 });
    expect(new URL(page.url()).hash).toBe('#/live');
    fleet.device(0).raiseEvent({ kind: 'door', channel: 1, state: false });
    guard.check();
  }, 60_000);
});
