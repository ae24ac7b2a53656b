import type http from 'node:http';
import type { SimDevice } from '../device';
import { isLoopback } from '../device-network';
import type { DeviceEvent, EventKind } from '../device-types';
import { clientIp, plain, readBody } from '../http-helpers';
import { passwordWeakness } from '../password-rule';
import { localTime, parsePosixTz, utcFromLocal } from '../../../electron/core/devices/posix-tz';
import { TalkSink } from '../talk';
import { encryptInfo, initializeDevice } from './dev-init';
import { passwdFind } from './passwd-find';

// Dahua's HTTP CGI face, after the public "Dahua HTTP API for IPC & NVR" (v2.x): key=value text bodies
// with CRLF, "OK"/"Error" for writes, HTTP digest auth, 1-based channels, and eventManager attach as
// multipart/x-mixed-replace with a "Heartbeat" part every `heartbeat` seconds.

const CRLF = '\r\n';
const BOUNDARY = 'myboundary';

/** Dahua event codes; those after AlarmLocal have no public Dahua name and are camsim's own. */
export const DAHUA_EVENT_CODES: Record<EventKind, string> = {
  motion: 'VideoMotion',
  tamper: 'VideoBlind',
  door: 'AlarmLocal',
  pir: 'SensorPIR',
  temperature: 'SensorTemperature',
  water: 'SensorWaterLeak',
  co2: 'SensorCO2',
  light: 'SensorAmbientLight',
};

function kv(lines: Record<string, string | number | boolean>): string {
  return Object.entries(lines)
    .map(([k, v]) => `${k}=${v}`)
    .join(CRLF) + CRLF;
}

function authenticate(device: SimDevice, req: http.IncomingMessage, res: http.ServerResponse): boolean {
  const ip = clientIp(req);
  const lock = device.guard.isLocked(ip);
  if (lock.locked) {
    plain(res, 403, `Error${CRLF}Locked: too many failed logins${CRLF}`, { 'Retry-After': String(Math.ceil(lock.retryAfterMs / 1000)) });
    return false;
  }
  if (!device.initialized) {
    // A factory-new Dahua answers every CGI with this until DevInit (Intelbras/Dahua field notes).
    plain(res, 401, `Error${CRLF}Invalid Authority!${CRLF}`);
    return false;
  }
  const r = device.digest.verify(req.method ?? 'GET', req.headers.authorization, device.passwordOf);
  if (r.kind === 'ok') {
    device.guard.recordSuccess(ip);
    return true;
  }
  if (r.kind === 'bad') device.guard.recordFailure(ip);
  plain(res, 401, `Error${CRLF}Unauthorized${CRLF}`, { 'WWW-Authenticate': device.digest.challenge(r.kind === 'stale') });
  return false;
}

function configTable(device: SimDevice, name: string): Record<string, string | number | boolean> | undefined {
  const t = `table.${name}`;
  switch (name) {
    case 'General':
      return { [`${t}.LocalNo`]: 8, [`${t}.MachineAddress`]: 'camsim', [`${t}.MachineID`]: device.identity.serial, [`${t}.MachineName`]: device.machineName };
    case 'Network':
      return {
        [`${t}.DefaultInterface`]: 'eth0',
        [`${t}.Domain`]: 'camsim',
        [`${t}.Hostname`]: device.hostname,
        [`${t}.eth0.DefaultGateway`]: '127.0.0.1',
        [`${t}.eth0.DhcpEnable`]: device.dhcp,
        [`${t}.eth0.IPAddress`]: device.ip,
        [`${t}.eth0.MTU`]: 1500,
        [`${t}.eth0.PhysicalAddress`]: device.identity.mac.toLowerCase(),
        [`${t}.eth0.SubnetMask`]: '255.0.0.0',
      };
    case 'NTP':
      return {
        [`${t}.Address`]: device.time.ntpServer || 'pool.ntp.org',
        [`${t}.Enable`]: device.time.type === 'NTP',
        [`${t}.Port`]: 123,
        [`${t}.TimeZoneDesc`]: device.time.tz,
        [`${t}.UpdatePeriod`]: 10,
      };
    case 'Locales': {
      return {
        [`${t}.DSTEnable`]: device.time.daylightSavings,
        [`${t}.TimeFormat`]: 'yyyy-MM-dd HH:mm:ss',
      };
    }
    case 'RTSP':
      return { [`${t}.Enable`]: true, [`${t}.Port`]: device.ports.rtsp };
    default:
      return undefined;
  }
}

