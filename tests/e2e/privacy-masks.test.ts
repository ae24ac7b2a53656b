// Privacy masks as a user draws them, in Chromium against `npm run station` and a camsim camera: a mask typed point by
// point on the Live tile's Masks dialog (keyboard), a crossing outline refused with the field named; then the masked
// pixels are the mask colour in the live tile, in playback and in a snapshot the station makes (screenshots and the JPEG
// decoded with ffmpeg); lifting it (with a reason) shows the picture again for this session and is in the operation log.
import { spawnSync } from 'node:child_process';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import type { Browser, Locator, Page } from 'playwright-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { MASK_RGB } from '../../electron/contract';
import { startFleet, type Fleet } from '../../scripts/camsim/fleet';
import { launchChromium, openGuardedPage, type ConsoleGuard } from '../helpers/chromium';
import { fileScope } from '../helpers/fixtures';
import { ROOT, startStation, type StationProcess } from '../helpers/station-process';
import { addCamsimChannel, recordContinuously } from '../helpers/station-setup';
import { wsClient, type WsClient } from '../helpers/ws-client';
import { verifyRedactionLink } from '../../electron/core/redaction/redact-export';
import { verifyExport } from '../../electron/core/recording/export';

const SHOTS = join(ROOT, 'test-results');
const scope = fileScope();
let fleet: Fleet, station: StationProcess, browser: Browser, page: Page, guard: ConsoleGuard, ws: WsClient, channelId: number;
// A square around the picture's centre: the centre pixel of any box showing the picture lies inside it.
const SQUARE = [[0.3, 0.3], [0.7, 0.3], [0.7, 0.7], [0.3, 0.7]] as const;

beforeAll(async () => {
  mkdirSync(SHOTS, { recursive: true });
  [fleet, station, browser] = await scope.all([startFleet({ devices: 1, channels: 1, subnet: 'random' }), startStation(), launchChromium()]);
  ws = scope.add(await wsClient(station.url));
  channelId = await addCamsimChannel(ws, 'Gate', fleet.manifest.devices[0]!.channels[0]!);
  // The sub stream: the disclosure export below re-encodes all of it.
  await recordContinuously(ws, channelId, 1_000, 'sub');
  ({ page, guard } = await openGuardedPage(browser, `${station.url}#/live`, { viewport: { width: 1366, height: 900 } }));
}, 90_000);

/** The RGB of an image's centre pixel (PNG or JPEG), decoded by ffmpeg. */
function centre(image: Buffer): number[] {
  const r = spawnSync('ffmpeg', ['-hide_banner', '-loglevel', 'error', '-f', 'image2pipe', '-i', 'pipe:0', '-vf', 'crop=2:2:(iw-2)/2:(ih-2)/2', '-frames:v', '1', '-f', 'rawvideo', '-pix_fmt', 'rgb24', 'pipe:1'], { input: image });
  if (r.status !== 0) throw new Error(r.stderr.toString());
  return [...r.stdout.subarray(0, 3)];
}
const isMaskColour = (rgb: number[]) => rgb.every((c, i) => Math.abs(c - MASK_RGB[i]!) <= 12);
const shotCentre = async (l: Locator) => centre(await l.screenshot());

