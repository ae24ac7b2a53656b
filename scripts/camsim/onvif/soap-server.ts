import { createHash, timingSafeEqual } from 'node:crypto';
import type { SimDevice } from '../device';
import type { UserLevel } from '../device-types';
import { deviceOps } from './device-service';
import { eventOps, subscriptionOps } from './events-service';
import { mediaOps } from './media-service';
import { media2Ops } from './media2-service';
import type { Access, OpContext, OpSpec, SoapRequest } from './operation';
import { recordingOps, replayOps, searchOps } from './profile-g';
import { ptzOps } from './ptz-service';
import { child, envelope, faultXml, NS, OnvifFault, parseXml, senderFault, XmlError, type XmlElement } from './xml';

export interface SoapReply {
  status: number;
  headers: Record<string, string>;
  body: string;
  /** Runs once the reply has been sent (reboot, address change). */
  after?: () => void;
}

const LEVEL_RANK: Record<UserLevel, number> = { User: 1, Operator: 2, Administrator: 3 };
/** ONVIF Core §5.9.4.3 default access policy: which user level may use which access class. */
const ACCESS_NEEDS: Record<Access, number> = {
  PRE_AUTH: 0,
  READ_SYSTEM: 1,
  READ_MEDIA: 1,
  READ_SYSTEM_SENSITIVE: 2,
  ACTUATE: 2,
  READ_SYSTEM_SECRET: 3,
  WRITE_SYSTEM: 3,
  UNRECOVERABLE: 3,
};

/** In the Factory Default State these run without credentials, so a client can create the first admin. */
const FACTORY_OPEN = new Set(['GetDeviceInformation', 'GetScopes', 'GetUsers', 'CreateUsers', 'GetNetworkInterfaces']);

const services: Record<string, Record<string, OpSpec>> = {
  [NS.tds]: deviceOps,
  [NS.trt]: mediaOps,
  [NS.tr2]: media2Ops,
  [NS.tev]: eventOps,
  [NS.tptz]: ptzOps,
  [NS.trc]: recordingOps,
  [NS.tse]: searchOps,
  [NS.trp]: replayOps,
};

const UNDERSTOOD_HEADERS = new Set<string>([NS.wsse, NS.wsa, NS.wsadis]);

type AuthOutcome =
  | { kind: 'user'; username: string; level: UserLevel }
  | { kind: 'none' }
  | { kind: 'wsse-failed' }
  | { kind: 'digest-failed'; stale: boolean };

const seenNonces = new Map<string, number>();

/** WS-Security UsernameToken PasswordDigest: Base64(SHA-1(nonce + created + password)) (UsernameToken Profile 1.0 §3.1). */
function checkUsernameToken(device: SimDevice, token: XmlElement): { ok: true; username: string } | { ok: false; counts: boolean } {
  const username = child(token, 'Username')?.text ?? '';
  const pwEl = child(token, 'Password');
  const nonce = child(token, 'Nonce')?.text ?? '';
  const created = child(token, 'Created')?.text ?? '';
  if (!pwEl || !nonce || !created || !pwEl.attrs.Type?.endsWith('#PasswordDigest')) return { ok: false, counts: true };
  const createdMs = Date.parse(created);
  // Clients sync to GetSystemDateAndTime first, so "created" is compared with the device clock.
  if (!Number.isFinite(createdMs) || Math.abs(createdMs - device.now()) > 5 * 60_000) return { ok: false, counts: false };
  const key = `${device.id}/${nonce}`;
  if (seenNonces.has(key)) return { ok: false, counts: false };
  const password = device.passwordOf(username);
  if (password === undefined) return { ok: false, counts: true };
  const expected = createHash('sha1').update(Buffer.concat([Buffer.from(nonce, 'base64'), Buffer.from(created), Buffer.from(password)])).digest();
  const got = Buffer.from(pwEl.text, 'base64');
  if (got.length !== expected.length || !timingSafeEqual(got, expected)) return { ok: false, counts: true };
  seenNonces.set(key, Date.now());
  if (seenNonces.size > 5000) {
    const cutoff = Date.now() - 10 * 60_000;
    for (const [k, t] of seenNonces) if (t < cutoff) seenNonces.delete(k);
  }
  return { ok: true, username };
}