/** Applies `Name.Key=value` pairs; returns an error text or undefined, and a deferred action (address change). */
function setConfig(device: SimDevice, params: URLSearchParams): { error?: string; after?: () => void } {
  let after: (() => void) | undefined;
  let address: string | undefined;
  let dhcp: boolean | undefined;
  const pairs = [...params.entries()].filter(([k]) => k !== 'action');
  if (pairs.length === 0) return { error: 'no parameters' };
  for (const [key, value] of pairs) {
    switch (key) {
      case 'General.MachineName':
        device.machineName = value;
        break;
      case 'Network.Hostname':
        device.hostname = value;
        device.announceChange();
        break;
      case 'Network.eth0.IPAddress':
        if (!isLoopback(value)) return { error: `camsim only takes loopback addresses, not ${value}` };
        address = value;
        break;
      case 'Network.eth0.DhcpEnable':
        dhcp = value === 'true';
        break;
      case 'Network.eth0.SubnetMask':
      case 'Network.eth0.DefaultGateway':
        break;
      case 'NTP.Enable':
        device.time.type = value === 'true' ? 'NTP' : 'Manual';
        break;
      case 'NTP.Address':
        device.time.ntpServer = value;
        break;
      case 'NTP.TimeZoneDesc':
        if (!parsePosixTz(value)) return { error: `not a POSIX TZ: ${value}` };
        device.time.tz = value;
        break;
      case 'Locales.DSTEnable':
        device.time.daylightSavings = value === 'true';
        break;
      case 'Locales.TimeFormat':
        break;
      default:
        return { error: `unsupported key ${key}` };
    }
  }
  // DHCP on: the device takes its lease; a manual address turns DHCP off.
  if (dhcp === true) after = () => void device.useDhcp().catch(() => undefined);
  else if (address !== undefined || dhcp === false) {
    device.dhcp = false;
    const to = address;
    if (to !== undefined) after = () => void device.setAddress(to).catch(() => undefined);
  }
  return after ? { after } : {};
}

function formatLocal(device: SimDevice): string {
  const tz = parsePosixTz(device.time.tz);
  const now = device.now();
  const d = tz ? localTime(tz, now) : new Date(now);
  return d.toISOString().slice(0, 19).replace('T', ' ');
}

function eventLine(e: DeviceEvent): string {
  const code = DAHUA_EVENT_CODES[e.kind];
  const index = e.channel - 1;
  if (e.value !== undefined) return `Code=${code};action=Pulse;index=${index};data=${JSON.stringify({ Value: e.value })}`;
  return `Code=${code};action=${e.state ? 'Start' : 'Stop'};index=${index}`;
}

function part(text: string): string {
  const body = text + CRLF;
  return `--${BOUNDARY}${CRLF}Content-Type: text/plain${CRLF}Content-Length: ${Buffer.byteLength(body)}${CRLF}${CRLF}${body}${CRLF}`;
}

function attach(device: SimDevice, req: http.IncomingMessage, res: http.ServerResponse, q: URLSearchParams): void {
  const codesRaw = (q.get('codes') ?? '[All]').replace(/^\[|\]$/g, '');
  const codes = new Set(codesRaw.split(',').map((c) => c.trim()).filter(Boolean));
  const all = codes.has('All');
  const heartbeat = Math.max(1, Math.min(300, Number(q.get('heartbeat') ?? 5) || 5));
  res.writeHead(200, { 'Content-Type': `multipart/x-mixed-replace; boundary=${BOUNDARY}`, Connection: 'close' });
  res.flushHeaders();
  const off = device.onEvent((e) => {
    if (all || codes.has(DAHUA_EVENT_CODES[e.kind])) res.write(part(eventLine(e)));
  });
  const timer = setInterval(() => res.write(part('Heartbeat')), heartbeat * 1000);
  const stop = () => {
    off();
    clearInterval(timer);
    release();
  };
  const release = device.holdUntilDown(() => {
    stop();
    res.destroy();
  });
  req.on('close', stop);
  res.on('close', stop);
}

