// The rights check the dispatcher runs before every handler, and the list filter after it: pure functions of the call's
// declared access (contract/common.ts), its input, and what the user holds.
import { fail, type Access, type ChannelRight, type ItemKind, type Right, type StationError } from '../../contract';

/** What a signed-in user may do: their role's rights, on their channels (null: every channel). */
export interface Grant {
  rights: ReadonlySet<Right>;
  channels: ReadonlySet<number> | null;
}

/** A channel id from a field's value: a number, or a stream id "12/main". */
export function channelOf(v: unknown): number | null {
  if (typeof v === 'number') return v;
  if (typeof v === 'string') {
    const n = Number(v.split('/')[0]);
    return Number.isInteger(n) && n > 0 ? n : null;
  }
  return null;
}

/** A field's value; `a.b` reaches inside. */
const valueAt = (o: unknown, field: string): unknown => field.split('.').reduce<unknown>((v, k) => (v as Record<string, unknown> | null | undefined)?.[k], o);

/** The channels an input names in `field`: a list, one, or 'all' (null: a lock over every channel). */
export function channelsNamed(input: unknown, field: string): number[] | 'all' | undefined {
  const v = valueAt(input, field);
  if (v === undefined) return undefined;
  if (v === null) return 'all';
  const list = Array.isArray(v) ? v : [v];
  return list.map(channelOf).filter((c): c is number => c !== null);
}

const mayOn = (g: Grant, right: ChannelRight, channel: number) => g.rights.has(right) && (g.channels === null || g.channels.has(channel));

function needChannels(g: Grant, right: ChannelRight, named: number[] | 'all' | undefined): StationError | null {
  if (!g.rights.has(right)) return fail('auth.missingRight', { right });
  if (named === 'all') return g.channels === null ? null : fail('auth.missingChannelRight', { right, channel: '*' });
  if (named === undefined) return g.channels === null || g.channels.size > 0 ? null : fail('auth.missingRight', { right });
  for (const c of named) if (!mayOn(g, right, c)) return fail('auth.missingChannelRight', { right, channel: c });
  return null;
}

/** The channels of stored items (an export, a lock, a bookmark …): 'all' for one over every channel, undefined when unknown. */
export type ItemChannels = (kind: ItemKind, id: number) => number[] | 'all' | undefined;

/** The ids an input names in `field` (one or a list). */
function idsNamed(input: unknown, field: string): number[] {
  const v = valueAt(input, field);
  return (Array.isArray(v) ? v : [v]).filter((x): x is number => typeof x === 'number');
}

/**
 * The refusal for the items the call names by id, checked on each item's own channels: a user may not unlock, cancel,
 * edit or acknowledge an item of a camera they hold no right on. An id that names nothing is left to the handler.
 */
export function itemRefusal(access: Access, input: unknown, g: Grant, items: ItemChannels): StationError | null {
  if (access.kind !== 'channel' && access.kind !== 'station' || !access.item) return null;
  const right = access.item.right ?? (access.kind === 'channel' ? access.right : 'live');
  for (const id of idsNamed(input, access.item.field)) {
    const named = items(access.item.kind, id);
    if (named === undefined) continue;
    const refused = needChannels(g, right, named);
    if (refused) return refused;
  }
  return null;
}

/**
 * What a signal's payload becomes for a connection: itself, cut to the user's cameras, or undefined (not sent). `g` null:
 * not signed in (public signals only); `items` resolves a signal about a stored item (an export's progress).
 */
export function signalFor(access: Access, payload: unknown, g: Grant | null, items: ItemChannels): unknown {
  if (access.kind === 'public') return payload;
  if (!g) return undefined;
  if (access.kind === 'signedIn') return payload;
  if (access.kind === 'station') return g.rights.has(access.right) ? payload : undefined;
  if (access.list) return g.rights.has(access.right) ? filterList(access, payload, g) : undefined;
  let named: number[] | 'all' | undefined;
  if (access.item) {
    const ids = idsNamed(payload, access.item.field);
    named = ids.length ? items(access.item.kind, ids[0]!) : undefined;
  } else if (access.from) {
    named = channelsNamed(payload, access.from);
  }
  // A signal about no channel (a station event) reaches whoever holds the right at all.
  if (named === 'all' && valueAt(payload, access.from ?? '') === null) named = undefined;
  return needChannels(g, access.right, named) ? undefined : payload;
}

/** null when the user may make the call with this input, else the refusal naming the missing right. */
export function refusal(access: Access, input: unknown, g: Grant): StationError | null {
  switch (access.kind) {
    case 'public':
    case 'signedIn':
      return null;
    case 'station':
      return g.rights.has(access.right) ? null : fail('auth.missingRight', { right: access.right });
    case 'channel': {
      const named = access.from ? channelsNamed(input, access.from) : undefined;
      const refused = needChannels(g, access.right, named);
      if (refused) return refused;
      // Sound is a right of its own, and so is deleting recordings along with a device.
      const i = input as Record<string, unknown> | null;
      if (i?.audio === true) return needChannels(g, 'audio', named);
      return null;
    }
  }
}

/** Extra rights an input asks for whatever the call: deleting recordings (of every channel of a device). */
export function inputRefusal(input: unknown, g: Grant): StationError | null {
  const i = input as Record<string, unknown> | null;
  if (i?.recordings === 'delete') return needChannels(g, 'deleteRecordings', 'all');
  return null;
}

/** A list output cut to the channels the user holds the call's right on; items for no channel stay. */
export function filterList(access: Access, output: unknown, g: Grant): unknown {
  if (access.kind !== 'channel' || !access.list || g.channels === null && g.rights.has(access.right)) return output;
  const { key, field } = access.list;
  const keep = (item: unknown) => {
    const v = (item as Record<string, unknown>)[key];
    // A list of channels (an audit entry): all of them must be the user's; none means every channel.
    if (Array.isArray(v)) return v.length ? v.every((c) => mayOn(g, access.right, channelOf(c) ?? 0)) : g.channels === null && g.rights.has(access.right);
    const c = channelOf(v);
    return c === null ? v == null : mayOn(g, access.right, c);
  };
  if (field) {
    const o = output as Record<string, unknown>;
    return Array.isArray(o[field]) ? { ...o, [field]: (o[field] as unknown[]).filter(keep) } : output;
  }
  return Array.isArray(output) ? output.filter(keep) : output;
}
