// Feedback: taken only from a signed-in account that pressed send (no consent purpose: it is the user's own request),
// kept for FEEDBACK_RETENTION_DAYS, listed back to its author, in the data export, erased with the account.
import { DAY_MS } from '../../electron/contract/retention';
import { FEEDBACK_ATTACHMENT_MAX_BYTES, FEEDBACK_ATTACHMENTS_MAX, FEEDBACK_RETENTION_DAYS } from '../../electron/contract/cloud';
import { isoAt } from '../domain';
import { insertFeedback, listFeedback } from '../repo/feedback';
import { serve, type RouteDef } from './route';

const MAX_BODY = Math.ceil((FEEDBACK_ATTACHMENT_MAX_BYTES * FEEDBACK_ATTACHMENTS_MAX * 4) / 3) + 64 * 1024;

export const feedbackRoutes: RouteDef[] = [
  serve('POST /v1/feedback', async (d, c) => {
    const input = await c.body();
    const at = d.clock();
    const feedback = await insertFeedback(d.db, {
      accountId: c.auth.account.id, text: input.text, replyEmail: input.replyEmail,
      attachments: input.attachments.map((a) => ({ name: a.name, contentType: a.contentType, data: Buffer.from(a.data, 'base64') })),
      receivedAt: isoAt(at), deleteAfter: isoAt(at + FEEDBACK_RETENTION_DAYS * DAY_MS),
    });
    return { status: 201, body: { feedback } };
  }, { maxBody: MAX_BODY }),
  serve('GET /v1/feedback', async (d, c) => ({ status: 200, body: { feedback: await listFeedback(d.db, c.auth.account.id) } })),
];
