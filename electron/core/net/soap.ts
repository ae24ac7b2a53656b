import { createHash, randomBytes } from 'node:crypto';
import { fail, StationError, type ErrorInfo } from '../../contract';
import { DeviceAuthError, digestFetch, retryAfter, type Credentials } from './http-auth';
import { at, esc, MAX_XML_BYTES, parseUntrustedXml, text, type XmlNode } from './xml';

// The station's ONVIF SOAP 1.2 client: WS-UsernameToken PasswordDigest first, HTTP digest (RFC 7616, MD5) after a 401.

export const NS = {
  tds: 'http://www.onvif.org/ver10/device/wsdl',
  trt: 'http://www.onvif.org/ver10/media/wsdl',
  /** Media2 (Profile T): H.265 and the profiles Media1's schema cannot name. */
  tr2: 'http://www.onvif.org/ver20/media/wsdl',
  tt: 'http://www.onvif.org/ver10/schema',
} as const;

export class SoapFault extends Error {
  constructor(readonly subcodes: string[], message: string) {
    super(message);
  }
}

/** What a device said, for a user: a SOAP fault's last subcode with its reason, else the error's message. */
export function deviceReason(err: unknown): string {
  return err instanceof SoapFault ? `${err.subcodes.at(-1) ?? 'fault'}: ${err.message}` : (err as Error).message;
}

/** One device's failure inside a result: in English (`reason`) and as a refusal any language can word (`error`). */
export function deviceRefusal(err: unknown): { reason: string; error: ErrorInfo } {
  const e = err instanceof StationError ? err
    : err instanceof SoapFault ? fail('device.refused', { detail: deviceReason(err) })
    : new StationError('unavailable', (err as Error).message);
  return { reason: e.message, error: e.info };
}

export function usernameToken(c: Credentials, nowMs: number): string {
  const nonce = randomBytes(16);
  const created = new Date(nowMs).toISOString().replace(/\.\d{3}Z$/, 'Z');
  const digest = createHash('sha1').update(Buffer.concat([nonce, Buffer.from(created), Buffer.from(c.password, 'utf8')])).digest('base64');
  return (
    `<wsse:Security xmlns:wsse="http://docs.oasis-open.org/wss/2004/01/oasis-200401-wss-wssecurity-secext-1.0.xsd" ` +
    `xmlns:wsu="http://docs.oasis-open.org/wss/2004/01/oasis-200401-wss-wssecurity-utility-1.0.xsd"><wsse:UsernameToken>` +
    `<wsse:Username>${esc(c.username)}</wsse:Username>` +
    `<wsse:Password Type="http://docs.oasis-open.org/wss/2004/01/oasis-200401-wss-username-token-profile-1.0#PasswordDigest">${digest}</wsse:Password>` +
    `<wsse:Nonce EncodingType="http://docs.oasis-open.org/wss/2004/01/oasis-200401-wss-soap-message-security-1.0#Base64Binary">${nonce.toString('base64')}</wsse:Nonce>` +
    `<wsu:Created>${created}</wsu:Created></wsse:UsernameToken></wsse:Security>`
  );
}

async function readCapped(res: Response, max: number): Promise<string> {
  const len = Number(res.headers.get('content-length') ?? 0);
  if (len > max) { await res.body?.cancel(); throw fail('device.replyTooLarge'); }
  const buf = Buffer.from(await res.arrayBuffer());
  if (buf.length > max) throw fail('device.replyTooLarge');
  return buf.toString('utf8');
}

/** One SOAP call; returns the first child of the Body; faults and auth failures throw. */
export async function soapCall(url: string, operation: string, c: Credentials | undefined, opts: { clockOffsetMs?: number; timeoutMs?: number } = {}): Promise<XmlNode> {
  const header = c ? `<s:Header>${usernameToken(c, Date.now() + (opts.clockOffsetMs ?? 0))}</s:Header>` : '';
  const body = `<?xml version="1.0" encoding="UTF-8"?><s:Envelope xmlns:s="http://www.w3.org/2003/05/soap-envelope">${header}<s:Body>${operation}</s:Body></s:Envelope>`;
  const res = await digestFetch(url, c, {
    method: 'POST', body, timeoutMs: opts.timeoutMs,
    headers: { 'Content-Type': 'application/soap+xml; charset=utf-8' },
  });
  if (res.status === 403 && res.headers.get('retry-after')) {
    await res.body?.cancel();
    throw new DeviceAuthError('locked', 'the device locked this station out after failed logins', retryAfter(res));
  }
  const raw = await readCapped(res, MAX_XML_BYTES);
  const doc = parseUntrustedXml(raw);
  const bodyEl = at(doc, 'Envelope', 'Body') as XmlNode | undefined;
  // A cut or garbled reply is named as such, not as the HTTP status it came with.
  if (res.status < 400 && (!bodyEl || typeof bodyEl !== 'object')) {
    throw fail('device.badReply', { detail: doc ? 'not a SOAP envelope' : 'not well-formed XML' });
  }
  const fault = at(bodyEl, 'Fault');
  if (res.status === 401 || (fault && /NotAuthorized/.test(raw))) {
    if (res.status === 403) throw new DeviceAuthError('locked', 'the device locked this station out after failed logins', retryAfter(res));
    throw new DeviceAuthError('unauthorized', 'the device refused the username or password');
  }
  if (fault) {
    const subcodes: string[] = [];
    for (let s: unknown = at(fault, 'Code', 'Subcode'); s; s = at(s, 'Subcode')) subcodes.push((text(at(s, 'Value')) ?? '').replace(/^.*:/, ''));
    throw new SoapFault(subcodes, text(at(fault, 'Reason', 'Text')) ?? 'SOAP fault');
  }
  if (!bodyEl || typeof bodyEl !== 'object' || res.status >= 400) throw fail('device.httpError', { status: res.status });
  const first = Object.keys(bodyEl).find((k) => !k.startsWith('@'));
  return (first ? (bodyEl as Record<string, XmlNode>)[first] : {}) ?? {};
}
