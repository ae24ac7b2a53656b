// The Electron media port's backlog, against a fake 'electron' module: bytes posted to the page count as backlog until the
// page acknowledges them, so a page that stops taking frames is skipped to the next keyframe by a real StreamHub (reading a
// real clip through ffmpeg), as a slow WebSocket is, and resumes at a keyframe once it takes them again.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pino from 'pino';
import { afterAll, describe, expect, it, vi } from 'vitest';
import type { ClientSession } from '../../electron/core/client-session';
import type { FragmentInfo } from '../../electron/core/media/fmp4';
import { StreamHub } from '../../electron/core/media/stream-hub';
import type { Station } from '../../electron/core/station';

type Listener = (e: { data: unknown }) => void;
const fake = vi.hoisted(() => {
  const state = { handlers: new Map<string, (...a: any[]) => any>(), ports: [] as any[] };
  /** port1 is the main process's end; what it posts waits in `inFlight` until the test's page takes it. */
  class FakePortMain {
    inFlight: Uint8Array[] = [];
    listeners: Listener[] = [];
    closed = false;
    on(ev: string, l: Listener) { if (ev === 'message') this.listeners.push(l); return this; }
    postMessage(data: Uint8Array) { this.inFlight.push(data); }
    start() {}
    close() { this.closed = true; }
    /** The page takes every frame waiting and acknowledges it, as station-client.ts does. */
    pageTakesAll(): number {
      const taken = this.inFlight.splice(0);
      for (const d of taken) for (const l of this.listeners) l({ data: { ack: d.byteLength } });
      return taken.length;
    }
  }
  const electron = {
    MessageChannelMain: class { port1 = new FakePortMain(); port2 = {}; constructor() { state.ports.push(this.port1); } },
    ipcMain: { handle: (ch: string, h: any) => void state.handlers.set(ch, h), removeHandler: (ch: string) => void state.handlers.delete(ch) },
  };
  return { state, electron };
});
vi.mock('electron', () => ({ ...fake.electron, default: fake.electron }));

const { bindIpc, openMediaSession } = await import('../../electron/main/ipc');
const { IPC } = await import('../../electron/contract');

const dir = mkdtempSync(join(tmpdir(), 'wp-media-port-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('the Electron media port', () => {
  it('counts what the page has not acknowledged as backlog, and a page that stops taking frames is skipped to a keyframe', { timeout: 60_000 }, async () => {
    const clip = join(dir, 'clip.mp4');
    execFileSync('ffmpeg', ['-hide_banner', '-loglevel', 'error', '-f', 'lavfi', '-i', 'testsrc2=size=320x180:rate=25', '-t', '20',
      '-c:v', 'libx264', '-preset', 'ultrafast', '-g', '25', '-pix_fmt', 'yuv420p', '-y', clip]);

    // A page loads: it gets a media port, and its calls carry the session that owns it.
    const contents = { id: 7, postMessage: vi.fn(), once: vi.fn() };
    openMediaSession(contents as never);
    expect(contents.postMessage).toHaveBeenCalledWith(IPC.media, null, [expect.anything()]);
    const port = fake.state.ports.at(-1)!;
    let session: ClientSession | undefined;
    const station = { dispatch: async (_n: unknown, _i: unknown, s: ClientSession) => { session = s; return { ok: true, value: null }; },
      signals: { subscribe: () => () => {} }, logger: pino({ level: 'silent' }) } as unknown as Station;
    const unbind = bindIpc(station, () => []);
    await fake.state.handlers.get(IPC.call)!({ senderFrame: { url: 'app://watchpost/index.html', parent: null }, sender: { id: 7 } }, 'station.status', {});
    const media = session!.media!;

    // Sent but not taken is backlog; taken and acknowledged is not.
    media.send(new Uint8Array(1000));
    media.send(new Uint8Array(10), new Uint8Array(90));
    expect(media.backlog()).toBe(1100);
    port.pageTakesAll();
    expect(media.backlog()).toBe(0);

    // The page as the hub's viewer (what live-service does for a live tile), beside a viewer that is never slow.
    const hub = new StreamHub({ id: 'port', url: clip, ffmpegPath: 'ffmpeg', logger: pino({ level: 'silent' }), onStatus: () => {}, maxBacklogBytes: 60_000 });
    const toPage: FragmentInfo[] = [];
    let other = 0;
    const offPage = hub.attach({
      init: (data) => media.send(data),
      fragment: (data, info) => { toPage.push(info); media.send(data); },
      backlog: () => media.backlog(),
    });
    const offOther = hub.attach({ init: () => {}, fragment: () => void other++ });
    let taking = true;
    const page = setInterval(() => { if (taking) port.pageTakesAll(); }, 5);
    try {
      await expect.poll(() => toPage.length, { timeout: 20_000 }).toBeGreaterThan(30);
      expect(media.backlog()).toBeLessThan(60_000);

      // The page stops taking frames: once its backlog passes the bound the hub sends it nothing more, while the other goes on.
      taking = false;
      await expect.poll(() => media.backlog(), { timeout: 20_000 }).toBeGreaterThan(60_000);
      const stuckAt = toPage.length;
      const otherAt = other;
      await expect.poll(() => other, { timeout: 20_000 }).toBeGreaterThan(otherAt + 60);
      expect(toPage.length).toBe(stuckAt);
      expect(port.inFlight.length).toBeGreaterThan(0);

      // It takes them again: the backlog drains and frames resume at a keyframe.
      taking = true;
      await expect.poll(() => toPage.length, { timeout: 20_000 }).toBeGreaterThan(stuckAt + 5);
      expect(toPage[stuckAt]!.keyframe).toBe(true);
      expect(media.backlog()).toBeLessThan(60_000);
    } finally {
      clearInterval(page);
      offPage();
      offOther();
      hub.close();
      unbind();
    }
  });
});