async function outsideCmd(device: SimDevice, req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
  const body = await readBody(req, 16 * 1024);
  let rpc: { method?: unknown; params?: unknown; id?: unknown };
  try {
    rpc = JSON.parse((body ?? Buffer.alloc(0)).toString('utf8')) as typeof rpc;
  } catch {
    return plain(res, 400, `Error${CRLF}Bad Request!${CRLF}`);
  }
  const id = rpc.id ?? 0;
  const json = (o: unknown) => {
    res.writeHead(200, { 'Content-Type': 'application/json' });
    res.end(JSON.stringify(o));
  };
  if (rpc.method === 'DevInit.getStatus') {
    return json({ id, result: true, params: { Init: device.initialized ? 2 : 1, Find: 'BC' }, session: 0 });
  }
  if (rpc.method === 'Security.getEncryptInfo') {
    const info = encryptInfo(device);
    return json(info ? { id, result: true, params: info, session: 0 } : { id, result: false, error: { code: 268894210, message: 'Method not found' }, session: 0 });
  }
  if (rpc.method === 'DevInit.account') {
    const r = initializeDevice(device, (typeof rpc.params === 'object' && rpc.params ? rpc.params : {}) as Record<string, unknown>);
    return json(r.ok ? { id, result: true, params: null, session: 0 } : { id, result: false, error: r.error, session: 0 });
  }
  if (typeof rpc.method === 'string' && rpc.method.startsWith('PasswdFind.')) {
    const params = (typeof rpc.params === 'object' && rpc.params ? rpc.params : {}) as Record<string, unknown>;
    let r: Awaited<ReturnType<typeof passwdFind>>;
    try {
      r = await passwdFind(device, rpc.method, params);
    } catch (err) {
      return json({ id, result: false, error: { code: 268959743, message: `Decrypt failed: ${(err as Error).message}` }, session: 0 });
    }
    if (r) return json(r.ok ? { id, result: true, params: r.params, session: 0 } : { id, result: false, error: r.error, ...(r.params ? { params: r.params } : {}), session: 0 });
  }
  return json({ id, result: false, error: { code: 268894210, message: 'Method not found' }, session: 0 });
}

/** Dahua's audio upload (HTTP API "Post Audio"): a singlepart POST whose body is the G.711 itself, streamed for as long as
 *  the client talks (clients declare a huge Content-Length and close the connection when done). */
function postAudio(device: SimDevice, req: http.IncomingMessage, res: http.ServerResponse, q: URLSearchParams): void {
  const state = device.channel(Number(q.get('channel') ?? '1'));
  const type = (req.headers['content-type'] ?? '').toLowerCase();
  const law = type === 'audio/g.711a' ? 'a' : type === 'audio/g.711mu' ? 'mu' : undefined;
  if (!state?.speaker || q.get('httptype') !== 'singlepart' || !law) return plain(res, 400, `Error${CRLF}Bad Request!${CRLF}`);
  const sink = new TalkSink(state.talks, 'dahua', law);
  req.on('data', (chunk: Buffer) => sink.write(chunk));
  req.on('end', () => { sink.end(); plain(res, 200, `OK${CRLF}`); });
  req.on('close', () => sink.end());
}

