import { parseArgs } from 'node:util';
import { applyFault, parseFaultFlag, startControlServer } from './control';
import { EVENT_KINDS, type EventKind, type PortMode } from './device-types';
import { FLAVOURS, type Flavour } from './flavours';
import { placeholderMedia, startFleet, type FleetOptions } from './fleet';
import type { Codec } from './types';

// `npm run camsim -- --devices 8 --channels 2 --uninitialized 2 --nvr 16`: starts a fleet, prints one
// JSON manifest on stdout, logs to stderr, runs until SIGINT/SIGTERM.

const USAGE = `camsim: a simulated LAN of cameras and NVRs on loopback

  --devices N          cameras (default 1)
  --channels N         channels per camera (default 1)
  --uninitialized N    of the cameras, how many start factory-default (default 0)
  --nvr N              add one NVR with N channels (1..64)
  --codec h264|h265    (default h264)
  --live               live-encode with the timestamp code instead of cached loops
  --no-video           placeholder media: RTSP answers 503, snapshots are a grey JPEG
  --gop SECONDS        keyframe interval (default 2)
  --card-minutes N     how far back each camera's card keeps its recording (default 30)
  --subnet 127.X.Y     device addresses 127.X.Y.1.. (default 127.0.1; "random")
  --ports MODE         standard | offset | ephemeral (default standard, falling back)
  --port-base N        base of offset ports (default 20000)
  --username U --password P   admin credentials of initialised devices
  --lock-seconds N     lockout after 5 failed logins lasts N s (default 30)
  --reboot-seconds N   a reboot keeps the device away N s (default 3)
  --multicast          multicast discovery on lo (only inside a network namespace)
  --announce H:P       also send Hello/Bye to this loopback listener (repeatable)
  --control-port N     control endpoint on 127.0.0.1:N (default 7780, 0 = any)
  --fault D:TYPE[:ARG] apply a fault at start (repeatable), e.g. cam-02:offline:10
  --events-every S     raise a random motion start/stop every S seconds (demo)
  --smtp H:P           the SMTP relay on loopback that mails password-reset security codes (Dahua PasswdFind)
  --flavour F          generic | hikvision | dahua | axis: answer in that vendor's shapes (identity, scopes, DHIP
                       framing, event topics, digest algorithms); default generic
  --fisheye LIST       cameras (1-based, comma-separated) with a 180° fisheye lens: a circular picture
  --faces LIST         cameras (1-based, comma-separated) with people on camera: @vladmandic/face-api's demo photographs
                       pasted onto their pictures, another every second; the manifest says which, where and when
`;

function int(v: string | undefined, name: string): number | undefined {
  if (v === undefined) return undefined;
  const n = Number(v);
  if (!Number.isFinite(n)) throw new Error(`--${name} wants a number, got ${v}`);
  return n;
}

