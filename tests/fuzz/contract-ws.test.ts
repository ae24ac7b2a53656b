// Fuzzing the contract over the real WebSocket: junk shaped by each call's input schema goes through the loopback server
// and the one dispatcher of a real station (temp data folder). Every call is answered with a well-formed envelope, none
// with station.internal (a handler that threw something other than a refusal), none hangs, and junk frames close only
// their own connection.
import fc from 'fast-check';
import WebSocket from 'ws';
import { describe, expect, it } from 'vitest';
import { calls, type CallName } from '../../electron/contract';
import { originOf, signInAsTestAdmin } from '../helpers/auth';
import { fileScope } from '../helpers/fixtures';
import { serveStation, servedStationDir } from '../helpers/in-process-station';
import { junkFor } from './schema-junk';

const scope = fileScope();
// Junk passwords for the signed-in administrator (auth.unlock, auth.changePassword) must not lock their name out.
const served = scope.add(await serveStation(servedStationDir(scope, 'wp-fuzz-ws-'), { auth: { throttle: { perUser: 1e6, perAddress: 1e6, windowMs: 1, lockMs: 1 } } }));

/**
 * Calls whose valid inputs reach outside the test's temp folder or loopback (folders and paths, devices and RTSP URLs on
 * the LAN, the cloud, multicast scans, the whole settings): fuzzed with inputs of the wrong type only, which no schema
 * passes. Everything else gets schema-shaped junk too.
 */
const REACHES_OUT = /^(devices\.|channels\.addRtsp|settings\.update|archive\.(setFolder|openFolder|move)|export\.(start|verify)|privacy\.(storeFile|erase|signUp|logIn|export|checkCloud|syncNow|setConsent|forgotPassword|resetPassword|verifyEmail|resendVerification)|eventSources\.add|recording\.setArchive)/;
const NAMES = Object.keys(calls) as CallName[];

interface Connection { ws: WebSocket; call(name: unknown, input: unknown): Promise<{ result: any; ms: number }>; signIn(): Promise<unknown> }

/** A connection signed in as the test administrator (signIn again after junk that may have ended or locked that sign-in). */
async function connect(): Promise<Connection> {
  const ws = new WebSocket(`ws://127.0.0.1:${served.server.port}/ws?token=${served.server.token}`);
  await new Promise((res, rej) => { ws.once('open', res); ws.once('error', rej); });
  let next = 1;
  const pending = new Map<number, (r: unknown) => void>();
  ws.on('message', (d, binary) => {
    if (binary) return;
    const f = JSON.parse(d.toString()) as { t: string; id: number; result: unknown };
    if (f.t === 'result') pending.get(f.id)?.(f.result);
  });
  const c: Connection = {
    ws,
    call(name, input) {
      const id = next++;
      const t0 = performance.now();
      return new Promise((res, rej) => {
        const timer = setTimeout(() => rej(new Error(`${String(name)} not answered in 10 s`)), 10_000);
        pending.set(id, (result) => { clearTimeout(timer); pending.delete(id); res({ result, ms: performance.now() - t0 }); });
        ws.send(JSON.stringify({ t: 'call', id, name, input }));
      });
    },
    signIn: () => signInAsTestAdmin(originOf(served.server), async (name, input) => (await c.call(name, input)).result),
  };
  await c.signIn();
  return c;
}

const wrongType = fc.oneof(fc.integer(), fc.string({ maxLength: 20 }), fc.boolean(), fc.array(fc.jsonValue({ maxDepth: 1 }), { maxLength: 3 }));

