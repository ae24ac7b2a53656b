// Bookmarks: a named moment or range of the archive on one or more channels, found again by text, tag, channel and time.
import { z } from 'zod';
import { call, needs } from './common';
import { Actor } from './recording';

const channelId = z.number().int().positive();
const epochMs = z.number().int().nonnegative();
const tag = z.string().trim().min(1).max(40);

export const Bookmark = z.object({
  id: z.number().int(),
  channelIds: z.array(channelId),
  /** A moment when end equals start. */
  start: z.number(),
  end: z.number(),
  name: z.string(),
  note: z.string(),
  tags: z.array(z.string()),
  /** The evidence locks holding its range (one per channel), if it asked for them. */
  lockIds: z.array(z.number().int()),
  createdAt: z.number(),
  createdBy: Actor.nullable(),
});
export type Bookmark = z.infer<typeof Bookmark>;

const fields = {
  name: z.string().trim().min(1).max(200),
  note: z.string().trim().max(2000),
  tags: z.array(tag).max(20),
};

export const bookmarkCalls = {
  /** A range that asks for a lock is kept from retention as evidence (archive.lock), and must not be a single moment. */
  'bookmarks.add': call(needs.channel('playback', 'channelIds'), 
    z.object({
      channelIds: z.array(channelId).min(1).max(64), from: epochMs, to: epochMs, ...fields,
      note: fields.note.default(''), tags: fields.tags.default([]), lock: z.boolean().default(false),
    }).strict()
      .refine((b) => b.to >= b.from, 'input.endBeforeStart')
      .refine((b) => !b.lock || b.to > b.from, 'input.endBeforeStart'),
    Bookmark,
  ),
  'bookmarks.update': call(needs.item('playback', 'bookmark', 'id'), 
    z.object({ id: z.number().int().positive(), name: fields.name.optional(), note: fields.note.optional(), tags: fields.tags.optional() }).strict(),
    Bookmark,
  ),
  /** Its lock, if any, stays: evidence is unlocked on its own, with a reason. */
  'bookmarks.remove': call(needs.item('playback', 'bookmark', 'id'), z.object({ id: z.number().int().positive() }).strict(), z.object({ removed: z.boolean() })),
  /** Newest first. Text matches name and note; a range finds bookmarks that overlap it and must not be empty. */
  'bookmarks.list': call(needs.channelList('playback', 'channelIds'), 
    z.object({
      text: z.string().trim().max(200).optional(), tag: tag.optional(),
      channelIds: z.array(channelId).min(1).max(64).optional(), from: epochMs.optional(), to: epochMs.optional(),
      limit: z.number().int().min(1).max(1000).default(200),
    }).strict().refine((q) => q.from === undefined || q.to === undefined || q.to > q.from, 'input.endBeforeStart'),
    z.array(Bookmark),
  ),
} as const;
