// Hardware Share (issue 16): this station's cameras shared with another person's account. The sharer's station makes a
// share-scoped credential that its desk server (sites/) accepts for exactly the shared channels and rights, inside the
// share's window, playback reaching back only the history window; the cloud records the share and delivers the
// credential to the recipient, whose station adds the sharer's station as a site with it. Media goes station to station.
import { z } from 'zod';
import { call, NoInput, needs } from './common';
import { Site } from './sites';

/**
 * What a share may grant on its channels. `audio` is hearing the cameras' sound; `talk` is speaking through their speakers
 * (`talk.start`/`talk.audio`/`talk.stop`, enforced by the sharing station: a share without it is refused with `share.noTalk`).
 */
export const SHARE_RIGHTS = ['live', 'playback', 'ptz', 'audio', 'talk'] as const;
export type ShareRight = (typeof SHARE_RIGHTS)[number];
/** Sign-ins made with a share's credential act as this id plus the share's number (never an account's id). */
export const SHARE_USER_BASE = 2_000_000_000;
/** A site made from a received share signs in with its credential: its user name is this prefix and the cloud share's id. */
export const SHARE_SITE_USER = 'share:';

/** pending: its window has not begun; ended: its window is over; revoked: its owner ended it. */
export const SHARE_STATES = ['active', 'pending', 'ended', 'revoked'] as const;

export const GivenShare = z.object({
  id: z.number().int().positive(),
  cloudId: z.string(),
  recipientEmail: z.string(),
  channelIds: z.array(z.number().int().positive()),
  rights: z.array(z.enum(SHARE_RIGHTS)),
  validFrom: z.number().nullable(),
  validUntil: z.number().nullable(),
  /** How far back playback reaches (null: no limit). */
  historySeconds: z.number().int().nullable(),
  createdAt: z.number(),
  revokedAt: z.number().nullable(),
  /** When the recipient's station last used the credential (a sign-in or a call). */
  lastUsedAt: z.number().nullable(),
  uses: z.number().int().nonnegative(),
  state: z.enum(SHARE_STATES),
});
export type GivenShare = z.infer<typeof GivenShare>;

export const ReceivedShare = z.object({
  /** The cloud's id of the share. */
  id: z.string(),
  ownerNickname: z.string(),
  deviceName: z.string(),
  channels: z.number().int().nonnegative(),
  rights: z.array(z.enum(SHARE_RIGHTS)),
  validFrom: z.number().nullable(),
  validUntil: z.number().nullable(),
  historySeconds: z.number().nullable(),
  createdAt: z.number(),
  revokedAt: z.number().nullable(),
  active: z.boolean(),
  /** Made by a station (with its address and credential), the credential not yet picked up by this account: it can be added here. */
  addable: z.boolean(),
  /** The site it was added as on this station. */
  siteId: z.number().int().positive().nullable(),
});
export type ReceivedShare = z.infer<typeof ReceivedShare>;

const historyHours = z.number().int().min(1).max(3650 * 24);

export const shareCalls = {
  /** Shares this station gave, revoked and ended ones too, with when each was last used. */
  'shares.list': call(needs.station('users'), NoInput, z.array(GivenShare)),
  /**
   * Shares channels of this station with the account of `recipientEmail` (in the same cloud region). Needs this station
   * serving desks (Settings) and a cloud account signed in; the credential is made here and delivered by the cloud.
   */
  'shares.create': call(needs.station('users'), z.object({
    recipientEmail: z.string().trim().toLowerCase().pipe(z.email({ error: 'field.notEmail' }).max(254)),
    channelIds: z.array(z.number().int().positive().max(999_999)).min(1).max(256),
    rights: z.array(z.enum(SHARE_RIGHTS)).min(1).max(SHARE_RIGHTS.length),
    validFrom: z.number().int().nonnegative().nullable().default(null),
    validUntil: z.number().int().nonnegative().nullable().default(null),
    /** null: playback reaches the whole archive. */
    historyHours: historyHours.nullable().default(null),
  }).strict(), GivenShare),
  /** Ends a share at once: its credential is forgotten, its sessions and streams end; the cloud marks it revoked. */
  'shares.revoke': call(needs.station('users'), z.object({ id: z.number().int().positive() }).strict(), GivenShare),
  /** Shares this station's cloud account received (revoked ones too), and which of them are added as sites here. */
  'shares.received': call(needs.station('devices'), NoInput, z.array(ReceivedShare)),
  /** Adds a received share as a site: the sharer's station, its certificate pinned from the share, its credential. */
  'shares.addReceived': call(needs.station('devices'), z.object({ id: z.string().min(1).max(64) }).strict(), Site),
} as const;
