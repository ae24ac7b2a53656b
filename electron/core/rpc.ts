import { z } from 'zod';
import {
  calls, fail, inputError, isCallName, StationError,
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
      return { ok: false, error: fail('station.unknownCall', { call: JSON.stringify(String(name).slice(0, 100)) }).info };
    }
    const schema = calls[name];
    // reportInput tells a missing field from a wrong one; the input itself never leaves this function.
    const parsed = schema.input.safeParse(input ?? {}, { reportInput: true });
    if (!parsed.success) return { ok: false, error: inputError(parsed.error, name).info };
    try {
      const handler = handlers[name] as (i: unknown, s: ClientSession) => unknown;
      const value = (schema.output as z.ZodType).parse(await handler(parsed.data, session));
      return { ok: true, value };
    } catch (err) {
      if (err instanceof StationError) return { ok: false, error: err.info };
      logger.error({ err, call: name }, 'call failed');
      return { ok: false, error: fail('station.internal', { call: name }).info };
    }
  };
}
