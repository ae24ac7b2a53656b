// Privacy for the people on camera (issue 15): privacy masks per channel, and redacted exports ("Export for disclosure")
// tied to the signed original they were made from.
import { z } from 'zod';
import { call, NoInput, needs } from './common';

export const MASK_KINDS = ['permanent', 'liftable'] as const;
export type MaskKind = (typeof MASK_KINDS)[number];
export const MAX_MASKS = 8;
export const MAX_MASK_POINTS = 64;
/** The opaque colour masks are drawn and burnt in with (the same everywhere, so a test can find it). */
export const MASK_RGB = [58, 63, 68] as const;
export const MASK_COLOR = `#${MASK_RGB.map((c) => c.toString(16).padStart(2, '0')).join('')}`;

/** A point in normalized picture coordinates: 0..1 across and down, so a mask follows the stream and its resolution. */
export const MaskPoint = z.object({ x: z.number(), y: z.number() }).strict();
export type MaskPoint = z.infer<typeof MaskPoint>;

function cross(o: MaskPoint, a: MaskPoint, b: MaskPoint): number {
  return (a.x - o.x) * (b.y - o.y) - (a.y - o.y) * (b.x - o.x);
}
function segmentsCross(p1: MaskPoint, p2: MaskPoint, q1: MaskPoint, q2: MaskPoint): boolean {
  const d1 = cross(q1, q2, p1), d2 = cross(q1, q2, p2), d3 = cross(p1, p2, q1), d4 = cross(p1, p2, q2);
  if (((d1 > 0 && d2 < 0) || (d1 < 0 && d2 > 0)) && ((d3 > 0 && d4 < 0) || (d3 < 0 && d4 > 0))) return true;
  const on = (a: MaskPoint, b: MaskPoint, c: MaskPoint, d: number) =>
    d === 0 && Math.min(a.x, b.x) <= c.x && c.x <= Math.max(a.x, b.x) && Math.min(a.y, b.y) <= c.y && c.y <= Math.max(a.y, b.y);
  return on(q1, q2, p1, d1) || on(q1, q2, p2, d2) || on(p1, p2, q1, d3) || on(p1, p2, q2, d4);
}

/** Whether two edges of the closed outline cross or touch (neighbouring edges share their corner only). */
export function polygonSelfIntersects(points: readonly MaskPoint[]): boolean {
  const n = points.length;
  for (let i = 0; i < n; i++) {
    for (let j = i + 1; j < n; j++) {
      if (j === i + 1 || (i === 0 && j === n - 1)) {
        // Neighbours: only a fold back along the same line counts.
        const [a, b, c] = j === i + 1 ? [points[i]!, points[j]!, points[(j + 1) % n]!] : [points[j]!, points[0]!, points[1]!];
        if (cross(a, b, c) === 0 && (c.x - b.x) * (a.x - b.x) + (c.y - b.y) * (a.y - b.y) > 0) return true;
        continue;
      }
      if (segmentsCross(points[i]!, points[(i + 1) % n]!, points[j]!, points[(j + 1) % n]!)) return true;
    }
  }
  return false;
}

/** A mask as drawn: refused with the mask's name when a point lies outside the picture or its outline crosses itself. */
export const MaskDraft = z.object({
  name: z.string().trim().min(1).max(64),
  kind: z.enum(MASK_KINDS),
  points: z.array(MaskPoint).min(3).max(MAX_MASK_POINTS),
}).strict().superRefine((m, ctx) => {
  if (m.points.some((p) => !(p.x >= 0 && p.x <= 1 && p.y >= 0 && p.y <= 1))) {
    ctx.addIssue({ code: 'custom', path: ['points'], message: 'mask.outside', params: { name: m.name } });
  } else if (m.points.length >= 3 && polygonSelfIntersects(m.points)) {
    ctx.addIssue({ code: 'custom', path: ['points'], message: 'mask.selfIntersecting', params: { name: m.name } });
  }
});
export type MaskDraft = z.infer<typeof MaskDraft>;

export const PrivacyMask = z.object({
  id: z.number().int().positive(),
  channelId: z.number().int().positive(),
  name: z.string(),
  kind: z.enum(MASK_KINDS),
  points: z.array(MaskPoint),
  /** Lifted for this session (a liftable mask, by a user with the right, with a reason). */
  lifted: z.boolean(),
});
export type PrivacyMask = z.infer<typeof PrivacyMask>;

