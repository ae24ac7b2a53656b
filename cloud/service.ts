// startCloud: the HTTP server of the account & privacy-settings service, on loopback.
import { createServer as createHttpServer, type IncomingMessage, type ServerResponse } from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import type { AddressInfo } from 'node:net';
import pino, { type Logger } from 'pino';
import { pathPattern, type Controller } from '../electron/contract/cloud';
import { openDb } from './db/open-db';
import { startMailSender, type SmtpConfig } from './mail';
import type { DbConfig } from './db/sql-db';
import {
  DEFAULT_SESSION_TTL_MS,
  DEFAULT_THROTTLE,
  PURPOSES,
  REGION_IDS,
  isoAt,
  type Clock,
  type Region,
  type ThrottlePolicy,
} from './domain';
import { HttpError, parseJsonBody, readRawBody, sendJson } from './http/http-error';
import { findAccountById, serviceKey } from './repo/accounts';
import { eraseDueSuspended, OPEN_WHEN_SUSPENDED } from './minors';
import { pruneExpired, type PruneCounts } from './repo/retention';
import { findLiveSession, touchSession } from './repo/sessions';
import { telemetryTotals } from './repo/telemetry';
import { ROUTES, type AuthContext, type RequestContext, type RouteDef, type ServiceDeps } from './routes';
import { hashToken } from './secrets';

export interface CloudOptions {
  region: Region;
  db: DbConfig;
  /** 0 or absent: a free port. */
  port?: number;
  clock?: Clock;
  sessionTtlMs?: number;
  throttle?: Partial<ThrottlePolicy>;
  /** The privacy policy version in force; telemetry granted under an older one is refused. */
  policyVersion?: string;
  /** Controller identity, contact and supervisory authority of this deployment. */
  controller?: Controller;
  /** Serve HTTPS with this certificate and key (PEM); without it, plain HTTP (which a station accepts only on loopback). */
  tls?: { cert: string | Buffer; key: string | Buffer };
  /** The SMTP relay mail goes through (verification, forgotten passwords); without it no mail feature is offered. */
  mail?: SmtpConfig;
  /**
   * The deployment's regions directory: region id -> the base URL of that region's instance (CLI `--directory FILE`,
   * `--peer us=https://…`). This instance's own region is added with its own URL when absent. Served at GET /v1/regions.
   */
  directory?: Partial<Record<Region, string>>;
  /** The secret the deployment's instances show each other to move an account between regions (CLI `--peer-key-file`). */
  peerKey?: string;
  /** PEM certificate authorities trusted for the other regions' https:// instances (CLI `--peer-ca`). */
  peerCa?: string | Buffer;
  /** Defaults to a silent logger; the CLI passes one that writes to stderr. */
  logger?: Logger;
}

export interface TelemetryTotals {
  /** Per purpose (telemetry, alarm push, cloud storage, device hosting), bytes of bodies that reached its ingestion endpoint from signed-in accounts. */
  byPurpose: Record<string, { receivedBytes: number; acceptedBytes: number }>;
  /** Bytes sent to any ingestion endpoint without a valid session (refused, not stored). */
  unauthenticatedBytes: number;
}

export interface CloudHandle {
  url: string;
  region: Region;
  telemetryTotals(): Promise<TelemetryTotals>;
  /** Adds (or changes) regions of the directory: a deployment whose instances learn each other's URLs once they listen. */
  setDirectory(directory: Partial<Record<Region, string>>): void;
  /** Runs the retention pass now (it also runs every minute); how many rows of each kind went. */
  prune(): Promise<PruneCounts>;
  close(): Promise<void>;
}

interface CompiledRoute {
  def: RouteDef;
  regex: RegExp;
  names: string[];
}

function compile(def: RouteDef): CompiledRoute {
  return { def, ...pathPattern(def.path) };
}

const SESSION_TOUCH_MS = 60_000;

