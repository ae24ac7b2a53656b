// Feedback: what the user writes to the service, with screenshots or a diagnostics zip, sent only when they press send.
import { z } from 'zod';
import { CLOUD_RETENTION_DAYS } from '../retention';
import { JPEG_MAGIC, NoBody, PNG_MAGIC, base64Bytes, base64Head, base64Of, email, iso, onceValid, route } from './common';

export const FEEDBACK_TEXT_MAX = 5000;
export const FEEDBACK_ATTACHMENTS_MAX = 3;
/** One screenshot or diagnostics zip. */
export const FEEDBACK_ATTACHMENT_MAX_BYTES = 5 * 1024 * 1024;
/** How long the cloud keeps feedback after it arrived; then it is deleted. */
export const FEEDBACK_RETENTION_DAYS = CLOUD_RETENTION_DAYS.feedback;
export const FEEDBACK_TYPES = ['image/png', 'image/jpeg', 'application/zip'] as const;
const ZIP_MAGIC = 'PK\x03\x04';
const MAGIC: Record<(typeof FEEDBACK_TYPES)[number], string> = { 'image/png': PNG_MAGIC, 'image/jpeg': JPEG_MAGIC, 'application/zip': ZIP_MAGIC };

/** Whether the bytes (base64) are what the type says; checked by both sides. */
export function feedbackBytesMatch(contentType: (typeof FEEDBACK_TYPES)[number], base64: string): boolean {
  return base64Head(base64, MAGIC[contentType].length) === MAGIC[contentType];
}

const Attachment = z.strictObject({
  name: z.string().trim().min(1, 'is required').max(200, 'must be at most 200 characters').regex(/^[^\/\\\u0000-\u001f]+$/, 'must be a file name without slashes'),
  contentType: z.enum(FEEDBACK_TYPES, { error: `must be one of ${FEEDBACK_TYPES.join(', ')}` }),
  data: base64Of(FEEDBACK_ATTACHMENT_MAX_BYTES),
}).superRefine((a, ctx) => {
  const bytes = base64Bytes(a.data);
  if (bytes === 0) ctx.addIssue({ code: 'custom', path: ['data'], message: 'must not be empty' });
  else if (bytes > FEEDBACK_ATTACHMENT_MAX_BYTES) ctx.addIssue({ code: 'custom', path: ['data'], message: `must decode to at most ${FEEDBACK_ATTACHMENT_MAX_BYTES} bytes` });
  else if (!feedbackBytesMatch(a.contentType, a.data)) ctx.addIssue({ code: 'custom', path: ['data'], message: `is not ${a.contentType}` });
}, onceValid);

export const FeedbackBody = z.strictObject({
  text: z.string().trim().min(1, 'is required').max(FEEDBACK_TEXT_MAX, `must be at most ${FEEDBACK_TEXT_MAX} characters`),
  replyEmail: email.nullable(),
  attachments: z.array(Attachment).max(FEEDBACK_ATTACHMENTS_MAX, `must hold at most ${FEEDBACK_ATTACHMENTS_MAX} files`),
});

export const CloudFeedback = z.strictObject({
  id: z.string(),
  text: z.string(),
  replyEmail: z.string().nullable(),
  attachments: z.array(z.strictObject({ name: z.string(), contentType: z.string(), bytes: z.number(), sha256: z.string() })),
  receivedAt: iso,
  /** When the cloud deletes it (FEEDBACK_RETENTION_DAYS after it arrived). */
  deleteAfter: iso,
});
export type CloudFeedback = z.infer<typeof CloudFeedback>;

export const feedbackRoutes = {
  'POST /v1/feedback': route(201, FeedbackBody, z.strictObject({ feedback: CloudFeedback })),
  'GET /v1/feedback': route(200, NoBody, z.strictObject({ feedback: z.array(CloudFeedback) })),
} as const;
