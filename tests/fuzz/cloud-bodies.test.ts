// Fuzzing the cloud's JSON bodies: junk shaped by every route's body schema (and raw bytes that are not JSON) sent to the
// real cloud service on loopback, signed in where the route needs it. Nothing answers 5xx; every refusal is the error
// envelope, every success the route's reply; the service still answers afterwards.
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CLOUD_ROUTE_NAMES, CloudError, cloudRouteOf, cloudRouteParts, cloudRoutes } from '../../electron/contract/cloud';
import { startSmtpSink, type SmtpSink } from '../helpers/smtp-sink';
import { mailVia, signUp, startTestCloud, type TestAccount, type TestCloud } from '../integration/cloud-helpers';
import { junkFor } from './schema-junk';

let c: TestCloud;
let alice: TestAccount;
let smtp: SmtpSink;
// With a mail relay, so the mail routes run their real path (without one they answer 503 mail_unavailable, by design).
beforeAll(async () => {
  smtp = await startSmtpSink();
  c = await startTestCloud({ policyVersion: '2026-05', mail: mailVia(smtp.port) });
  alice = await signUp(c, { nickname: 'Alice' });
});
afterAll(async () => { await c.close(); await smtp.close(); });

// Erasing the account ends the run's session; everything else may take junk.
const ROUTES = CLOUD_ROUTE_NAMES.filter((r) => !/^DELETE \/v1\/account$|erase/.test(r));
const pathOf = (route: string, param: string) => cloudRouteParts(route as (typeof CLOUD_ROUTE_NAMES)[number]).path.replace(/:[a-z]+/gi, encodeURIComponent(param) || 'x');

describe('fuzzing the cloud bodies', () => {
  it('every route answers schema-shaped junk and raw bytes with its reply or the error envelope, never 5xx', async () => {
    const input = fc.constantFrom(...ROUTES).chain((route) => fc.record({
      route: fc.constant(route),
      body: junkFor(cloudRoutes[route].body),
      raw: fc.option(fc.oneof(fc.string({ maxLength: 60 }), fc.constantFrom('{', '[]', 'null', '{"a":', '\u0000')), { freq: 5 }),
      param: fc.oneof(fc.constant('1'), fc.string({ maxLength: 10 })),
      signedIn: fc.oneof({ arbitrary: fc.constant(true), weight: 4 }, { arbitrary: fc.constant(false), weight: 1 }),
    }));
    let sent = 0;
    const d = await fc.check(fc.asyncProperty(input, async ({ route, body, raw, param, signedIn }) => {
      const { method } = cloudRouteParts(route);
      const path = pathOf(route, param);
      const token = signedIn ? alice.token : undefined;
      const withBody = method !== 'GET' && method !== 'DELETE';
      const r = await c.call(method, path, raw !== null && withBody ? { token, raw, headers: { 'content-type': 'application/json' } } : { token, ...(withBody && { body }) });
      sent++;
      if (r.status >= 500) throw new Error(`${route} answered ${r.status} ${JSON.stringify(r.body)}`);
      const hit = cloudRouteOf(method, path);
      if (r.status >= 200 && r.status < 300 && hit) cloudRoutes[hit].reply.parse(r.body);
      else if (r.status >= 400) CloudError.parse(r.body);
    }), { numRuns: 3000, interruptAfterTimeLimit: 6000, markInterruptAsFailure: false });
    expect(d.failed ? `${String(d.errorInstance)} — input ${fc.stringify(d.counterexample?.[0]).slice(0, 800)}` : 'ok').toBe('ok');
    expect(sent).toBeGreaterThan(20);
    expect((await c.call('GET', '/v1/health')).status).toBe(200);
  });
});
