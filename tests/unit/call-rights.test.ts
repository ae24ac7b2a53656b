// Every contract call declares the right it needs beside its schemas, and the declaration fits the schemas: a channel field
// the input has, a list key the output's items have. The check itself (auth/access.ts) on a few grants.
import { describe, expect, it } from 'vitest';
import type { z } from 'zod';
import { calls, CALL_NAMES, CHANNEL_RIGHTS, RIGHTS, SIGNAL_NAMES, signals, STATION_RIGHTS, StationError, type Right } from '../../electron/contract';
import { SIGNAL_ACCESS } from '../../electron/contract/signal-access';
import { channelsNamed, filterList, refusal, type Grant } from '../../electron/core/auth/access';

type Def = { type: string; shape?: Record<string, z.ZodType>; innerType?: z.ZodType; in?: z.ZodType; element?: z.ZodType; options?: z.ZodType[] };
const def = (s: z.ZodType) => (s as unknown as { _zod: { def: Def } })._zod.def;
/** The object shapes a schema can be (through optional, pipes, unions). */
function shapes(s: z.ZodType): Record<string, z.ZodType>[] {
  const d = def(s);
  switch (d.type) {
    case 'object': return [d.shape!];
    case 'optional': case 'nullable': case 'default': case 'readonly': return shapes(d.innerType!);
    case 'pipe': return shapes(d.in!);
    case 'union': return d.options!.flatMap(shapes);
    default: return [];
  }
}
const itemsOf = (s: z.ZodType): z.ZodType | undefined => {
  const d = def(s);
  return d.type === 'array' ? d.element : undefined;
};

describe('every call declares its right', () => {
  it('has an access declaration of a known kind and right', () => {
    const missing = CALL_NAMES.filter((n) => !calls[n].access);
    expect(missing).toEqual([]);
    for (const n of CALL_NAMES) {
      const a = calls[n].access;
      expect(['public', 'signedIn', 'station', 'channel'], n).toContain(a.kind);
      if (a.kind === 'station') expect(STATION_RIGHTS, n).toContain(a.right);
      if (a.kind === 'channel') expect(CHANNEL_RIGHTS, n).toContain(a.right);
    }
  });

  it('only the sign-in calls are open before sign-in', () => {
    const open = CALL_NAMES.filter((n) => calls[n].access.kind === 'public');
    expect(open.every((n) => n.startsWith('auth.')), open.join()).toBe(true);
  });

  it('names channel fields the input has, and list keys the output items have', () => {
    for (const n of CALL_NAMES) {
      const a = calls[n].access;
      if (a.kind !== 'channel') continue;
      if (a.from) expect(shapes(calls[n].input).some((s) => a.from! in s), `${n}: input has no ${a.from}`).toBe(true);
      if (a.list) {
        const out = a.list.field ? shapes(calls[n].output).map((s) => s[a.list!.field!]).find(Boolean) : calls[n].output;
        const item = out && itemsOf(out);
        expect(item && shapes(item).some((s) => a.list!.key in s), `${n}: output items have no ${a.list.key}`).toBe(true);
      }
    }
  });

  it('names item fields the input has', () => {
    for (const n of CALL_NAMES) {
      const a = calls[n].access;
      if ((a.kind === 'channel' || a.kind === 'station') && a.item) expect(shapes(calls[n].input).some((s) => a.item!.field in s), `${n}: input has no ${a.item.field}`).toBe(true);
    }
  });

  it('every signal declares who may be sent it, naming fields its payload has', () => {
    expect(SIGNAL_NAMES.filter((n) => !SIGNAL_ACCESS[n])).toEqual([]);
    for (const n of SIGNAL_NAMES) {
      const a = SIGNAL_ACCESS[n]!;
      if (a.kind !== 'channel') continue;
      const field = a.item?.field ?? a.from;
      if (field) {
        const [head, ...rest] = field.split('.');
        let found = shapes(signals[n]).find((s) => head! in s)?.[head!];
        for (const k of rest) found = found && shapes(found).find((s) => k in s)?.[k];
        expect(found, `${n}: payload has no ${field}`).toBeTruthy();
      }
      if (a.list) {
        const out = a.list.field ? shapes(signals[n]).map((s) => s[a.list!.field!]).find(Boolean) : signals[n];
        const item = out && itemsOf(out);
        expect(item && shapes(item).some((s) => a.list!.key in s), `${n}: payload items have no ${a.list.key}`).toBe(true);
      }
    }
  });

  it('the user and log calls need the users right', () => {
    for (const n of CALL_NAMES.filter((c) => /^(users|roles|oplog)\./.test(c))) expect(calls[n].access, n).toEqual({ kind: 'station', right: 'users' });
  });
});

describe('the check', () => {
  const grant = (rights: Right[], channels: number[] | null): Grant => ({ rights: new Set(rights), channels: channels && new Set(channels) });
  const operator = grant(['live', 'playback', 'export'], [1, 2]);
  const reasonOf = (e: StationError | null) => e && { reason: e.reason, params: e.params };

  it('lets a channel call through on the user’s channels and names the right and channel otherwise', () => {
    expect(refusal(calls['archive.timeline'].access, { channelIds: [1, 2] }, operator)).toBeNull();
    expect(reasonOf(refusal(calls['archive.timeline'].access, { channelIds: [1, 3] }, operator)))
      .toEqual({ reason: 'auth.missingChannelRight', params: { right: 'playback', channel: 3 } });
    expect(reasonOf(refusal(calls['live.open'].access, { streamId: '4/main' }, operator)))
      .toEqual({ reason: 'auth.missingChannelRight', params: { right: 'live', channel: 4 } });
    expect(reasonOf(refusal(calls['live.ptz.move'].access, { channelId: 1 }, operator))).toEqual({ reason: 'auth.missingRight', params: { right: 'ptz' } });
    expect(reasonOf(refusal(calls['devices.remove'].access, { id: 1 }, operator))).toEqual({ reason: 'auth.missingRight', params: { right: 'devices' } });
  });

  it('asks for audio when sound is asked for, and every channel for a lock over all of them', () => {
    expect(reasonOf(refusal(calls['live.open'].access, { streamId: '1/main', audio: true }, operator))).toEqual({ reason: 'auth.missingRight', params: { right: 'audio' } });
    const locker = grant(['evidence'], [1]);
    expect(refusal(calls['archive.lock'].access, { channelId: 1 }, locker)).toBeNull();
    expect(reasonOf(refusal(calls['archive.lock'].access, { channelId: null }, locker))).toEqual({ reason: 'auth.missingChannelRight', params: { right: 'evidence', channel: '*' } });
    expect(channelsNamed({ channelId: null }, 'channelId')).toBe('all');
  });

  it('filters lists to the user’s channels', () => {
    const chans = [{ id: 1 }, { id: 2 }, { id: 3 }];
    expect(filterList(calls['channels.list'].access, chans, operator)).toEqual([{ id: 1 }, { id: 2 }]);
    const events = [{ channelId: 3 }, { channelId: null }, { channelId: 2 }];
    expect(filterList(calls['events.list'].access, events, operator)).toEqual([{ channelId: null }, { channelId: 2 }]);
    expect(filterList(calls['channels.list'].access, chans, grant([...RIGHTS], null))).toBe(chans);
  });
});