export async function handleDahuaHttp(device: SimDevice, req: http.IncomingMessage, res: http.ServerResponse, url: URL): Promise<void> {
  if (url.pathname === '/OutsideCmd') {
    if (req.method !== 'POST') return plain(res, 405, `Error${CRLF}`);
    return outsideCmd(device, req, res);
  }
  if (!authenticate(device, req, res)) return;
  const q = url.searchParams;
  const action = q.get('action') ?? '';
  switch (url.pathname) {
    case '/cgi-bin/magicBox.cgi':
      switch (action) {
        case 'getSystemInfo':
          return plain(res, 200, kv({
            deviceType: device.identity.model,
            hardwareVersion: '1.00',
            processor: 'camsim',
            serialNumber: device.identity.serial,
            updateSerial: device.identity.model,
          }));
        case 'getDeviceType':
          return plain(res, 200, kv({ type: device.identity.model }));
        case 'getSoftwareVersion':
          return plain(res, 200, kv({ version: device.identity.firmware }));
        case 'getMachineName':
          return plain(res, 200, kv({ name: device.machineName }));
        case 'getSerialNo':
          return plain(res, 200, kv({ sn: device.identity.serial }));
        case 'getVendor':
          return plain(res, 200, kv({ vendor: device.identity.manufacturer }));
        case 'reboot':
          res.once('finish', () => void device.reboot().catch(() => undefined));
          return plain(res, 200, `OK${CRLF}`);
        default:
          return plain(res, 400, `Error${CRLF}Bad Request!${CRLF}`);
      }
    case '/cgi-bin/configManager.cgi': {
      if (action === 'getConfig') {
        const table = configTable(device, q.get('name') ?? '');
        return table ? plain(res, 200, kv(table)) : plain(res, 400, `Error${CRLF}Bad Request!${CRLF}`);
      }
      if (action === 'setConfig') {
        const r = setConfig(device, q);
        if (r.error) return plain(res, 400, `Error${CRLF}${r.error}${CRLF}`);
        if (r.after) res.once('finish', r.after);
        return plain(res, 200, `OK${CRLF}`);
      }
      return plain(res, 400, `Error${CRLF}Bad Request!${CRLF}`);
    }
    case '/cgi-bin/userManager.cgi': {
      // modifyPassword needs the old password as well as the login (Dahua HTTP API, userManager.cgi).
      if (action !== 'modifyPassword') return plain(res, 400, `Error${CRLF}Bad Request!${CRLF}`);
      const name = q.get('name') ?? '';
      const user = device.users.get(name);
      const pwd = q.get('pwd') ?? '';
      if (!user || user.password !== (q.get('pwdOld') ?? '')) return plain(res, 400, `Error${CRLF}Old password wrong${CRLF}`);
      const weak = passwordWeakness(pwd);
      if (weak) return plain(res, 400, `Error${CRLF}Password too weak: ${weak}${CRLF}`);
      device.users.set(name, { ...user, password: pwd });
      return plain(res, 200, `OK${CRLF}`);
    }
    case '/cgi-bin/global.cgi':
      if (action === 'getCurrentTime') return plain(res, 200, kv({ result: formatLocal(device) }));
      if (action === 'setCurrentTime') {
        // The device's local time, "YYYY-MM-DD HH:MM:SS" in its own zone; the clock then runs manually (no NTP).
        const m = /^(\d{4})-(\d{1,2})-(\d{1,2}) (\d{1,2}):(\d{2}):(\d{2})$/.exec(q.get('time') ?? '');
        const tz = parsePosixTz(device.time.tz);
        if (!m || !tz) return plain(res, 400, `Error${CRLF}Bad Request!${CRLF}`);
        const [y, mo, d, h, mi, sec] = m.slice(1).map(Number) as [number, number, number, number, number, number];
        device.time.offsetMs = utcFromLocal(tz, Date.UTC(y, mo - 1, d, h, mi, sec)) - Date.now();
        device.time.type = 'Manual';
        return plain(res, 200, `OK${CRLF}`);
      }
      return plain(res, 400, `Error${CRLF}Bad Request!${CRLF}`);
    case '/cgi-bin/snapshot.cgi': {
      const ch = Number(q.get('channel') ?? '1');
      const subtype = q.get('subtype') === '1' ? 'sub' : 'main';
      const stream = Number.isInteger(ch) ? device.stream(ch, subtype) : undefined;
      if (!stream) return plain(res, 400, `Error${CRLF}Bad Request!${CRLF}`);
      const jpeg = await stream.snapshotJpeg();
      res.writeHead(200, { 'Content-Type': 'image/jpeg', 'Content-Length': jpeg.length });
      res.end(jpeg);
      return;
    }
    case '/cgi-bin/devAudioOutput.cgi':
      // How many audio outputs (speakers) the device has (Dahua HTTP API, "Get Audio Output Channel Numbers").
      if (action === 'getCollect') return plain(res, 200, kv({ result: device.channels.filter((c) => c.speaker).length }));
      return plain(res, 400, `Error${CRLF}Bad Request!${CRLF}`);
    case '/cgi-bin/audio.cgi':
      if (action === 'postAudio' && req.method === 'POST') return postAudio(device, req, res, q);
      return plain(res, 400, `Error${CRLF}Bad Request!${CRLF}`);
    case '/cgi-bin/eventManager.cgi':
      if (action === 'attach') return attach(device, req, res, q);
      if (action === 'getEventIndexes') {
        const code = q.get('code') ?? '';
        const idx = device.currentStates().filter((e) => DAHUA_EVENT_CODES[e.kind] === code && e.state).map((e) => e.channel - 1);
        return plain(res, 200, kv(Object.fromEntries(idx.map((v, i) => [`channels[${i}]`, v]))));
      }
      return plain(res, 400, `Error${CRLF}Bad Request!${CRLF}`);
    default:
      return plain(res, 404, `Error${CRLF}Not Found${CRLF}`);
  }
}
