// The cloud API the station and cloud/ both speak: every route's method, path, body and reply, and the error envelope.
// Not exported from ../index (the renderer bundles that); imports nothing but zod and the contract.
import { z } from 'zod';
import { PRIVACY_PURPOSES } from '../privacy';
import { accountServiceRoutes } from './account-services';
import { accountRoutes } from './accounts';
import { NoBody, REGION_IDS, publicRoute } from './common';
import { exportRoutes } from './export';
import { feedbackRoutes } from './feedback';
import { mailRoutes } from './mail';
import { regionRoutes } from './regions';
import { settingsRoutes } from './settings';
import { shareRoutes } from './shares';
import { telemetryRoutes } from './telemetry';

export * from './account-services';
export * from './accounts';
export * from './common';
export * from './errors';
export * from './export';
export * from './feedback';
export * from './mail';
export * from './regions';
export * from './settings';
export * from './shares';
export * from './telemetry';

export const Controller = z.strictObject({ name: z.string(), contact: z.string(), authority: z.string() });
export type Controller = z.infer<typeof Controller>;

export const Health = z.strictObject({
  status: z.literal('ok'),
  region: z.enum(REGION_IDS),
  regionName: z.string(),
  minimumAge: z.number(),
  purposes: z.array(z.enum(PRIVACY_PURPOSES)),
  /** The policy in force; null unless the instance was started with one. */
  policyVersion: z.string().nullable(),
  /** Who answers for the data in this deployment, how to reach them, and where to complain; absent where not configured. */
  controller: Controller.optional(),
  /** Whether this deployment sends mail (verification, forgotten passwords); absent from older services. */
  mail: z.boolean().optional(),
});
export type Health = z.infer<typeof Health>;

// ---- routes: "METHOD /path/:param" -> whether a session is needed, success status, body and reply schemas ----

export const cloudRoutes = {
  /** Where data lives: shown to the user before anything else is sent. */
  'GET /v1/health': publicRoute(200, NoBody, Health),
  ...accountRoutes,
  ...settingsRoutes,
  ...exportRoutes,
  ...telemetryRoutes,
  ...shareRoutes,
  ...accountServiceRoutes,
  ...feedbackRoutes,
  ...mailRoutes,
  ...regionRoutes,
} as const;

export type CloudRoutes = typeof cloudRoutes;
export type CloudRouteName = keyof CloudRoutes;
export const CLOUD_ROUTE_NAMES = Object.keys(cloudRoutes) as CloudRouteName[];
/** What a station sends to a route. */
export type CloudBody<K extends CloudRouteName> = z.input<CloudRoutes[K]['body']>;
/** What the cloud reads from it, once parsed. */
export type CloudParsedBody<K extends CloudRouteName> = z.output<CloudRoutes[K]['body']>;
export type CloudReplyBody<K extends CloudRouteName> = z.output<CloudRoutes[K]['reply']>;
export type CloudStatus<K extends CloudRouteName> = CloudRoutes[K]['status'];
export type CloudPublicRouteName = { [K in CloudRouteName]: CloudRoutes[K]['auth'] extends false ? K : never }[CloudRouteName];
export type CloudSignedInRouteName = Exclude<CloudRouteName, CloudPublicRouteName>;

export type CloudHttpMethod = 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';
/** 'DELETE /v1/storage/:id' -> 'DELETE' */
export type CloudMethod<K extends CloudRouteName> = K extends `${infer M} ${string}` ? M : never;
/** 'DELETE /v1/storage/:id' -> `/v1/storage/${string}`: the paths a request to the route may name. */
export type CloudPath<K extends CloudRouteName> = K extends `${string} ${infer P}` ? PathOf<P> : never;
type PathOf<P extends string> = P extends `${infer Head}:${string}/${infer Tail}`
  ? `${Head}${string}/${PathOf<Tail>}`
  : P extends `${infer Head}:${string}` ? `${Head}${string}` : P;

export function cloudRouteParts(name: CloudRouteName): { method: CloudHttpMethod; path: string } {
  const space = name.indexOf(' ');
  return { method: name.slice(0, space) as CloudHttpMethod, path: name.slice(space + 1) };
}

/** A route path ("/v1/push/:id/snapshot") as a regular expression, with its parameter names in order. */
export function pathPattern(path: string): { regex: RegExp; names: string[] } {
  const names: string[] = [];
  const pattern = path.replace(/:([a-z]+)/g, (_m, name: string) => {
    names.push(name);
    return '([^/]+)';
  });
  return { regex: new RegExp(`^${pattern}$`), names };
}

const patterns = CLOUD_ROUTE_NAMES.map((name) => {
  const { method, path } = cloudRouteParts(name);
  return { name, method, regex: pathPattern(path).regex };
});

/** The route a request goes to, if any. */
export function cloudRouteOf(method: string, path: string): CloudRouteName | undefined {
  return patterns.find((p) => p.method === method && p.regex.test(path))?.name;
}