describe('fuzzing the contract over the WebSocket', () => {
  it('every call answers schema-shaped junk with an envelope, never station.internal, never hanging', async () => {
    const c = await connect();
    let slowest = 0;
    let accepted = 0;
    let slowestName = '';
    const seen = new Map<string, number>();
    const input = fc.constantFrom(...NAMES).chain((name) => fc.tuple(fc.constant(name), REACHES_OUT.test(name) ? wrongType : junkFor(calls[name].input)))
      // The signed-in administrator (user 1) is not given a junk password or role: the fuzz goes on as them.
      .map(([name, value]) => [name, name.startsWith('users.') && (value as { id?: unknown } | null)?.id === 1 ? { ...(value as object), id: 999 } : value] as const);
    const d = await fc.check(fc.asyncProperty(input, async ([name, value]) => {
      const { result, ms } = await c.call(name, value);
      if (ms > slowest) { slowest = ms; slowestName = name; }
      seen.set(name, (seen.get(name) ?? 0) + 1);
      if (result?.ok) accepted++;
      if (typeof result?.ok !== 'boolean') throw new Error(`${name}: not an envelope: ${JSON.stringify(result)}`);
      if (!result.ok && (typeof result.error?.code !== 'string' || typeof result.error?.message !== 'string')) throw new Error(`${name}: bad refusal ${JSON.stringify(result)}`);
      if (!result.ok && result.error.code === 'station.internal') throw new Error(`${name} failed inside on ${JSON.stringify(value)?.slice(0, 500)}`);
      // Junk that signed out, locked the screen or reset the administrator's password: sign in again and go on.
      if (/^(auth|users)\./.test(name)) await c.signIn();
    }), { numRuns: 5000, interruptAfterTimeLimit: 8000, markInterruptAsFailure: false });
    expect(d.failed ? `${String(d.errorInstance)} — input ${fc.stringify(d.counterexample?.[0]).slice(0, 800)}` : 'ok').toBe('ok');
    expect(d.numRuns).toBeGreaterThan(50);
    // Some junk passes the schemas and reaches the handlers (else only the dispatcher's refusals were fuzzed).
    expect(accepted).toBeGreaterThan(0);
    console.info(`contract fuzz: ${d.numRuns} calls over ${seen.size} of ${NAMES.length} call names, ${accepted} accepted, slowest ${slowestName} ${slowest.toFixed(0)} ms`);
    expect(c.ws.readyState).toBe(WebSocket.OPEN);
    // The station still answers as before.
    expect((await c.call('station.status', {})).result.ok).toBe(true);
    c.ws.close();
  });

  it('unknown names and junk frames: refused or that connection closed, and the station serves the next one', async () => {
    const named = await connect();
    const d1 = await fc.check(fc.asyncProperty(fc.oneof(fc.string({ maxLength: 100 }), fc.constantFrom('__proto__', 'constructor', 'toString', 'live.open.x', 'LIVE.OPEN')), async (name) => {
      const { result } = await named.call(name, {});
      if (result?.ok !== false || typeof result.error?.code !== 'string') throw new Error(`unknown name ${JSON.stringify(name)} answered ${JSON.stringify(result)}`);
    }), { numRuns: 300, interruptAfterTimeLimit: 3000, markInterruptAsFailure: false });
    expect(d1.failed ? `${String(d1.errorInstance)} ${fc.stringify(d1.counterexample)}` : 'ok').toBe('ok');
    named.ws.close();

    const frames = fc.oneof(fc.string({ maxLength: 100 }), fc.jsonValue().map((v) => JSON.stringify(v) ?? ''),
      fc.record({ t: fc.constantFrom('call', 'x'), id: fc.jsonValue(), name: fc.jsonValue(), input: fc.jsonValue() }, { requiredKeys: [] }).map((v) => JSON.stringify(v)));
    const d2 = await fc.check(fc.asyncProperty(frames, async (frame) => {
      const c = await connect();
      const outcome = await new Promise<string>((res) => {
        const timer = setTimeout(() => res('silent'), 300);
        c.ws.once('close', (code) => { clearTimeout(timer); res(`closed ${code}`); });
        c.ws.once('message', () => { clearTimeout(timer); res('answered'); });
        c.ws.send(frame);
      });
      c.ws.close();
      if (outcome.startsWith('closed') && outcome !== 'closed 1007') throw new Error(`frame ${JSON.stringify(frame)}: ${outcome}`);
    }), { numRuns: 200, interruptAfterTimeLimit: 3000, markInterruptAsFailure: false });
    expect(d2.failed ? `${String(d2.errorInstance)} ${fc.stringify(d2.counterexample)}` : 'ok').toBe('ok');
    const after = await connect();
    expect((await after.call('station.status', {})).result.ok).toBe(true);
    after.ws.close();
  });
});
