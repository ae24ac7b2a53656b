// The only way the station talks to the cloud: purpose named, consent gate passed, every attempt in the ledger.
import type { TransmissionPurpose } from '../../contract';
import type { Db } from '../storage/db';
import { addTransmission } from './privacy-store';

export interface CloudRequest {
  method: 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';
  path: string;
  purpose: TransmissionPurpose;
  /** The user action that asked for it, if any ("sign-up", "export"): some purposes need one. */
  action?: string;
  token?: string;
  body?: unknown;
  headers?: Record<string, string>;
}

export interface CloudReply {
  status: number;
  body: any;
  etag: string | null;
}

/** The cloud could not be reached (no answer, refused, timed out). Nothing is lost: the outbox retries. */
export class CloudUnreachable extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'CloudUnreachable';
  }
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
  /** Told after each ledger row, so the UI can refresh. */
  onLedger?: () => void;
}

export class CloudTransport {
  constructor(private readonly opts: CloudTransportOptions) {}

  get baseUrl(): string | null {
    return this.opts.baseUrl;
  }

  async request(req: CloudRequest): Promise<CloudReply> {
    const { db, baseUrl, clock } = this.opts;
    if (!baseUrl) throw new CloudUnreachable('no cloud service is configured (start the station with --cloud-url)');
    const consent = this.opts.gate(req.purpose, req.action, req.method);
    const text = req.body === undefined ? undefined : JSON.stringify(req.body);
    const headers: Record<string, string> = { accept: 'application/json', ...req.headers };
    if (text !== undefined) headers['content-type'] = 'application/json';
    if (req.token) headers.authorization = `Bearer ${req.token}`;
    const bytesOut = text === undefined ? 0 : Buffer.byteLength(text);
    const row = { at: clock(), method: req.method, endpoint: req.path, purpose: req.purpose, bytesOut, consent };
    let res: Response;
    let answer: string;
    try {
      res = await fetch(baseUrl + req.path, { method: req.method, headers, body: text, signal: AbortSignal.timeout(this.opts.timeoutMs ?? 10_000) });
      answer = await res.text();
    } catch (err) {
      const cause = (err as { cause?: { code?: string } }).cause?.code ?? (err as Error).name;
      addTransmission(db, { ...row, bytesIn: 0, status: null, outcome: `unreachable (${cause})` });
      this.opts.onLedger?.();
      throw new CloudUnreachable(`cloud unreachable (${cause})`);
    }
    addTransmission(db, { ...row, bytesIn: Buffer.byteLength(answer), status: res.status, outcome: res.ok ? 'sent' : 'refused' });
    this.opts.onLedger?.();
    let body: any;
    try {
      body = answer ? JSON.parse(answer) : undefined;
    } catch {
      body = undefined;
    }
    return { status: res.status, body, etag: res.headers.get('etag') };
  }
}

/** The cloud's error message ("dateOfBirth: …"), or a fallback that names the status. */
export function cloudMessage(reply: CloudReply): string {
  const e = reply.body?.error;
  return typeof e?.message === 'string' ? e.message : `the cloud answered ${reply.status}`;
}
export function cloudCode(reply: CloudReply): string | undefined {
  return typeof reply.body?.error?.code === 'string' ? reply.body.error.code : undefined;
}
