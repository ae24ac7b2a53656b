// The page's requests to the desktop shell (displays, pop-outs, start at login): name and input checked, result envelope.
import type { WebContents } from 'electron';
import { z } from 'zod';
import { describeZodError, type DesktopRequests, type Result, type WindowShot } from '../contract';
import { LayoutId } from './window-set';

const inputs = {
  displays: z.object({}).strict(),
  popOut: z.object({ layoutId: LayoutId, displayId: z.number().int().nullable() }).strict(),
  openAtLogin: z.object({}).strict(),
  setOpenAtLogin: z.object({ open: z.boolean() }).strict(),
  captureWindow: z.object({}).strict(),
} satisfies Record<keyof DesktopRequests, z.ZodType>;

/** Each request's handler, given its checked input and the page that asked (the IPC event's sender). */
export type DesktopHandlers = { [K in keyof DesktopRequests]: (input: DesktopRequests[K]['input'], sender: WebContents) => DesktopRequests[K]['output'] | Promise<DesktopRequests[K]['output']> };

/** One request by name: unknown names and bad input are refused with the field and the problem. */
export async function handleDesktopRequest(handlers: DesktopHandlers, name: unknown, input: unknown, sender?: WebContents): Promise<Result<unknown>> {
  if (typeof name !== 'string' || !Object.hasOwn(inputs, name)) {
    return { ok: false, error: { code: 'unknown_call', message: `unknown desktop request "${String(name).slice(0, 40)}"` } };
  }
  const key = name as keyof DesktopRequests;
  const parsed = inputs[key].safeParse(input ?? {});
  if (!parsed.success) return { ok: false, error: { code: 'bad_input', message: describeZodError(parsed.error, key) } };
  try {
    return { ok: true, value: await (handlers[key] as (i: unknown, s?: WebContents) => unknown)(parsed.data, sender) };
  } catch (err) {
    return { ok: false, error: { code: 'unavailable', message: (err as Error).message } };
  }
}

/** A window's PNG as the feedback form takes it, named after the local time it was taken (watchpost-20261202-1405.png). */
export function windowShot(png: Buffer, at: Date): WindowShot {
  if (png.length === 0) throw new Error('the window could not be captured (it is hidden or minimised)');
  const two = (n: number) => String(n).padStart(2, '0');
  const stamp = `${at.getFullYear()}${two(at.getMonth() + 1)}${two(at.getDate())}-${two(at.getHours())}${two(at.getMinutes())}${two(at.getSeconds())}`;
  return { name: `watchpost-${stamp}.png`, contentType: 'image/png', dataBase64: png.toString('base64'), bytes: png.length };
}
