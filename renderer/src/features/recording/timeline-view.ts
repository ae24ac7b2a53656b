// The visible window of the timeline: a centre and a span, zoomed from a month down to 100 ms; its times as texts.
import { dateTimeFormat, formatDateTime } from '../../i18n/format';

export const MIN_SPAN_MS = 100;
export const MAX_SPAN_MS = 31 * 86_400_000;
/** One frame at 25 fps: the finest step of the keys, and the scale at which ticks count frames. */
export const FRAME_MS = 40;

export interface TimelineView { from: number; to: number }

/** Zoomed around `at`, which keeps its place on screen; an `at` outside the view counts as the nearest edge. */
export function zoom(v: TimelineView, factor: number, at: number): TimelineView {
  const span = Math.min(MAX_SPAN_MS, Math.max(MIN_SPAN_MS, (v.to - v.from) * factor));
  const a = Math.min(v.to, Math.max(v.from, at));
  const frac = (a - v.from) / (v.to - v.from);
  const from = a - span * frac;
  return { from, to: from + span };
}

export function pan(v: TimelineView, deltaMs: number): TimelineView {
  return { from: v.from + deltaMs, to: v.to + deltaMs };
}

export function centredOn(t: number, span: number): TimelineView {
  return { from: t - span / 2, to: t + span / 2 };
}

/** Share of the view that may lie after now: the archive ends at now, so the timeline does too (with a sliver of margin). */
const FUTURE_MARGIN = 0.02;

/** The view moved back, keeping its span, so that it does not run past now. */
export function notPastNow(v: TimelineView, now: number): TimelineView {
  const span = v.to - v.from;
  const maxTo = now + span * FUTURE_MARGIN;
  return v.to > maxTo ? { from: maxTo - span, to: maxTo } : v;
}

/** A selection cut at now (undefined when it lies wholly in the future). */
export function selectionUntilNow(sel: { from: number; to: number }, now: number): { from: number; to: number } | undefined {
  return sel.from >= now ? undefined : { from: sel.from, to: Math.min(sel.to, now) };
}

/** The parts of an instant on the station's clock (24-hour, two digits each). */
function clockParts(t: number, withMs = false): Record<string, string> {
  const f = dateTimeFormat({ year: 'numeric', month: '2-digit', day: '2-digit', hour: '2-digit', minute: '2-digit', second: '2-digit', hourCycle: 'h23', ...(withMs ? { fractionalSecondDigits: 3 } : {}) });
  return Object.fromEntries(f.formatToParts(t).map((p) => [p.type, p.value]));
}

/** The playhead's clock on the station's time: yyyy-mm-dd hh:mm:ss(.mmm), the same in every language (digits only). */
export function clockText(t: number, withMs = false): string {
  const p = clockParts(t, withMs);
  return `${p.year}-${p.month}-${p.day} ${p.hour}:${p.minute}:${p.second}${withMs ? `.${p.fractionalSecond}` : ''}`;
}

/** An instant as the language writes it (date and time to the second). */
export const instantText = (t: number): string => formatDateTime(t);

/** A range as the language writes it, the date once when both ends share it; `timesOnly`: no date when both ends fall on one day. */
export const rangeText = (from: number, to: number, timesOnly = false): string =>
  dateTimeFormat(timesOnly ? { timeStyle: 'medium' } : { dateStyle: 'medium', timeStyle: 'medium' }).formatRange(from, Math.max(from, to));

/** Tick spacings, frames to a week; each a whole number of the next coarser unit's parts. */
const STEPS = [FRAME_MS, 2 * FRAME_MS, 200, 500, ...[1, 5, 10, 30, 60, 300, 600, 1800, 3600, 3 * 3600, 6 * 3600, 12 * 3600, 86400, 2 * 86400, 7 * 86400].map((s) => s * 1000)];

/** Tick spacing that gives roughly one label per 100 px. */
export function tickStep(spanMs: number, widthPx: number): number {
  const want = (spanMs / Math.max(1, widthPx)) * 100;
  return STEPS.find((s) => s >= want) ?? STEPS[STEPS.length - 1]!;
}

/**
 * A tick's label in the language, fitting its scale: the day when ticks are a day or more apart or at midnight, hours and
 * minutes, seconds below a minute, and below a second the seconds with milliseconds (each frame at the finest scale).
 */
export function tickLabel(t: number, step: number): string {
  const p = clockParts(t, step < 1000);
  if (step >= 86_400_000 || (step >= 1000 && p.hour === '00' && p.minute === '00' && p.second === '00')) return dateTimeFormat({ month: '2-digit', day: '2-digit' }).format(t);
  if (step < 1000) return `${p.minute}:${p.second}.${p.fractionalSecond}`;
  return dateTimeFormat(step < 60_000 ? { hour: '2-digit', minute: '2-digit', second: '2-digit' } : { hour: '2-digit', minute: '2-digit' }).format(t);
}

/** Wheel or pinch (a wheel with Ctrl in Chromium) as a zoom factor: in proportion to the distance, so a trackpad zooms smoothly. */
export function wheelFactor(deltaY: number, deltaMode: number, pinch: boolean): number {
  const px = deltaMode === 1 ? deltaY * 16 : deltaMode === 2 ? deltaY * 400 : deltaY;
  const k = pinch ? 0.01 : 0.002;
  return Math.exp(Math.max(-200, Math.min(200, px)) * k);
}

/** An instant moved to the start of the frame it falls in (frames counted from the epoch at 25 fps). */
export const frameOf = (t: number): number => Math.floor(t / FRAME_MS) * FRAME_MS;