/** --smtp host:port, loopback only: camsim never mails off this machine. */
function smtpRelay(v: string): { host: string; port: number } {
  const m = /^(127\.\d+\.\d+\.\d+|localhost):(\d{1,5})$/.exec(v);
  if (!m) throw new Error(`--smtp wants a loopback host:port, got ${v}`);
  return { host: m[1] === 'localhost' ? '127.0.0.1' : m[1]!, port: Number(m[2]) };
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      devices: { type: 'string' },
      channels: { type: 'string' },
      uninitialized: { type: 'string' },
      nvr: { type: 'string' },
      codec: { type: 'string' },
      live: { type: 'boolean' },
      'no-video': { type: 'boolean' },
      gop: { type: 'string' },
      'card-minutes': { type: 'string' },
      subnet: { type: 'string' },
      ports: { type: 'string' },
      'port-base': { type: 'string' },
      username: { type: 'string' },
      password: { type: 'string' },
      'lock-seconds': { type: 'string' },
      'reboot-seconds': { type: 'string' },
      multicast: { type: 'boolean' },
      announce: { type: 'string', multiple: true },
      'control-port': { type: 'string' },
      fault: { type: 'string', multiple: true },
      'events-every': { type: 'string' },
      flavour: { type: 'string' },
      fisheye: { type: 'string' },
      faces: { type: 'string' },
      smtp: { type: 'string' },
      help: { type: 'boolean', short: 'h' },
    },
    strict: true,
  });
  if (values.help) {
    process.stdout.write(USAGE);
    return;
  }
  if (values.codec && values.codec !== 'h264' && values.codec !== 'h265') throw new Error('--codec wants h264 or h265');
  if (values.flavour && !(FLAVOURS as readonly string[]).includes(values.flavour)) throw new Error(`--flavour wants ${FLAVOURS.join(', ')}`);
  if (values.ports && !['standard', 'offset', 'ephemeral'].includes(values.ports)) throw new Error('--ports wants standard, offset or ephemeral');
  const lock = int(values['lock-seconds'], 'lock-seconds');
  const reboot = int(values['reboot-seconds'], 'reboot-seconds');
  const options: FleetOptions = {
    devices: int(values.devices, 'devices') ?? 1,
    channels: int(values.channels, 'channels') ?? 1,
    uninitialized: int(values.uninitialized, 'uninitialized') ?? 0,
    nvr: int(values.nvr, 'nvr') ?? 0,
    codec: (values.codec ?? 'h264') as Codec,
    live: values.live ?? false,
    gopSeconds: int(values.gop, 'gop') ?? 2,
    ...(values['card-minutes'] ? { cardMinutes: int(values['card-minutes'], 'card-minutes') } : {}),
    ports: (values.ports ?? 'standard') as PortMode,
    portBase: int(values['port-base'], 'port-base') ?? 20000,
    multicast: values.multicast ?? false,
    flavour: (values.flavour ?? 'generic') as Flavour,
    ...(values.fisheye ? { fisheye: values.fisheye.split(',').map((v) => int(v, 'fisheye')!) } : {}),
    ...(values.faces ? { faces: values.faces.split(',').map((v) => int(v, 'faces')!) } : {}),
    ...(values['no-video'] ? { media: placeholderMedia } : {}),
    ...(values.subnet ? { subnet: values.subnet } : {}),
    ...(values.username ? { username: values.username } : {}),
    ...(values.password ? { password: values.password } : {}),
    ...(lock !== undefined ? { lockMs: lock * 1000 } : {}),
    ...(reboot !== undefined ? { rebootMs: reboot * 1000 } : {}),
    ...(values.smtp ? { smtp: smtpRelay(values.smtp) } : {}),
    announceTo: (values.announce ?? []).map((a) => {
      const [host, port] = a.split(':');
      if (!host || !port) throw new Error(`--announce wants host:port, got ${a}`);
      return { host, port: Number(port) };
    }),
  };
  const faults = (values.fault ?? []).map(parseFaultFlag);

  const fleet = await startFleet(options);
  let control: Awaited<ReturnType<typeof startControlServer>> | undefined;
  let timer: NodeJS.Timeout | undefined;
  const shutdown = async (code: number) => {
    if (timer) clearInterval(timer);
    await control?.close();
    await fleet.close();
    process.exit(code);
  };
  process.once('SIGINT', () => void shutdown(0));
  process.once('SIGTERM', () => void shutdown(0));
  try {
    control = await startControlServer(fleet, { port: int(values['control-port'], 'control-port') ?? 7780 });
    for (const f of faults) await applyFault(fleet.device(f.device), f.fault);
  } catch (err) {
    process.stderr.write(`camsim: ${(err as Error).message}\n`);
    await shutdown(1);
    return;
  }
  const every = int(values['events-every'], 'events-every');
  if (every && every > 0) {
    const motion: EventKind = EVENT_KINDS[0] ?? 'motion';
    timer = setInterval(() => {
      const d = fleet.devices[Math.floor(Math.random() * fleet.devices.length)];
      const ch = d?.channels[Math.floor(Math.random() * d.channels.length)];
      if (!d || !ch || !d.online) return;
      d.raiseEvent({ kind: motion, channel: ch.channel, state: true });
      setTimeout(() => d.online && d.raiseEvent({ kind: motion, channel: ch.channel, state: false }), 2000).unref();
    }, every * 1000);
  }
  process.stdout.write(JSON.stringify({ ...fleet.manifest, control: control.url }) + '\n');
  process.stderr.write(`camsim: ${fleet.devices.length} devices up, control at ${control.url}\n`);
}

main().catch((err: unknown) => {
  process.stderr.write(`camsim: ${(err as Error).message}\n`);
  process.exit(1);
});
