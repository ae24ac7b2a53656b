// What the pages may show a signed-in user: a page whose every call the user lacks the right for is left out of the nav.
import type { Me, Right } from '../../../../electron/contract';
import type { View } from '../../app/store';

/** The rights a page needs (any one of them); pages not listed are for everyone signed in. */
const PAGE_RIGHTS: Partial<Record<View, readonly Right[]>> = {
  live: ['live'],
  playback: ['playback'],
  storage: ['recordingSettings'],
  devices: ['devices'],
  privacy: ['privacy'],
  settings: ['settings'],
  operators: ['users'],
};

/** null: the station has no account yet, so everything shows. */
export function mayView(view: View, me: Me | null): boolean {
  const need = PAGE_RIGHTS[view];
  return !me || !need || need.some((r) => me.rights.includes(r));
}

export const mayDo = (me: Me | null, right: Right): boolean => !me || me.rights.includes(right);
