// Feedback to the service: sent only when the user presses send, exactly what the form showed; the ledger row names
// every part (text length, reply address, each file), and the cloud keeps it for its stated retention.
import { fail, type CallInput, type SentFeedback } from '../../contract';
import { feedbackBytesMatch, type FEEDBACK_TYPES } from '../../contract/cloud';
import type { Handlers } from '../rpc';
import type { CloudClient } from './cloud-client';

export interface FeedbackOptions {
  cloud: CloudClient;
  /** A diagnostics zip made now (the one "Create diagnostics" shows). */
  diagnostics: () => Promise<{ fileName: string; zipBase64: string }>;
}

const kB = (base64: string) => `${Math.max(1, Math.round(Buffer.byteLength(base64, 'base64') / 1024))} kB`;

export class Feedback {
  readonly handlers: Pick<Handlers, 'privacy.sendFeedback' | 'privacy.feedback'> = {
    'privacy.sendFeedback': (input) => this.send(input),
    'privacy.feedback': async () => (await this.opts.cloud.accountCall('list the feedback you sent', { method: 'GET', path: '/v1/feedback' }, 'feedback')).body.feedback.map(sent),
  };

  constructor(private readonly opts: FeedbackOptions) {}

  private async send(input: CallInput<'privacy.sendFeedback'>): Promise<SentFeedback> {
    this.opts.cloud.requireAccount();
    // Checked by their bytes here too, so a renamed file is refused before anything is sent.
    for (const s of input.screenshots ?? []) {
      if (!feedbackBytesMatch(s.contentType, s.dataBase64)) throw fail('feedback.notImage', { field: 'screenshots', name: s.name, type: s.contentType === 'image/png' ? 'PNG' : 'JPEG' });
    }
    const attachments: { name: string; contentType: (typeof FEEDBACK_TYPES)[number]; data: string }[] =
      (input.screenshots ?? []).map((s) => ({ name: s.name, contentType: s.contentType, data: s.dataBase64 }));
    if (input.diagnostics) {
      const d = await this.opts.diagnostics();
      attachments.push({ name: d.fileName, contentType: 'application/zip', data: d.zipBase64 });
    }
    const parts = [`text (${input.text.trim().length} characters)`, ...(input.replyEmail ? ['reply address'] : []), ...attachments.map((a) => `${a.name} (${kB(a.data)})`)];
    const r = await this.opts.cloud.accountCall(`send feedback: ${parts.join(', ')}`, {
      method: 'POST', path: '/v1/feedback', body: { text: input.text, replyEmail: input.replyEmail, attachments },
    }, 'feedback');
    return sent(r.body.feedback);
  }
}

function sent(f: { id: string; text: string; replyEmail: string | null; attachments: { name: string; contentType: string; bytes: number }[]; receivedAt: string; deleteAfter: string }): SentFeedback {
  return { id: f.id, text: f.text, replyEmail: f.replyEmail, attachments: f.attachments.map((a) => ({ name: a.name, contentType: a.contentType, bytes: a.bytes })), receivedAt: f.receivedAt, deleteAfter: f.deleteAfter };
}
