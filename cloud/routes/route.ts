// What a route is on the server: a contract route with its handler, typed by the contract's body and reply.
import type { IncomingMessage } from 'node:http';
import type { Logger } from 'pino';
import type { z } from 'zod';
import {
  cloudRouteParts, cloudRoutes, type CloudHttpMethod, type CloudParsedBody, type CloudPublicRouteName, type CloudReplyBody, type CloudRouteName, type CloudRoutes,
  type AccountLogKind, type CloudSignedInRouteName, type CloudStatus, type Controller,
} from '../../electron/contract/cloud';
import type { SqlDb } from '../db/sql-db';
import type { MailSender } from '../mail';
import { isoAt, type Clock, type Region, type ThrottlePolicy } from '../domain';
import { logAccountEvent } from '../repo/account-log';
import type { AccountRow, SessionRow } from '../repo/rows';
import { keyedHash } from '../secrets';

export interface ServiceDeps {
  db: SqlDb;
  region: Region;
  clock: Clock;
  sessionTtlMs: number;
  throttle: ThrottlePolicy;
  /** Key of the keyed hashes (consent subject, throttle keys); lives in the database. */
  subjectKey: string;
  /** When set, telemetry needs a grant given under this policy version. */
  policyVersion: string | null;
  /** The deployment's controller identity, contact and supervisory authority (shown in the station's policy). */
  controller: Controller | null;
  /** The deployment's regions: each served region's base URL, this instance's own included. */
  directory: Partial<Record<Region, string>>;
  /** The secret the deployment's instances show each other to move an account (null: moves are off). */
  peerKey: string | null;
  /** PEM certificate authorities to trust for the other regions' https:// instances instead of the system's. */
  peerCa: string | Buffer | null;
  log: Logger;
  /** The SMTP relay's sender; null where none is configured (no mail features are offered then). */
  mail: MailSender | null;
}

export interface AuthContext {
  account: AccountRow;
  session: SessionRow;
}

export interface RequestContext {
  req: IncomingMessage;
  params: Record<string, string>;
  clientAddress: string;
  raw(): Promise<Buffer>;
  body<S extends z.ZodType>(schema: S): Promise<z.output<S>>;
}

export interface Reply {
  status: number;
  body?: unknown;
  headers?: Record<string, string>;
}

interface RouteOptions {
  /** Largest body this route reads (default BODY_MAX_BYTES). */
  maxBody?: number;
  /** Receives a consent-gated purpose's data: bytes arriving without a valid session are counted too. */
  ingest?: true;
}
export type RouteDef =
  | (RouteOptions & { method: CloudHttpMethod; path: string; auth: false; handler: (d: ServiceDeps, c: RequestContext) => Promise<Reply> })
  | (RouteOptions & { method: CloudHttpMethod; path: string; auth: true; handler: (d: ServiceDeps, c: RequestContext & { auth: AuthContext }) => Promise<Reply> });

/** A request to route K: `body()` parses it with the contract's schema of that route. */
export type RouteRequest<K extends CloudRouteName> = Omit<RequestContext, 'body'> & { body(): Promise<CloudParsedBody<K>> };
export type SignedInRequest<K extends CloudSignedInRouteName> = RouteRequest<K> & { auth: AuthContext };

/** The contract's success status and reply of route K, or 304 for a GET answered from the client's copy. */
export type RouteReply<K extends CloudRouteName> =
  | ({ status: CloudStatus<K>; headers?: Record<string, string> } & (undefined extends CloudReplyBody<K> ? { body?: undefined } : { body: CloudReplyBody<K> }))
  | { status: 304; headers: Record<string, string> };

// Generic over the route entry, not its body schema: that is how TypeScript keeps the body's type tied to the route.
function bodyParser<R extends { body: z.ZodType }>(route: R, c: RequestContext): () => Promise<z.output<R['body']>> {
  return () => c.body<R['body']>(route.body);
}

function typed<K extends CloudRouteName>(name: K, c: RequestContext): RouteRequest<K> {
  const route: CloudRoutes[K] = cloudRoutes[name];
  return { ...c, body: bodyParser(route, c) };
}

/** A route that needs a session. */
export function serve<K extends CloudSignedInRouteName>(
  name: K,
  handler: (d: ServiceDeps, c: SignedInRequest<K>) => Promise<RouteReply<K>>,
  options: RouteOptions = {},
): RouteDef {
  return { ...cloudRouteParts(name), auth: true, ...options, handler: (d, c) => handler(d, { ...typed(name, c), auth: c.auth }) };
}

/** A route open without a session (the contract says which). */
export function servePublic<K extends CloudPublicRouteName>(
  name: K,
  handler: (d: ServiceDeps, c: RouteRequest<K>) => Promise<RouteReply<K>>,
  options: RouteOptions = {},
): RouteDef {
  return { ...cloudRouteParts(name), auth: false, ...options, handler: (d, c) => handler(d, typed(name, c)) };
}

export const now = (d: ServiceDeps) => isoAt(d.clock());
export const subjectOf = (d: ServiceDeps, accountId: string) => keyedHash(d.subjectKey, 'consent-subject', accountId);

/** An entry in the account operation log for this request: now, from its client address, by the app and device named. */
export const logAccount = (d: ServiceDeps, c: { clientAddress: string }, accountId: string, kind: AccountLogKind, client: string) =>
  logAccountEvent(d.db, { accountId, at: now(d), kind, address: c.clientAddress, client });
/** The same for a signed-in request: the app and device are the session's. */
export const logSignedIn = (d: ServiceDeps, c: { clientAddress: string; auth: AuthContext }, kind: AccountLogKind) =>
  logAccount(d, c, c.auth.account.id, kind, c.auth.session.client);
