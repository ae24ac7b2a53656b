// Feedback in the cloud: screenshots and a diagnostics zip checked by their bytes, listed back with the date it will be
// deleted, in the data export, erased with the account, and pruned past its retention (moved clock).
import { zipSync } from 'fflate';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FEEDBACK_ATTACHMENT_MAX_BYTES, FEEDBACK_RETENTION_DAYS } from '../../electron/contract/cloud';
import { JPEG_BYTES, PASSWORD, PNG_1PX, signUp, startTestCloud, type TestCloud, exportOf } from './cloud-helpers';

let c: TestCloud;
beforeAll(async () => {
  c = await startTestCloud();
});
afterAll(async () => {
  await c.close();
});

const ZIP = Buffer.from(zipSync({ 'README.txt': new TextEncoder().encode('diagnostics') }));
const att = (name: string, contentType: string, data: Buffer) => ({ name, contentType, data: data.toString('base64') });

describe('feedback', () => {
  it('keeps the text, the reply address and each file with its hash, and says when it will be deleted', async () => {
    const a = await signUp(c);
    const r = await c.call('POST', '/v1/feedback', { token: a.token, body: {
      text: 'The timeline froze after midnight.', replyEmail: 'Reply.Me@Example.org',
      attachments: [att('screen.png', 'image/png', PNG_1PX), att('watchpost-diagnostics.zip', 'application/zip', ZIP)],
    } });
    expect(r.status).toBe(201);
    expect(r.body.feedback).toMatchObject({
      text: 'The timeline froze after midnight.', replyEmail: 'reply.me@example.org',
      attachments: [{ name: 'screen.png', contentType: 'image/png', bytes: PNG_1PX.length }, { name: 'watchpost-diagnostics.zip', contentType: 'application/zip', bytes: ZIP.length }],
    });
    expect(Date.parse(r.body.feedback.deleteAfter) - Date.parse(r.body.feedback.receivedAt)).toBe(FEEDBACK_RETENTION_DAYS * 86_400_000);
    expect((await c.call('GET', '/v1/feedback', { token: a.token })).body.feedback).toEqual([r.body.feedback]);

    const exported = (await exportOf(c, a.token)).body;
    expect(exported.data.feedback).toHaveLength(1);
    expect(Buffer.from(exported.data.feedback[0].attachments[0].base64, 'base64').equals(PNG_1PX)).toBe(true);
  });

  it('refuses a file whose bytes are not its type, too many or too large files, and empty text, storing nothing', async () => {
    const a = await signUp(c);
    const refused = async (body: object) => {
      const r = await c.call('POST', '/v1/feedback', { token: a.token, body: { text: 'x', replyEmail: null, attachments: [], ...body } });
      expect(r.status).toBe(400);
      return r.body.error.message as string;
    };
    expect(await refused({ attachments: [att('shot.png', 'image/png', JPEG_BYTES)] })).toBe('attachments.0.data: is not image/png');
    expect(await refused({ attachments: [att('d.zip', 'application/zip', PNG_1PX)] })).toBe('attachments.0.data: is not application/zip');
    expect(await refused({ attachments: [att('x.gif', 'image/gif', PNG_1PX)] })).toMatch(/^attachments\.0\.contentType: must be one of/);
    expect(await refused({ attachments: Array.from({ length: 4 }, (_, i) => att(`${i}.png`, 'image/png', PNG_1PX)) })).toBe('attachments: must hold at most 3 files');
    const big = Buffer.concat([PNG_1PX, Buffer.alloc(FEEDBACK_ATTACHMENT_MAX_BYTES)]);
    expect(await refused({ attachments: [att('big.png', 'image/png', big)] })).toMatch(/^attachments\.0\.data: /);
    expect(await refused({ text: '   ' })).toBe('text: is required');
    expect((await c.call('GET', '/v1/feedback', { token: a.token })).body.feedback).toEqual([]);
  });

  it('is erased with the account and pruned once past its retention, keeping younger feedback', async () => {
    const b = await signUp(c);
    const send = (token: string, text: string) => c.call('POST', '/v1/feedback', { token, body: { text, replyEmail: null, attachments: [att('s.png', 'image/png', PNG_1PX)] } });
    // Sessions expire while the clock moves: sign in again after each move.
    const signIn = async () => (await c.call('POST', '/v1/auth/login', { body: { email: b.email, password: PASSWORD } })).body.token as string;
    await send(b.token, 'old');
    c.clock.now += 100 * 86_400_000;
    await send(await signIn(), 'young');
    const a = await signUp(c);
    await send(a.token, 'mine');
    const erased = await c.call('DELETE', '/v1/account', { token: a.token, body: { password: PASSWORD } });
    expect(erased.status).toBe(200);
    expect(erased.body.receipt.deleted.feedback).toBe(1);

    c.clock.now += (FEEDBACK_RETENTION_DAYS - 100) * 86_400_000 + 1000;
    await c.cloud.prune();
    expect((await c.call('GET', '/v1/feedback', { token: await signIn() })).body.feedback.map((f: { text: string }) => f.text)).toEqual(['young']);
  });
});
