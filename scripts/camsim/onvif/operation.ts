// What an ONVIF operation is given and declares; the services' operation tables are made of these and soap-server.ts
// runs them, so the services need not import the server.
import type http from 'node:http';
import type { SimDevice } from '../device';
import type { UserLevel } from '../device-types';
import type { XmlElement } from './xml';

export interface SoapRequest {
  path: string;
  url: string;
  method: string;
  headers: http.IncomingHttpHeaders;
  clientIp: string;
}

/** Access classes of ONVIF Core §5.9.4.3; the level a user needs for an operation. */
export type Access =
  | 'PRE_AUTH'
  | 'READ_SYSTEM'
  | 'READ_SYSTEM_SENSITIVE'
  | 'READ_SYSTEM_SECRET'
  | 'READ_MEDIA'
  | 'ACTUATE'
  | 'WRITE_SYSTEM'
  | 'UNRECOVERABLE';

export interface OpContext {
  device: SimDevice;
  request: SoapRequest;
  op: XmlElement;
  user: { username: string; level: UserLevel } | undefined;
  /** Schedules work for after the reply is out. */
  after(fn: () => void): void;
}

export interface OpSpec {
  access: Access;
  handle(ctx: OpContext): string | Promise<string>;
}