function authenticate(device: SimDevice, req: SoapRequest, header: XmlElement | undefined): AuthOutcome {
  const token = child(child(header, 'Security', NS.wsse), 'UsernameToken', NS.wsse);
  if (token) {
    const r = checkUsernameToken(device, token);
    if (r.ok) {
      const u = device.users.get(r.username);
      if (u) return { kind: 'user', username: u.username, level: u.level };
    } else if (r.counts) device.guard.recordFailure(req.clientIp);
    return { kind: 'wsse-failed' };
  }
  const authz = req.headers.authorization;
  if (authz) {
    const r = device.digest.verify(req.method, authz, device.passwordOf);
    if (r.kind === 'ok') {
      const u = device.users.get(r.username);
      if (u) return { kind: 'user', username: u.username, level: u.level };
    } else if (r.kind === 'bad') device.guard.recordFailure(req.clientIp);
    return { kind: 'digest-failed', stale: r.kind === 'stale' };
  }
  return { kind: 'none' };
}

const notAuthorized = (reason = 'Sender not Authorized') => senderFault(['ter:NotAuthorized'], reason);

function fault(f: OnvifFault, extraHeaders: Record<string, string> = {}, status = f.httpStatus): SoapReply {
  return { status, headers: extraHeaders, body: faultXml(f.fault) };
}

export async function handleSoapRequest(device: SimDevice, req: SoapRequest, body: Buffer): Promise<SoapReply> {
  let root: XmlElement;
  try {
    root = parseXml(body);
  } catch (err) {
    if (err instanceof XmlError) return fault(senderFault(['ter:WellFormed'], `XML Well-formed violation: ${err.message}`));
    throw err;
  }
  if (root.local !== 'Envelope') return fault(senderFault(['ter:WellFormed'], 'Root element is not a SOAP Envelope'));
  if (root.ns !== NS.env) {
    // SOAP 1.2 part 1 §5.4.7: an envelope of another SOAP version gets VersionMismatch.
    return fault(new OnvifFault({ code: 'env:VersionMismatch', subcodes: [], reason: 'Only SOAP 1.2 is supported' }));
  }
  const header = child(root, 'Header', NS.env);
  for (const h of header?.children ?? []) {
    const mu = Object.entries(h.attrs).find(([k]) => k.endsWith('mustUnderstand'))?.[1];
    if ((mu === 'true' || mu === '1') && !UNDERSTOOD_HEADERS.has(h.ns)) {
      return fault(new OnvifFault({ code: 'env:MustUnderstand', subcodes: [], reason: `Header ${h.name} not understood` }));
    }
  }
  const bodyEl = child(root, 'Body', NS.env);
  const op = bodyEl?.children[0];
  if (!op) return fault(senderFault(['ter:MissingAttr'], 'SOAP Body has no operation'));

  const subscription = /^\/onvif\/events\/pullpoint\/([\w-]+)$/.exec(req.path);
  const table = subscription ? subscriptionOps : services[op.ns];
  const spec = table?.[op.local];
  if (!spec) {
    // ONVIF Core §5.11.2.3 generic fault "Optional action not implemented".
    return fault(new OnvifFault({ code: 'env:Receiver', subcodes: ['ter:ActionNotSupported'], reason: `Optional Action Not Implemented: ${op.name}` }));
  }

  let user: OpContext['user'];
  if (spec.access !== 'PRE_AUTH') {
    const lock = device.guard.isLocked(req.clientIp);
    if (lock.locked) {
      return fault(notAuthorized('Client locked out after repeated failed logins'), { 'Retry-After': String(Math.ceil(lock.retryAfterMs / 1000)) }, 403);
    }
    const auth = authenticate(device, req, header);
    if (auth.kind === 'user') {
      device.guard.recordSuccess(req.clientIp);
      if (LEVEL_RANK[auth.level] < ACCESS_NEEDS[spec.access]) return fault(notAuthorized(`${op.local} needs a higher user level`));
      user = { username: auth.username, level: auth.level };
    } else if (auth.kind === 'wsse-failed') {
      // ONVIF Core §5.9.1: a rejected WS-UsernameToken is answered with a SOAP fault, HTTP 400.
      return fault(notAuthorized());
    } else if (!(device.initialized === false && FACTORY_OPEN.has(op.local) && op.ns === NS.tds)) {
      // No or wrong HTTP credentials: 401 with a digest challenge (ONVIF Core §5.9.1, RFC 7616).
      return fault(notAuthorized(), { 'WWW-Authenticate': device.digest.challenge(auth.kind === 'digest-failed' && auth.stale) }, 401);
    }
  }

  const afters: (() => void)[] = [];
  const ctx: OpContext = { device, request: req, op, user, after: (fn) => afters.push(fn) };
  try {
    const responseXml = await spec.handle(ctx);
    return {
      status: 200,
      headers: {},
      body: envelope(responseXml),
      ...(afters.length ? { after: () => afters.forEach((f) => f()) } : {}),
    };
  } catch (err) {
    if (err instanceof OnvifFault) return fault(err);
    throw err;
  }
}
