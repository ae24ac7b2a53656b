import { z } from 'zod';
import {
  calls, describeZodError, isCallName, StationError,
  type CallName, type CallOutput, type Result,
} from '../contract';
import type { ClientSession } from './client-session';
import type { Logger } from './log';

export type Handlers = {
  [K in CallName]: (input: z.output<(typeof calls)[K]['input']>, session: ClientSession) => Promise<CallOutput<K>> | CallOutput<K>;
};
export type Dispatch = (name: unknown, input: unknown, session: ClientSession) => Promise<Result<unknown>>;

/** The boundary both transports share: name checked, input parsed, errors enveloped, output typed. */
export function createDispatcher(handlers: Handlers, logger: Logger): Dispatch {
  return async (name, input, session) => {
    if (!isCallName(name)) {
      return { ok: false, error: { code: 'unknown_call', message: `unknown call ${JSON.stringify(String(name).slice(0, 100))}` } };
    }
    const schema = calls[name];
    const parsed = schema.input.safeParse(input ?? {});
    if (!parsed.success) return { ok: false, error: { code: 'bad_input', message: describeZodError(parsed.error) } };
    try {
      const handler = handlers[name] as (i: unknown, s: ClientSession) => unknown;
      const value = (schema.output as z.ZodType).parse(await handler(parsed.data, session));
      return { ok: true, value };
    } catch (err) {
      if (err instanceof StationError) return { ok: false, error: { code: err.code, message: err.message } };
      logger.error({ err, call: name }, 'call failed');
      return { ok: false, error: { code: 'internal', message: `${name} failed inside the station; see the log` } };
    }
  };
}
