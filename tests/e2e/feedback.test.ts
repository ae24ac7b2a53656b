// Feedback on the Status page in Chromium against `npm run station`, a local cloud and a camsim camera: the form shows
// exactly what will go, a mistyped screenshot is refused before anything is sent, the sent feedback (with a screenshot and
// the diagnostics zip) arrives in the cloud, is named part by part in the transmission ledger, and is in the data export.
import { strFromU8, unzipSync } from 'fflate';
import type { Browser, Page } from 'playwright-core';
import { beforeAll, describe, expect, it } from 'vitest';
import type { CloudHandle } from '../../cloud';
import { DEFAULT_PASSWORD, startFleet, type Fleet } from '../../scripts/camsim/fleet';
import { launchChromium, openGuardedPage } from '../helpers/chromium';
import { startCloudInTempDir } from '../helpers/cloud-service';
import { fileScope } from '../helpers/fixtures';
import { startStation, type StationProcess } from '../helpers/station-process';
import { addCamsimChannel } from '../helpers/station-setup';
import { cookieCall, wsClient } from '../helpers/ws-client';
import { JPEG_BYTES, PNG_1PX } from '../integration/cloud-helpers';

const PASSWORD = 'correct horse battery';
const EMAIL = `fay.${process.pid}@feedback.example.test`;
const scope = fileScope();
let cloud: CloudHandle, fleet: Fleet, station: StationProcess, browser: Browser, page: Page;
const stationCall = async (name: string, input: unknown) => (await cookieCall(station, name, input)).value;
/** Ledger rows of feedback sent (listing what was sent is a GET under the same purpose). */
const sends = async () => ((await stationCall('privacy.ledger', { purpose: 'feedback' })).rows as { method: string }[]).filter((r) => r.method === 'POST');

beforeAll(async () => {
  ({ cloud } = await startCloudInTempDir(scope, 'wp-e2e-feedback-', { region: 'de' }));
  [fleet, station, browser] = await scope.all([startFleet({ devices: 1, channels: 1, subnet: 'random' }), startStation({ args: ['--cloud-url', cloud.url] }), launchChromium()]);
  const ws = scope.add(await wsClient(station.url));
  await addCamsimChannel(ws, 'Dock', fleet.manifest.devices[0]!.channels[0]!);
  await stationCall('privacy.signUp', { email: EMAIL, password: PASSWORD, nickname: 'Fay', country: 'DE', dateOfBirth: '1985-02-11' });
  ({ page } = await openGuardedPage(browser, `${station.url}#/status`, { viewport: { width: 1280, height: 1400 } }));
  await page.waitForSelector('form[aria-label="Send feedback"]');
}, 90_000);

describe('feedback', () => {
  it('refuses a screenshot whose bytes are not its type and sends nothing', async () => {
    await page.fill('textarea[name=feedback-text]', 'Tile freezes.');
    await page.setInputFiles('input[name=screenshots]', { name: 'fake.png', mimeType: 'image/png', buffer: JPEG_BYTES });
    await page.click('form[aria-label="Send feedback"] button[type=submit]');
    await expect.poll(() => page.textContent('form[aria-label="Send feedback"] [role=alert]'), { timeout: 15_000 }).toBe('fake.png is not a PNG image; only PNG and JPEG screenshots can be sent.');
    expect(await sends()).toEqual([]);
    await page.click('[aria-label="Remove fake.png"]');
  }, 60_000);

  it('lists what will go, sends it on Send, names every part in the ledger, and the export holds it', async () => {
    await page.fill('textarea[name=feedback-text]', 'The Dock tile freezes after midnight.');
    await page.fill('input[name=reply-email]', 'fay.reply@example.test');
    await page.setInputFiles('input[name=screenshots]', { name: 'dock.png', mimeType: 'image/png', buffer: PNG_1PX });
    await page.check('input[name=attach-diagnostics]');
    const preview = await page.textContent('.feedback-preview');
    expect(preview).toContain('your text (37 characters)');
    expect(preview).toContain('reply address fay.reply@example.test');
    expect(preview).toContain('dock.png');
    expect(preview).toContain('the diagnostics zip');
    expect(await sends()).toEqual([]);

    await page.click('form[aria-label="Send feedback"] button[type=submit]');
    await page.waitForSelector('form[aria-label="Send feedback"] [role=status]', { timeout: 20_000 });
    expect(await page.textContent('form[aria-label="Send feedback"] [role=status]')).toMatch(/^Sent\. The service keeps it until /);
    await page.waitForSelector('table[aria-label="Feedback you sent"] tbody tr');
    expect(await page.textContent('table[aria-label="Feedback you sent"] tbody tr')).toContain('dock.png');

    const rows = (await stationCall('privacy.ledger', { purpose: 'feedback' })).rows as { method: string; endpoint: string; consent: string }[];
    const post = rows.find((r) => r.method === 'POST')!;
    expect(post.endpoint).toBe('/v1/feedback');
    expect(post.consent).toMatch(/^your request: send feedback: text \(37 characters\), reply address, dock\.png \(1 kB\), watchpost-diagnostics-\d{8}-\d{6}\.zip \(\d+ kB\)$/);

    const exported = JSON.parse((await stationCall('privacy.export', { password: PASSWORD })).json);
    const fb = findFeedback(exported);
    expect(fb?.text).toBe('The Dock tile freezes after midnight.');
    const zip = fb!.attachments.find((a) => a.contentType === 'application/zip')!;
    const files = unzipSync(Buffer.from(zip.base64, 'base64'));
    expect(Object.keys(files)).toContain('configuration.json');
    const all = Object.values(files).map((b) => strFromU8(b)).join('\n');
    expect(all).toContain('Dock');
    for (const planted of [DEFAULT_PASSWORD, new URL(fleet.manifest.devices[0]!.channels[0]!.main.rtsp).hostname, station.token]) expect(all).not.toContain(planted);
  }, 90_000);
});

type ExportedFeedback = { text: string; attachments: { contentType: string; base64: string }[] };
/** The cloud's feedback list inside the station's export document, wherever the station nests the cloud's part. */
function findFeedback(doc: unknown): ExportedFeedback | undefined {
  if (!doc || typeof doc !== 'object') return undefined;
  const o = doc as Record<string, unknown>;
  if (Array.isArray(o.feedback)) return o.feedback[0] as ExportedFeedback;
  for (const v of Object.values(o)) {
    const f = findFeedback(v);
    if (f) return f;
  }
  return undefined;
}
