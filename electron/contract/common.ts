// Building blocks shared by the contract's area files.
import { z } from 'zod';

export function call<I extends z.ZodType, O extends z.ZodType>(input: I, output: O) {
  return { input, output };
}
export const NoInput = z.object({}).strict();
