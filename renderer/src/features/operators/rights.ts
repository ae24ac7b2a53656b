// What the pages may show a signed-in user: a page whose every call the user lacks the right for is left out of the nav.
import type { Me, Right } from '../../../../electron/contract';
import type { View } from '../../app/store';
import { useAuthStateQuery } from './operators-api';

/** The rights a page needs (any one of them); pages not listed are for everyone signed in. */
const PAGE_RIGHTS: Partial<Record<View, readonly Right[]>> = {
  live: ['live'],
  playback: ['playback'],
  storage: ['recordingSettings'],
  devices: ['devices'],
  privacy: ['privacy'],
  settings: ['settings'],
  operators: ['users'],
  health: ['settings'],
};

/** null: the station has no account yet, so everything shows. */
export function mayView(view: View, me: Me | null): boolean {
  const need = PAGE_RIGHTS[view];
  return !me || !need || need.some((r) => me.rights.includes(r));
}

/** Whether `me` holds `right` (on `channel`, when given); null: not signed in (the station refuses for itself). */
export const mayDo = (me: Me | null, right: Right, channel?: number): boolean =>
  !me || (me.rights.includes(right) && (channel === undefined || me.channels === null || me.channels.includes(channel)));

/** The signed-in user's `mayDo`: a control for what they may not do is not shown at all. */
export function useMay(right: Right, channel?: number): boolean {
  return mayDo(useAuthStateQuery().data?.me ?? null, right, channel);
}
