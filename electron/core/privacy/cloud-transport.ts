// The only way the station talks to the cloud: purpose named, consent gate passed, every attempt in the ledger, replies read by the contract.
import { request as httpRequest, type IncomingHttpHeaders } from 'node:http';
import { request as httpsRequest } from 'node:https';
import { z } from 'zod';
import type { TransmissionPurpose } from '../../contract';
import {
  CloudError, cloudRouteOf, cloudRoutes, type CloudBody, type CloudErrorBody, type CloudMethod, type CloudPath, type CloudReplyBody,
  type CloudRouteName,
} from '../../contract/cloud';
import type { Db } from '../storage/db';
import { addTransmission } from './privacy-store';

/** One route of the cloud contract: its method, a path it names, and the body it takes. */
export type CloudTarget = { [K in CloudRouteName]: { method: CloudMethod<K>; path: CloudPath<K> } & BodyOf<K> }[CloudRouteName];
type BodyOf<K extends CloudRouteName> = undefined extends CloudBody<K> ? { body?: CloudBody<K> } : { body: CloudBody<K> };

export interface CloudRequestOptions {
  purpose: TransmissionPurpose;
  /** The user action that asked for it, if any ("sign-up", "export"): some purposes need one. */
  action?: string;
  token?: string;
  headers?: Record<string, string>;
  /** Another instance of the deployment than the one this station talks to now (a region's, from the directory). */
  baseUrl?: string;
  /** How long to wait for the answer, when longer than the transport's (a long poll). */
  timeoutMs?: number;
}
export type CloudRequest = CloudTarget & CloudRequestOptions;

/** The contract route a request goes to: `{ method: 'DELETE', path: `/v1/storage/${id}` }` -> 'DELETE /v1/storage/:id'. */
export type RouteOf<R extends CloudTarget> = {
  [K in CloudRouteName]: R extends { method: CloudMethod<K>; path: CloudPath<K> } ? K : never;
}[CloudRouteName];

/** The route answered as the contract says (a 2xx status and its reply). */
export interface CloudSuccess<K extends CloudRouteName> {
  ok: true;
  status: number;
  body: CloudReplyBody<K>;
  error: null;
  etag: string | null;
}
/** Anything else: the cloud's error envelope, or null when there was none (not JSON, or not what the contract says). */
export interface CloudRefusal {
  ok: false;
  status: number;
  body: undefined;
  error: CloudErrorBody | null;
  etag: string | null;
}
/** A reply of route K (of any route by default: one success type per route, so an assignment narrows to its route). */
export type CloudReply<K extends CloudRouteName = CloudRouteName> = (K extends CloudRouteName ? CloudSuccess<K> : never) | CloudRefusal;

/** The cloud could not be reached (no answer, refused, timed out). Nothing is lost: the outbox retries. */
export class CloudUnreachable extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'CloudUnreachable';
  }
}

/**
 * The station would not talk to the cloud: plain HTTP to a host other than this computer (`plain_http`, nothing sent), or a
 * certificate it cannot verify (`certificate`: nothing but the TLS handshake left). A kind of unreachable: the outbox retries.
 */
export class CloudNotTrusted extends CloudUnreachable {
  constructor(readonly kind: 'plain_http' | 'certificate', detail: string) {
    super(kind === 'plain_http' ? `plain HTTP refused (${detail})` : `certificate not verified: ${detail}`);
    this.name = 'CloudNotTrusted';
  }
}

/** Whether a host name of a URL is this computer: 127.0.0.0/8, ::1 or localhost. */
export function isLoopbackHost(hostname: string): boolean {
  const h = hostname.replace(/^\[|\]$/g, '').toLowerCase();
  return h === 'localhost' || h === '::1' || /^127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(h);
}

/** TLS verification failures, as Node names them (OpenSSL's X509 errors and the host name check). */
const CERT_ERROR = /CERT|SELF_SIGNED|UNABLE_TO_VERIFY|UNABLE_TO_GET_ISSUER/;

