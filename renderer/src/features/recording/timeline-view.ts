// The visible window of the timeline: a centre and a span, zoomed from 7 days down to 1 minute.

export const MIN_SPAN_MS = 60_000;
export const MAX_SPAN_MS = 7 * 86_400_000;

export interface TimelineView { from: number; to: number }

export function zoom(v: TimelineView, factor: number, at: number): TimelineView {
  const span = Math.min(MAX_SPAN_MS, Math.max(MIN_SPAN_MS, (v.to - v.from) * factor));
  const frac = (at - v.from) / (v.to - v.from);
  const from = at - span * frac;
  return { from, to: from + span };
}

export function pan(v: TimelineView, deltaMs: number): TimelineView {
  return { from: v.from + deltaMs, to: v.to + deltaMs };
}

export function centredOn(t: number, span: number): TimelineView {
  return { from: t - span / 2, to: t + span / 2 };
}

const pad = (n: number, w = 2) => String(n).padStart(w, '0');

export function clockText(t: number, withMs = false): string {
  const d = new Date(t);
  return `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())} ${pad(d.getHours())}:${pad(d.getMinutes())}:${pad(d.getSeconds())}${withMs ? `.${pad(d.getMilliseconds(), 3)}` : ''}`;
}

/** Tick spacing that gives roughly one label per 100 px. */
export function tickStep(spanMs: number, widthPx: number): number {
  const steps = [1, 5, 10, 30, 60, 300, 600, 1800, 3600, 3 * 3600, 6 * 3600, 12 * 3600, 86400].map((s) => s * 1000);
  const want = (spanMs / Math.max(1, widthPx)) * 100;
  return steps.find((s) => s >= want) ?? 86_400_000;
}

export function tickLabel(t: number, step: number): string {
  const d = new Date(t);
  if (step >= 86_400_000) return `${pad(d.getMonth() + 1)}-${pad(d.getDate())}`;
  if (d.getHours() === 0 && d.getMinutes() === 0 && d.getSeconds() === 0) return `${pad(d.getMonth() + 1)}-${pad(d.getDate())}`;
  return step < 60_000 ? `${pad(d.getHours())}:${pad(d.getMinutes())}:${pad(d.getSeconds())}` : `${pad(d.getHours())}:${pad(d.getMinutes())}`;
}
