// Feedback rows and their attachments: written in one transaction, read for the account and its data export, pruned after retention.
import { createHash, randomUUID } from 'node:crypto';
import type { CloudFeedback } from '../../electron/contract/cloud';
import type { SqlDb } from '../db/sql-db';

interface FeedbackRow { id: string; account_id: string; text: string; reply_email: string | null; received_at: string; delete_after: string }
interface AttachmentRow { feedback_id: string; position: number; name: string; content_type: string; bytes: number; sha256: string; data?: Buffer }

export type FeedbackWithData = Omit<CloudFeedback, 'attachments'> & { attachments: (CloudFeedback['attachments'][number] & { base64: string })[] };

export async function insertFeedback(
  db: SqlDb,
  f: { accountId: string; text: string; replyEmail: string | null; attachments: { name: string; contentType: string; data: Buffer }[]; receivedAt: string; deleteAfter: string },
): Promise<CloudFeedback> {
  const id = randomUUID();
  await db.tx(async (tx) => {
    await tx.run('INSERT INTO feedback (id, account_id, text, reply_email, received_at, delete_after) VALUES (?, ?, ?, ?, ?, ?)',
      [id, f.accountId, f.text, f.replyEmail, f.receivedAt, f.deleteAfter]);
    for (const [i, a] of f.attachments.entries()) {
      await tx.run('INSERT INTO feedback_attachments (feedback_id, account_id, position, name, content_type, bytes, sha256, data) VALUES (?, ?, ?, ?, ?, ?, ?, ?)',
        [id, f.accountId, i, a.name, a.contentType, a.data.length, createHash('sha256').update(a.data).digest('hex'), a.data]);
    }
  });
  return (await listFeedback(db, f.accountId, id))[0]!;
}

/** An account's feedback (or the one with `id`), oldest first. */
async function read(db: SqlDb, accountId: string, withData: boolean, id?: string): Promise<FeedbackWithData[]> {
  const only = id === undefined ? '' : ' AND id = ?';
  const args = id === undefined ? [accountId] : [accountId, id];
  const rows = await db.all<FeedbackRow>(`SELECT * FROM feedback WHERE account_id = ?${only} ORDER BY received_at, id`, args);
  const atts = await db.all<AttachmentRow>(
    `SELECT feedback_id, position, name, content_type, bytes, sha256${withData ? ', data' : ''} FROM feedback_attachments WHERE account_id = ?${only.replace('id', 'feedback_id')} ORDER BY feedback_id, position`, args);
  return rows.map((r) => ({
    id: r.id, text: r.text, replyEmail: r.reply_email, receivedAt: r.received_at, deleteAfter: r.delete_after,
    attachments: atts.filter((a) => a.feedback_id === r.id).map((a) => ({
      name: a.name, contentType: a.content_type, bytes: Number(a.bytes), sha256: a.sha256, base64: a.data ? Buffer.from(a.data).toString('base64') : '',
    })),
  }));
}

export async function listFeedback(db: SqlDb, accountId: string, id?: string): Promise<CloudFeedback[]> {
  return (await read(db, accountId, false, id)).map((f) => ({ ...f, attachments: f.attachments.map(({ base64: _, ...a }) => a) }));
}

export const feedbackWithData = (db: SqlDb, accountId: string) => read(db, accountId, true);

/** Deletes an account's feedback (erasure); the number of feedback rows. */
export async function deleteFeedbackOf(db: SqlDb, accountId: string): Promise<number> {
  await db.run('DELETE FROM feedback_attachments WHERE account_id = ?', [accountId]);
  return (await db.run('DELETE FROM feedback WHERE account_id = ?', [accountId])).changes;
}

/** Deletes feedback past its retention; the number of feedback rows. */
export async function pruneFeedback(db: SqlDb, nowIso: string): Promise<number> {
  return db.tx(async (tx) => {
    await tx.run('DELETE FROM feedback_attachments WHERE feedback_id IN (SELECT id FROM feedback WHERE delete_after <= ?)', [nowIso]);
    return (await tx.run('DELETE FROM feedback WHERE delete_after <= ?', [nowIso])).changes;
  });
}