/** The directory's URLs checked: known regions, http(s) origins, plain HTTP only on loopback (as a station demands). */
export function checkDirectory(directory: Record<string, string>): Partial<Record<Region, string>> {
  const out: Partial<Record<Region, string>> = {};
  for (const [region, raw] of Object.entries(directory)) {
    if (!REGION_IDS.includes(region as Region)) throw new Error(`directory: unknown region ${region}; use one of ${REGION_IDS.join(', ')}`);
    const url = raw.replace(/\/$/, '');
    let u: URL;
    try {
      u = new URL(url);
    } catch {
      throw new Error(`directory: ${region}: ${raw} is not a URL`);
    }
    const loopback = /^(127\.\d+\.\d+\.\d+|localhost|\[::1\])$/.test(u.hostname);
    if (u.protocol !== 'https:' && !(u.protocol === 'http:' && loopback)) throw new Error(`directory: ${region}: ${raw} must be https:// (http:// only on loopback)`);
    if (u.pathname !== '/' || u.search) throw new Error(`directory: ${region}: ${raw} must be an origin like https://de.cloud.example`);
    out[region as Region] = url;
  }
  return out;
}

export async function startCloud(opts: CloudOptions): Promise<CloudHandle> {
  if (!REGION_IDS.includes(opts.region)) throw new Error(`unknown region ${String(opts.region)}; use one of ${REGION_IDS.join(', ')}`);
  const directory = checkDirectory(opts.directory ?? {});
  const db = await openDb(opts.db);
  const log = opts.logger ?? pino({ level: 'silent' });
  const clock = opts.clock ?? Date.now;
  const deps: ServiceDeps = {
    db,
    region: opts.region,
    clock,
    sessionTtlMs: opts.sessionTtlMs ?? DEFAULT_SESSION_TTL_MS,
    throttle: { ...DEFAULT_THROTTLE, ...opts.throttle },
    subjectKey: await serviceKey(db),
    policyVersion: opts.policyVersion ?? null,
    controller: opts.controller ?? null,
    directory,
    peerKey: opts.peerKey ?? null,
    peerCa: opts.peerCa ?? null,
    log,
    mail: opts.mail ? startMailSender(db, opts.mail, clock, log) : null,
  };
  const routes = ROUTES.map(compile);
  let unauthenticatedTelemetryBytes = 0;

  async function authenticate(req: IncomingMessage): Promise<AuthContext> {
    const header = req.headers.authorization;
    const m = header ? /^Bearer ([A-Za-z0-9_\-]{10,200})$/.exec(header) : null;
    if (!header) throw new HttpError(401, 'unauthenticated', 'a bearer token is required', {}, { 'www-authenticate': 'Bearer' });
    const nowMs = deps.clock();
    const session = m ? await findLiveSession(db, hashToken(m[1]!), nowMs) : undefined;
    const account = session ? await findAccountById(db, session.account_id) : undefined;
    if (!session || !account)
      throw new HttpError(401, 'invalid_token', 'the token is unknown, expired or revoked', {}, {
        'www-authenticate': 'Bearer error="invalid_token"',
      });
    if (nowMs - Date.parse(session.last_used_at) > SESSION_TOUCH_MS) await touchSession(db, session.id, isoAt(nowMs));
    return { account, session };
  }

  async function handle(req: IncomingMessage, res: ServerResponse, seen: { route: string }): Promise<{ route: string; status: number }> {
    const url = new URL(req.url ?? '/', 'http://127.0.0.1');
    const method = req.method ?? 'GET';
    const matches = routes
      .map((r) => ({ r, m: r.regex.exec(url.pathname) }))
      .filter((x): x is { r: CompiledRoute; m: RegExpExecArray } => x.m !== null);
    if (matches.length === 0) throw new HttpError(404, 'not_found', `no route ${url.pathname}`);
    const hit = matches.find((x) => x.r.def.method === method);
    if (!hit) {
      const allow = [...new Set(matches.map((x) => x.r.def.method))].join(', ');
      throw new HttpError(405, 'method_not_allowed', `${method} is not allowed on ${url.pathname}; allowed: ${allow}`, {}, { allow });
    }
    const params: Record<string, string> = {};
    hit.r.names.forEach((n, i) => {
      params[n] = decodeURIComponent(hit.m[i + 1]!);
    });
    let raw: Promise<Buffer> | undefined;
    const ctx: RequestContext = {
      req,
      params,
      clientAddress: req.socket.remoteAddress ?? 'unknown',
      raw: () => (raw ??= readRawBody(req, hit.r.def.maxBody)),
      body: async (schema) => parseJsonBody(req, await ctx.raw(), schema),
    };
    const def = hit.r.def;
    seen.route = `${method} ${def.path}`;
    let reply;
    if (def.auth) {
      let auth: AuthContext;
      try {
        auth = await authenticate(req);
      } catch (err) {
        // Counted so a test can prove that nothing at all reached telemetry, signed in or not.
        if (hit.r.def.ingest || (url.pathname.startsWith('/v1/telemetry/') && method === 'POST'))
          unauthenticatedTelemetryBytes += (await ctx.raw().catch(() => Buffer.alloc(0))).length;
        throw err;
      }
      if (auth.account.suspended_at && !OPEN_WHEN_SUSPENDED.has(seen.route))
        throw new HttpError(403, 'account_suspended', `this account is suspended (${auth.account.suspension_reason}) and will be erased on ${auth.account.erase_after}; it can still be exported or erased`);
      reply = await def.handler(deps, { ...ctx, auth });
    } else {
      reply = await def.handler(deps, ctx);
    }
    sendJson(res, reply.status, reply.body, reply.headers);
    return { route: `${method} ${def.path}`, status: reply.status };
  }

  const onRequest = (req: IncomingMessage, res: ServerResponse) => {
    const started = performance.now();
    const seen = { route: `${req.method} (no route)` };
    handle(req, res, seen)
      .then(
        (r) => r,
        (err: unknown) => {
          if (err instanceof HttpError) {
            sendJson(res, err.status, { error: { code: err.code, message: err.message, ...err.extra } }, err.headers);
            return { route: seen.route, status: err.status };
          }
          // The error may carry SQL text but never bodies or headers, so it is safe to log.
          log.error({ err: err instanceof Error ? err.message : String(err) }, 'request failed');
          if (!res.headersSent) sendJson(res, 500, { error: { code: 'internal', message: 'internal error' } });
          else res.destroy();
          return { route: seen.route, status: 500 };
        },
      )
      .then((r) => log.info({ route: r.route, status: r.status, ms: Math.round(performance.now() - started) }, 'request'))
      .catch(() => undefined);
  };
  const server = opts.tls ? createHttpsServer({ cert: opts.tls.cert, key: opts.tls.key, minVersion: 'TLSv1.2' }, onRequest) : createHttpServer(onRequest);
  server.requestTimeout = 30_000;
  server.headersTimeout = 10_000;

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(opts.port ?? 0, '127.0.0.1', () => resolve());
  });
  const port = (server.address() as AddressInfo).port;
  const url = `${opts.tls ? 'https' : 'http'}://127.0.0.1:${port}`;
  directory[opts.region] ??= url;
  // Each kind of personal data past its retention goes (electron/contract/retention.ts); a failed pass is tried again at the next.
  const prune = async () => {
    await eraseDueSuspended(deps);
    return pruneExpired(db, deps.clock(), deps.throttle.windowMs);
  };
  const pruneTimer = setInterval(() => void prune().catch((err: Error) => log.error({ err: err.message }, 'retention pass failed')), 60_000);
  pruneTimer.unref();

  let closing: Promise<void> | undefined;
  return {
    url,
    region: opts.region,
    prune,
    setDirectory(more) {
      Object.assign(directory, checkDirectory(more));
    },
    async telemetryTotals() {
      const byPurpose: TelemetryTotals['byPurpose'] = {};
      for (const p of PURPOSES) byPurpose[p] = { receivedBytes: 0, acceptedBytes: 0 };
      for (const r of await telemetryTotals(db))
        byPurpose[r.purpose] = { receivedBytes: Number(r.received_bytes), acceptedBytes: Number(r.accepted_bytes) };
      return { byPurpose, unauthenticatedBytes: unauthenticatedTelemetryBytes };
    },
    close() {
      closing ??= (async () => {
        clearInterval(pruneTimer);
        await deps.mail?.close();
        await new Promise<void>((resolve) => {
          server.close(() => resolve());
          server.closeAllConnections();
        });
        await db.close();
      })();
      return closing;
    },
  };
}