describe('privacy masks', () => {
  it('are drawn point by point with the keyboard; a crossing outline is refused with the field named', async () => {
    const tile = page.locator('[data-tile="0"]');
    await tile.locator('video').waitFor({ timeout: 20_000 });
    await tile.click();
    await tile.locator('[data-testid=tile-masks]').click();
    const dialog = page.locator('.masks-dialog');
    await dialog.getByRole('button', { name: 'New mask' }).click();
    for (const [x, y] of SQUARE) {
      await dialog.getByLabel('Across (0–1)').fill(String(x));
      await dialog.getByLabel('Down (0–1)').fill(String(y));
      await dialog.getByRole('button', { name: 'Add point' }).press('Enter');
    }
    await dialog.getByLabel('Mask name').first().fill('Neighbour');
    // A second one drawn as a bow tie.
    await dialog.getByRole('button', { name: 'New mask' }).click();
    for (const [x, y] of [[0.1, 0.1], [0.2, 0.2], [0.2, 0.1], [0.1, 0.2]]) {
      await dialog.getByLabel('Across (0–1)').fill(String(x));
      await dialog.getByLabel('Down (0–1)').fill(String(y));
      await dialog.getByRole('button', { name: 'Add point' }).click();
    }
    await expect.poll(() => dialog.locator('[role=status]').textContent()).toBe('The outline crosses itself.');
    await dialog.getByRole('button', { name: 'Save masks' }).click();
    await expect.poll(() => dialog.locator('[role=alert]').textContent()).toBe('Mask outline: the outline of mask “Mask 2” crosses itself; draw it without crossing.');
    expect(await ws.call('masks.list', {})).toEqual([]);
    await dialog.getByRole('button', { name: 'Delete' }).nth(1).click();
    await dialog.getByRole('button', { name: 'Save masks' }).click();
    await expect.poll(async () => (await ws.call<{ name: string }[]>('masks.list', {})).map((m) => m.name)).toEqual(['Neighbour']);
    await page.screenshot({ path: join(SHOTS, 'privacy-masks-dialog.png') });
    await dialog.getByRole('button', { name: 'Close' }).click();
  }, 60_000);

  it('cover the picture in the live tile and in a snapshot the station makes', async () => {
    const video = page.locator('[data-tile="0"] video');
    await expect.poll(() => page.locator('[data-tile="0"] .mask-overlay').count()).toBe(1);
    await expect.poll(async () => isMaskColour(await shotCentre(video)), { timeout: 10_000 }).toBe(true);
    await page.screenshot({ path: join(SHOTS, 'privacy-masks-live.png') });
    const snap = await ws.call<{ jpegBase64: string }>('live.snapshot', { channelId });
    const rgb = centre(Buffer.from(snap.jpegBase64, 'base64'));
    expect(isMaskColour(rgb), `snapshot centre ${rgb}`).toBe(true);
  }, 30_000);

  it('cover the picture in playback', async () => {
    // Recording since the set-up: the archive holds the seconds played (an open segment's span grows as it is written).
    const at = Date.now() - 3_000;
    await expect.poll(async () => (await ws.call<{ spans: { start: number; end: number }[] }[]>('archive.timeline', { channelIds: [channelId], from: at - 60_000, to: Date.now() }))[0]!
      .spans.some((s) => s.start <= at - 1_000 && s.end >= at + 2_000), { timeout: 10_000 }).toBe(true);
    await page.goto(`${station.url}#/playback?at=${at}&channel=${channelId}`);
    const figure = page.locator(`.pb-video:has(video[data-playback="${channelId}"])`);
    await figure.waitFor({ timeout: 15_000 });
    await expect.poll(() => figure.locator('.mask-overlay').count(), { timeout: 15_000 }).toBe(1);
    await expect.poll(async () => isMaskColour(await shotCentre(figure.locator('video'))), { timeout: 15_000 }).toBe(true);
    await page.screenshot({ path: join(SHOTS, 'privacy-masks-playback.png') });
  }, 45_000);

  it('Export for disclosure: a box drawn on a preview still, the redacted copy written, signed, linked to its locked original', async () => {
    const now = Date.now();
    const [tl] = await ws.call<{ spans: { start: number; end: number }[] }[]>('archive.timeline', { channelIds: [channelId], from: now - 120_000, to: now });
    const span = tl!.spans.at(-1)!;
    const strip = page.locator(`canvas[data-timeline="${channelId}"]`);
    const box = (await strip.boundingBox())!;
    const from = Number(await strip.getAttribute('aria-valuemin')), to = Number(await strip.getAttribute('aria-valuemax'));
    const xOf = (t: number) => box.x + ((t - from) / (to - from)) * box.width;
    await page.keyboard.down('Shift');
    // The strip spans an hour: a range from 40 s before the recording to its end is wide enough to drag.
    await page.mouse.move(xOf(span.start - 40_000), box.y + box.height / 2);
    await page.mouse.down();
    await page.mouse.move(xOf(span.end), box.y + box.height / 2, { steps: 5 });
    await page.mouse.up();
    await page.keyboard.up('Shift');
    await page.click('[data-testid=disclose]', { timeout: 5_000 });
    const dialog = page.locator('.disclosure');
    await dialog.locator('[data-testid=add-box]').click();
    await dialog.locator('[data-testid=disclosure-preview]').click();
    const still = dialog.locator('img[data-still]').first();
    await still.waitFor({ timeout: 20_000 });
    const s = (await still.boundingBox())!;
    await page.mouse.move(s.x + s.width * 0.05, s.y + s.height * 0.75);
    await page.mouse.down();
    await page.mouse.move(s.x + s.width * 0.25, s.y + s.height * 0.95, { steps: 3 });
    await page.mouse.up();
    await expect.poll(() => dialog.getByLabel('Left').inputValue()).toBe('0.05');
    await page.screenshot({ path: join(SHOTS, 'privacy-disclosure-dialog.png') });
    await dialog.locator('[data-testid=disclosure-start]').click();
    await dialog.locator('[data-redaction-state=done]').waitFor({ timeout: 60_000 });
    const folder = await dialog.locator('[data-folder]').getAttribute('data-folder');
    expect(verifyExport(join(folder!, 'redacted')).ok).toBe(true);
    expect(verifyRedactionLink(join(folder!, 'redacted'), join(folder!, 'original'))).toMatchObject({ ok: true, findings: [] });
    const [made] = await ws.call<{ state: string; lockId: number | null; channelId: number }[]>('redaction.list', {});
    expect(made).toMatchObject({ state: 'done', channelId });
    expect(made!.lockId).not.toBeNull();
    await dialog.getByRole('button', { name: 'Close' }).click();
  }, 90_000);

  it('the editor draws on the picture\'s own aspect: on a 4:3 camera its outline lies on the mask over the video', async () => {
    await ws.call('masks.save', { channelId, masks: [{ name: 'Neighbour', kind: 'permanent', points: SQUARE.map(([x, y]) => ({ x, y })) }] });
    fleet.device(0).setResolution(1, 'sub', 640, 480);
    await page.goto(`${station.url}#/live`);
    const tile = page.locator('[data-tile="0"]');
    await expect.poll(() => tile.locator('video').evaluate((v: HTMLVideoElement) => `${v.videoWidth}x${v.videoHeight}`), { timeout: 20_000 }).toBe('640x480');
    await tile.click();
    await tile.locator('[data-testid=tile-masks]').click();
    const dialog = page.locator('.masks-dialog');
    await expect.poll(() => dialog.locator('svg.mask-editor').getAttribute('viewBox'), { timeout: 10_000 }).toBe('0 0 1600 1200');
    const drawn = (await dialog.locator('svg.mask-editor polygon').boundingBox())!;
    const shown = (await dialog.locator('.mask-overlay polygon').boundingBox())!;
    // The same place and size, give or take the editor's outline stroke (a 16:9 surface over this picture drew the square
    // a third wider than the mask it shows).
    const box = JSON.stringify([drawn, shown]);
    expect(Math.abs(drawn.x + drawn.width / 2 - (shown.x + shown.width / 2)), box).toBeLessThanOrEqual(2);
    expect(Math.abs(drawn.y + drawn.height / 2 - (shown.y + shown.height / 2)), box).toBeLessThanOrEqual(2);
    expect(Math.abs(drawn.width - shown.width), box).toBeLessThanOrEqual(8);
    expect(Math.abs(drawn.height - shown.height), box).toBeLessThanOrEqual(8);
    await page.screenshot({ path: join(SHOTS, 'privacy-masks-4x3.png') });
    await dialog.getByRole('button', { name: 'Close' }).click();
    fleet.device(0).setResolution(1, 'sub', 640, 360);
  }, 45_000);

  it('a liftable mask is lifted with a reason for this session, and the lifting is logged', async () => {
    await ws.call('masks.save', { channelId, masks: [{ name: 'Neighbour', kind: 'liftable', points: SQUARE.map(([x, y]) => ({ x, y })) }] });
    await page.goto(`${station.url}#/live`);
    const tile = page.locator('[data-tile="0"]');
    await tile.locator('video').waitFor({ timeout: 20_000 });
    await tile.click();
    await tile.locator('[data-testid=tile-masks]').click();
    const dialog = page.locator('.masks-dialog');
    await dialog.getByRole('button', { name: 'Lift…' }).click();
    await page.getByLabel('Reason').fill('incident 12 at the fence');
    await page.getByLabel('Reason').press('Enter');
    await expect.poll(() => dialog.getByText('Lifted for this session').count()).toBe(1);
    await dialog.getByRole('button', { name: 'Close' }).click();
    await expect.poll(() => tile.locator('.mask-overlay').count()).toBe(0);
    // Another connection still gets it burnt in.
    expect(isMaskColour(centre(Buffer.from((await ws.call<{ jpegBase64: string }>('live.snapshot', { channelId })).jpegBase64, 'base64')))).toBe(true);
    await expect.poll(async () => (await ws.call<{ kind: string; detail: string }[]>('oplog.query', { kind: 'masks.lift', limit: 10 }))
      .some((e) => e.detail.includes('incident 12 at the fence')), { timeout: 10_000 }).toBe(true);
    guard.check();
  }, 60_000);
});
