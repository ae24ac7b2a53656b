// The deployment's regions directory, moving an account to another region, and the transfer between two regions' instances.
import { z } from 'zod';
import { SignedIn } from './accounts';
import { ExportDocument } from './export';
import { REGION_IDS, iso, publicRoute, region, requiredPassword, route } from './common';

/** One region the deployment serves: its id, name and the base URL of its instance. */
export const RegionEntry = z.strictObject({
  id: z.enum(REGION_IDS),
  name: z.string(),
  url: z.string(),
  /** The instance that answered. */
  current: z.boolean(),
});
export type RegionEntry = z.infer<typeof RegionEntry>;

/** What a move carried to the new region, and what it could not (counts). */
export const MoveCounts = z.strictObject({
  consentRecords: z.number(),
  settings: z.number(),
  pushNotices: z.number(),
  cloudStorageObjects: z.number(),
  hostedDeviceLists: z.number(),
  feedback: z.number(),
  accountLog: z.number(),
  telemetryEvents: z.number(),
  sharesGiven: z.number(),
  sharesReceived: z.number(),
});
export type MoveCounts = z.infer<typeof MoveCounts>;

/** The receipt of a region move: ids, time, both regions, what went and what could not. */
export const RegionMoveReceipt = z.strictObject({
  /** Also the id of the old region's erasure receipt. */
  id: z.string(),
  accountId: z.string(),
  movedAt: iso,
  from: z.enum(REGION_IDS),
  to: z.enum(REGION_IDS),
  carried: MoveCounts,
  /** Shares whose other party has no account in the new region, and the old region's sessions: they stay behind and end. */
  notCarried: z.strictObject({ sharesGiven: z.number(), sharesReceived: z.number(), sessions: z.number() }),
});
export type RegionMoveReceipt = z.infer<typeof RegionMoveReceipt>;

export const MoveBody = z.strictObject({
  region,
  password: requiredPassword,
  client: z.string().max(100).optional(),
  /** Needed where the new region is not the account's country's (the notice on international transfers). */
  transferNoticeAcknowledged: z.literal(true).optional(),
});

/** A share crossing regions names its other party by email: the new region finds that person's account there, if any. */
const MovedShare = z.strictObject({
  otherEmail: z.string(), deviceId: z.string(), deviceName: z.string(), channels: z.array(z.number()).nullable(),
  validFrom: z.string().nullable(), validUntil: z.string().nullable(), createdAt: iso, revokedAt: iso.nullable(),
});

/** What the old region's instance sends the new one: the account as its export holds it, and what the export withholds. */
export const TransferBody = z.strictObject({
  moveId: z.string().uuid(),
  from: region,
  movedAt: iso,
  /** The scrypt hash, so the same password signs in there: it travels only between the deployment's instances. */
  passwordHash: z.string(),
  transferNoticeAt: iso.nullable(),
  client: z.string().max(100),
  data: ExportDocument.shape.data,
  sharesGiven: z.array(MovedShare),
  sharesReceived: z.array(MovedShare),
});
export type TransferBody = z.infer<typeof TransferBody>;

export const TransferReply = z.strictObject({ signedIn: SignedIn, carried: MoveCounts, notCarried: z.strictObject({ sharesGiven: z.number(), sharesReceived: z.number() }) });

export const regionRoutes = {
  /** The regions this deployment serves, each with its instance's base URL. */
  'GET /v1/regions': publicRoute(200, z.undefined(), z.strictObject({ regions: z.array(RegionEntry) })),
  /** Moves the signed-in account to another region: created there with its data, then erased here; a session there for this client. */
  'POST /v1/account/move': route(200, MoveBody, z.strictObject({ receipt: RegionMoveReceipt, signedIn: SignedIn })),
  /** Between the deployment's instances only (the peer key in `x-watchpost-peer-key`): the new region takes the account. */
  'POST /v1/transfers': publicRoute(201, TransferBody, TransferReply),
} as const;