/** One HTTP(S) exchange; with `ca`, exactly those certificate authorities are trusted (instead of the system's). */
function exchange(url: URL, init: { method: string; headers: Record<string, string>; body?: string; timeoutMs: number; ca?: string }): Promise<{ status: number; headers: IncomingHttpHeaders; text: string }> {
  return new Promise((resolve, reject) => {
    const options = { method: init.method, headers: init.headers, signal: AbortSignal.timeout(init.timeoutMs) };
    const req = url.protocol === 'https:' ? httpsRequest(url, { ...options, ...(init.ca ? { ca: init.ca } : {}) }) : httpRequest(url, options);
    req.once('error', reject);
    req.once('response', (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.once('error', reject);
      res.once('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, text: Buffer.concat(chunks).toString('utf8') }));
    });
    req.end(init.body);
  });
}

/** The consent gate refused the purpose: nothing was sent. */
export class ConsentGateClosed extends Error {
  constructor(readonly purpose: TransmissionPurpose, reason: string) {
    super(`${purpose}: ${reason}; nothing was sent`);
    this.name = 'ConsentGateClosed';
  }
}

/** Returns a description of the consent that allows the request, or throws ConsentGateClosed. */
export type ConsentGate = (purpose: TransmissionPurpose, action: string | undefined, method: CloudRequest['method']) => string;

export interface CloudTransportOptions {
  db: Db;
  baseUrl: string | null;
  clock: () => number;
  gate: ConsentGate;
  timeoutMs?: number;
  /** PEM certificate authorities to trust for an https:// cloud instead of the system's (station `--cloud-ca`). */
  ca?: string;
  /** Told after each ledger row, so the UI can refresh. */
  onLedger?: () => void;
}

export class CloudTransport {
  constructor(private readonly opts: CloudTransportOptions) {}

  /** The instance this station talks to: the signed-in account's region's, else the configured cloud. */
  get baseUrl(): string | null {
    return this.opts.baseUrl;
  }

  set baseUrl(url: string | null) {
    this.opts.baseUrl = url;
  }

  async request<R extends CloudTarget>(req: R & CloudRequestOptions): Promise<CloudSuccess<RouteOf<R>> | CloudRefusal> {
    const { db, clock } = this.opts;
    const baseUrl = req.baseUrl ?? this.opts.baseUrl;
    if (!baseUrl) throw new CloudUnreachable('no cloud service is configured (start the station with --cloud-url)');
    const consent = this.opts.gate(req.purpose, req.action, req.method);
    const text = req.body === undefined ? undefined : JSON.stringify(req.body);
    const headers: Record<string, string> = { accept: 'application/json', ...req.headers };
    // Content-Length always: Node sends a DELETE body neither chunked nor sized unless told its length.
    if (text !== undefined) Object.assign(headers, { 'content-type': 'application/json', 'content-length': String(Buffer.byteLength(text)) });
    if (req.token) headers.authorization = `Bearer ${req.token}`;
    const bytesOut = text === undefined ? 0 : Buffer.byteLength(text);
    const row = { at: clock(), method: req.method, endpoint: req.path, purpose: req.purpose, bytesOut, consent };
    const url = new URL(baseUrl + req.path);
    let res: { status: number; headers: IncomingHttpHeaders; text: string };
    try {
      if (url.protocol !== 'https:' && !isLoopbackHost(url.hostname)) throw new CloudNotTrusted('plain_http', `${url.hostname} is not this computer`);
      res = await exchange(url, { method: req.method, headers, body: text, timeoutMs: req.timeoutMs ?? this.opts.timeoutMs ?? 10_000, ca: this.opts.ca });
    } catch (err) {
      const code = (err as { code?: string }).code ?? (err as Error).name;
      const refusal = err instanceof CloudNotTrusted ? err : CERT_ERROR.test(code) ? new CloudNotTrusted('certificate', code) : null;
      const cause = refusal ? refusal.message : code;
      // Plain HTTP refused here sent nothing; a certificate refused ends the connection in the handshake, before the request.
      addTransmission(db, { ...row, bytesOut: refusal ? 0 : row.bytesOut, bytesIn: 0, status: null, outcome: `unreachable (${cause})` });
      this.opts.onLedger?.();
      throw refusal ?? new CloudUnreachable(`cloud unreachable (${cause})`);
    }
    const answer = res.text;
    const ok = res.status >= 200 && res.status < 300;
    addTransmission(db, { ...row, bytesIn: Buffer.byteLength(answer), status: res.status, outcome: ok ? 'sent' : 'refused' });
    this.opts.onLedger?.();
    let json: unknown;
    try {
      json = answer ? JSON.parse(answer) : undefined;
    } catch {
      json = undefined;
    }
    const etagHeader = res.headers.etag;
    const etag = typeof etagHeader === 'string' ? etagHeader : null;
    const route = cloudRouteOf(req.method, req.path);
    const reply = ok && route ? z.safeParse(cloudRoutes[route].reply, json) : undefined;
    // cloudRouteOf finds at run time the route that RouteOf<R> names at compile time.
    if (reply?.success) return { ok: true, status: res.status, body: reply.data as CloudReplyBody<RouteOf<R>>, error: null, etag };
    const error = CloudError.safeParse(json);
    return { ok: false, status: res.status, body: undefined, error: error.success ? error.data.error : null, etag };
  }
}

/** The cloud's error message ("dateOfBirth: …"), or a fallback that names the status. */
export function cloudMessage(reply: CloudReply): string {
  return reply.error?.message ?? `the cloud answered ${reply.status}`;
}
export function cloudCode(reply: CloudReply): string | undefined {
  return reply.error?.code;
}