// ---- redacted export ----

export const REDACTION_EFFECTS = ['blur', 'pixelate'] as const;
export const REDACTION_QUALITIES = ['high', 'medium', 'low'] as const;
/** libx264 CRF of each quality. */
export const REDACTION_CRF = { high: 20, medium: 24, low: 29 } as const;

const unit = z.number().min(0).max(1);
/** A redaction box at one instant (normalized picture coordinates); between keys it moves linearly. */
export const RedactionKey = z.object({ at: z.number().int().nonnegative(), x: unit, y: unit, w: unit, h: unit }).strict();
export type RedactionKey = z.infer<typeof RedactionKey>;
export const RedactionBox = z.object({
  /** Everything except this region (to keep only the requester). */
  inverted: z.boolean(),
  keys: z.array(RedactionKey).min(1).max(100),
}).strict();
export type RedactionBox = z.infer<typeof RedactionBox>;
export const RedactionSettings = z.object({
  effect: z.enum(REDACTION_EFFECTS),
  quality: z.enum(REDACTION_QUALITIES),
  audio: z.boolean(),
  /** Blur faces found by the face detector too. */
  faces: z.boolean(),
}).strict();
export type RedactionSettings = z.infer<typeof RedactionSettings>;

export const REDACTION_STATES = ['running', 'done', 'failed', 'cancelled'] as const;
export const RedactedExport = z.object({
  exportId: z.number().int().positive(),
  channelId: z.number().int().positive(),
  from: z.number(),
  to: z.number(),
  createdAt: z.number(),
  state: z.enum(REDACTION_STATES),
  /** The folder holding `redacted/` and the signed `original/` it came from. */
  folder: z.string(),
  /** The evidence lock on the original range (null once released). */
  lockId: z.number().int().nullable(),
  error: z.string().nullable(),
});
export type RedactedExport = z.infer<typeof RedactedExport>;
export const RedactionProgress = z.object({
  exportId: z.number().int().positive(),
  state: z.enum(REDACTION_STATES),
  /** 0..1 */
  done: z.number(),
  error: z.string().optional(),
});
export type RedactionProgress = z.infer<typeof RedactionProgress>;

const channelId = z.number().int().positive();
const epochMs = z.number().int().nonnegative();
const job = { channelId, boxes: z.array(RedactionBox).max(32), settings: RedactionSettings };

export const redactionCalls = {
  /** Every channel's masks, each marked lifted or not for this session. */
  'masks.list': call(needs.signIn, NoInput, z.array(PrivacyMask)),
  /** A channel's masks replaced by these (at most 8). */
  'masks.save': call(needs.station('privacyMasks'), z.object({ channelId, masks: z.array(MaskDraft).max(MAX_MASKS) }).strict(), z.array(PrivacyMask)),
  /** A liftable mask lifted for this session; the reason goes to the operation log. */
  'masks.lift': call(needs.channel('liftMask', 'channelId'), z.object({ channelId, id: z.number().int().positive(), reason: z.string().trim().min(3).max(500) }).strict(), z.array(PrivacyMask)),
  'masks.restore': call(needs.signIn, z.object({ channelId, id: z.number().int().positive() }).strict(), z.array(PrivacyMask)),
  /** Redacted stills at chosen instants, rendered by the export's own filter. */
  'redaction.preview': call(needs.channel('export', 'channelId'),
    z.object({ ...job, at: z.array(epochMs).min(1).max(6) }).strict(),
    z.object({ frames: z.array(z.object({ at: z.number(), jpegBase64: z.string() })) }),
  ),
  'redaction.start': call(needs.channel('export', 'channelId'),
    z.object({ ...job, from: epochMs, to: epochMs }).strict().refine((r) => r.to > r.from, 'input.endBeforeStart'),
    z.object({ exportId: z.number().int().positive(), folder: z.string() }),
  ),
  'redaction.cancel': call(needs.item('export', 'redaction', 'exportId'), z.object({ exportId: z.number().int().positive() }).strict(), z.object({})),
  'redaction.list': call(needs.channelList('export', 'channelId'), NoInput, z.array(RedactedExport)),
} as const;

export const redactionSignals = {
  'masks.changed': z.object({ channelId }),
  'redaction.progress': RedactionProgress,
} as const;
