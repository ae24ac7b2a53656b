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

/** A call let through: its parsed input checked, its output cut to what the caller may see, its result reported (the operation log). */
export interface Admitted {
  check?(input: unknown): StationError | null;
  filter?(value: unknown): unknown;
  done(result: Result<unknown>): void;
}
/** Rights (auth/): each call's declared access checked before its handler runs; a refusal is a StationError. */
export interface CallGuard {
  admit(name: CallName, session: ClientSession): Admitted | StationError;
}

/** The boundary both transports share: name checked, input parsed, rights checked, errors enveloped, output typed. */
export function createDispatcher(handlers: Handlers, logger: Logger, guard?: CallGuard): Dispatch {
  return async (name, input, session) => {
    if (!isCallName(name)) {
      return { ok: false, error: fail('station.unknownCall', { call: JSON.stringify(String(name).slice(0, 100)) }).info };
    }
    const schema = calls[name];
    // Who may call at all, before the input is even read; then the channels the input names, once parsed.
    const admitted = guard?.admit(name, session);
    if (admitted instanceof StationError) return { ok: false, error: admitted.info };
    // reportInput tells a missing field from a wrong one; the input itself never leaves this function.
    const parsed = schema.input.safeParse(input ?? {}, { reportInput: true });
    if (!parsed.success) return { ok: false, error: inputError(parsed.error, name).info };
    const refused = admitted?.check?.(parsed.data);
    if (refused) return { ok: false, error: refused.info };
    let result: Result<unknown>;
    try {
      const handler = handlers[name] as (i: unknown, s: ClientSession) => unknown;
      const value = (schema.output as z.ZodType).parse(await handler(parsed.data, session));
      result = { ok: true, value: admitted?.filter ? admitted.filter(value) : value };
    } catch (err) {
      if (err instanceof StationError) result = { ok: false, error: err.info };
      else {
        logger.error({ err, call: name }, 'call failed');
        result = { ok: false, error: fail('station.internal', { call: name }).info };
      }
    }
    admitted?.done(result);
    return result;
  };
}
