import pino from 'pino';
import { describe, expect, it } from 'vitest';
import { describeZodError, Settings, StationError } from '../../electron/contract';
import { ClientSession } from '../../electron/core/client-session';
import { createDispatcher, type Handlers } from '../../electron/core/rpc';

const silent = pino({ level: 'silent' });
const settings = { ffmpegPath: null, ffprobePath: null, recordingsDir: '/tmp/rec', language: null };

function handlers(overrides: Partial<Handlers> = {}): Handlers {
  return {
    'station.status': () => { throw new Error('secret internals /home/x'); },
    'settings.get': () => settings,
    'settings.update': (p) => ({ ...settings, ...p }),
    ...overrides,
  } as Handlers;
}

describe('dispatcher (the boundary both transports share)', () => {
  const session = new ClientSession('test');
  const plain = createDispatcher(handlers(), silent);
  const dispatch = (name: unknown, input: unknown) => plain(name, input, session);

  it('returns the value in an ok envelope', async () => {
    expect(await dispatch('settings.get', {})).toEqual({ ok: true, value: settings });
  });

  it('refuses an unknown call by name', async () => {
    const r = await dispatch('station.format', {});
    expect(r).toEqual({ ok: false, error: {
      code: 'unknown_call', message: 'The station has no call named "station.format".', reason: 'station.unknownCall', params: { call: '"station.format"' },
    } });
  });

  it('names the field by its label and the problem in a sentence on bad input, with the reason for other languages', async () => {
    const r = await dispatch('settings.update', { ffmpegPath: 'relative/ffmpeg' });
    expect(r).toEqual({ ok: false, error: {
      code: 'bad_input', message: 'ffmpeg path must be an absolute path, starting with / or a drive letter.',
      reason: 'field.notAbsolutePath', params: { field: 'ffmpegPath' },
    } });
    const missing = await dispatch('channels.rename', { id: 1 });
    expect(missing).toMatchObject({ ok: false, error: { message: 'Channel name is required.', reason: 'field.required', params: { field: 'channelName' } } });
  });

  it('rejects fields the contract does not know', async () => {
    const r = await dispatch('settings.update', { ffmpegPath: null, rm: true });
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.error).toMatchObject({ message: 'The request has fields this call does not take: rm.', reason: 'input.unknownFields', params: { names: 'rm' } });
  });

  it('passes a StationError through and hides other errors behind a generic message', async () => {
    const d = createDispatcher(handlers({ 'settings.get': () => { throw new StationError('not_found', 'no settings'); } }), silent);
    expect(await d('settings.get', {}, session)).toEqual({ ok: false, error: { code: 'not_found', message: 'no settings' } });
    const r = await dispatch('station.status', {});
    expect(r).toEqual({ ok: false, error: {
      code: 'internal', message: 'station.status failed inside the station; the station log has the details.', reason: 'station.internal', params: { call: 'station.status' },
    } });
  });

  it('checks outputs against the contract too', async () => {
    const d = createDispatcher(handlers({ 'settings.get': () => ({ nope: 1 }) as never }), silent);
    const r = await d('settings.get', {}, session);
    expect(r.ok).toBe(false);
  });

  it("describes zod errors by the field's label", () => {
    const r = Settings.safeParse({ ffmpegPath: 3, ffprobePath: null, recordingsDir: '/x', language: null });
    expect(r.success).toBe(false);
    if (!r.success) expect(describeZodError(r.error, 'settings.update')).toBe('ffmpeg path has a value of the wrong kind.');
  });
});
