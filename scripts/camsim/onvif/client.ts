import { createHash, randomBytes } from 'node:crypto';
import { digestAuthorization } from '../digest-auth';
import { NS, parseXml, type XmlElement } from './xml';

// A minimal ONVIF SOAP client for camsim's own tests and tools (the station has its own driver).

export interface SoapCallOptions {
  username?: string;
  password?: string;
  /** wsse: WS-UsernameToken PasswordDigest; digest: HTTP digest after a 401; none: no credentials. */
  auth?: 'wsse' | 'digest' | 'none';
  /** Clock of the device, for the token's Created (defaults to this host's). */
  now?: () => number;
  timeoutMs?: number;
}

export interface SoapResponse {
  status: number;
  headers: Headers;
  text: string;
  /** Parsed envelope; undefined when the body is not XML. */
  envelope: XmlElement | undefined;
  /** First child of env:Body (the response element or env:Fault). */
  body: XmlElement | undefined;
}

export function usernameToken(username: string, password: string, nowMs = Date.now()): string {
  const nonce = randomBytes(16);
  const created = new Date(nowMs).toISOString().replace(/\.\d{3}Z$/, 'Z');
  const digest = createHash('sha1').update(Buffer.concat([nonce, Buffer.from(created), Buffer.from(password)])).digest('base64');
  return (
    `<wsse:Security xmlns:wsse="${NS.wsse}" xmlns:wsu="${NS.wsu}"><wsse:UsernameToken><wsse:Username>${username}</wsse:Username>` +
    `<wsse:Password Type="http://docs.oasis-open.org/wss/2004/01/oasis-200401-wss-username-token-profile-1.0#PasswordDigest">${digest}</wsse:Password>` +
    `<wsse:Nonce EncodingType="http://docs.oasis-open.org/wss/2004/01/oasis-200401-wss-soap-message-security-1.0#Base64Binary">${nonce.toString('base64')}</wsse:Nonce>` +
    `<wsu:Created>${created}</wsu:Created></wsse:UsernameToken></wsse:Security>`
  );
}

/** Wraps an operation element (with its own xmlns) in a SOAP 1.2 envelope. */
export function soapEnvelope(operation: string, header = ''): string {
  return `<?xml version="1.0" encoding="UTF-8"?><s:Envelope xmlns:s="${NS.env}">${header ? `<s:Header>${header}</s:Header>` : ''}<s:Body>${operation}</s:Body></s:Envelope>`;
}

export async function soapCall(url: string, operation: string, options: SoapCallOptions = {}): Promise<SoapResponse> {
  const auth = options.auth ?? (options.username ? 'wsse' : 'none');
  const header = auth === 'wsse' && options.username ? usernameToken(options.username, options.password ?? '', (options.now ?? Date.now)()) : '';
  const body = soapEnvelope(operation, header);
  const post = (authorization?: string) =>
    fetch(url, {
      method: 'POST',
      headers: { 'Content-Type': 'application/soap+xml; charset=utf-8', ...(authorization ? { Authorization: authorization } : {}) },
      body,
      signal: AbortSignal.timeout(options.timeoutMs ?? 10_000),
    });
  let res = await post();
  if (res.status === 401 && auth === 'digest' && options.username) {
    const challenge = res.headers.get('www-authenticate') ?? '';
    await res.arrayBuffer();
    const u = new URL(url);
    res = await post(digestAuthorization(challenge, { username: options.username, password: options.password ?? '', method: 'POST', uri: u.pathname + u.search }));
  }
  const text = await res.text();
  let envelope: XmlElement | undefined;
  try {
    envelope = parseXml(text);
  } catch {
    envelope = undefined;
  }
  const bodyEl = envelope?.children.find((c) => c.local === 'Body');
  return { status: res.status, headers: res.headers, text, envelope, body: bodyEl?.children[0] };
}

/** Fetches a URL with HTTP digest auth (snapshot URIs, Dahua CGI). */
export async function digestFetch(url: string, username: string, password: string, init: RequestInit = {}): Promise<Response> {
  const first = await fetch(url, init);
  if (first.status !== 401) return first;
  const challenge = first.headers.get('www-authenticate');
  await first.arrayBuffer();
  if (!challenge) return first;
  const u = new URL(url);
  const authorization = digestAuthorization(challenge, { username, password, method: init.method ?? 'GET', uri: u.pathname + u.search });
  return fetch(url, { ...init, headers: { ...(init.headers as Record<string, string> | undefined), Authorization: authorization } });
}
