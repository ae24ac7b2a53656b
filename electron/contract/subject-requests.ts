// Subject access requests: a person filmed asks for the footage of themselves; the register tracks the request from
// received to disclosed or refused, with the redacted exports prepared for it. The person's details are personal data.
import { z } from 'zod';
import { call, needs, NoInput } from './common';

export const SUBJECT_REQUEST_STATES = ['received', 'searching', 'prepared', 'disclosed', 'refused'] as const;
export type SubjectRequestState = (typeof SUBJECT_REQUEST_STATES)[number];
/** A request still being worked on (its footage locked, its due date reminded). */
export const OPEN_STATES: readonly SubjectRequestState[] = ['received', 'searching', 'prepared'];
/** How a due date stands: more than a week away, within a week, within a day, past. */
export const REMINDER_LEVELS = ['none', 'week', 'day', 'overdue'] as const;
export type ReminderLevel = (typeof REMINDER_LEVELS)[number];
export const DISCLOSURE_METHODS = ['inPerson', 'email', 'post', 'secureLink'] as const;

const id = z.number().int().positive();
const epochMs = z.number().int().nonnegative();
const channelId = z.number().int().positive();

/** Who asked and how to reach them (kept encrypted, never logged), and the handler's notes. */
export const SubjectPerson = z.object({
  name: z.string().trim().min(1).max(200),
  contact: z.string().trim().min(1).max(500),
  notes: z.string().trim().max(4000).default(''),
}).strict();
export type SubjectPerson = z.infer<typeof SubjectPerson>;

export const SearchWindow = z.object({ from: epochMs, to: epochMs }).strict().refine((w) => w.to > w.from, 'input.endBeforeStart');
export type SearchWindow = z.infer<typeof SearchWindow>;

export const SubjectRequest = z.object({
  id,
  /** SAR-0007: how the request is named where the person is not (the operation log, file names). */
  reference: z.string(),
  person: SubjectPerson,
  receivedAt: z.number(),
  dueAt: z.number(),
  channelIds: z.array(channelId),
  windows: z.array(z.object({ from: z.number(), to: z.number() })),
  state: z.enum(SUBJECT_REQUEST_STATES),
  /** Redacted exports prepared for the request. */
  exportIds: z.array(id),
  refusedReason: z.string().nullable(),
  disclosure: z.object({ at: z.number(), method: z.enum(DISCLOSURE_METHODS) }).nullable(),
  closedAt: z.number().nullable(),
  /** When the register erases it (closed requests only). */
  eraseAt: z.number().nullable(),
  reminder: z.enum(REMINDER_LEVELS),
  createdAt: z.number(),
  updatedAt: z.number(),
});
export type SubjectRequest = z.infer<typeof SubjectRequest>;

export const SubjectRequestSettings = z.object({
  /** Days from receipt to the due date of a new request (GDPR: one month). */
  dueDays: z.number().int().min(1).max(90),
  /** Days a closed request is kept before it is erased. */
  retentionDays: z.number().int().min(1).max(3650),
}).strict();
export type SubjectRequestSettings = z.infer<typeof SubjectRequestSettings>;

export const SubjectReminders = z.object({
  /** Open requests whose due date is within a week or past, soonest first. */
  due: z.array(z.object({ id, reference: z.string(), dueAt: z.number(), level: z.enum(REMINDER_LEVELS) })),
});
export type SubjectReminders = z.infer<typeof SubjectReminders>;

const register = needs.station('privacy');

export const subjectRequestCalls = {
  'subjectRequests.list': call(register, NoInput, z.object({ requests: z.array(SubjectRequest), settings: SubjectRequestSettings })),
  /** A new request; its due date from the setting unless given. */
  'subjectRequests.create': call(register,
    z.object({ person: SubjectPerson, receivedAt: epochMs, dueAt: epochMs.optional(), channelIds: z.array(channelId).min(1).max(64), windows: z.array(SearchWindow).min(1).max(16) }).strict(),
    SubjectRequest,
  ),
  /** An open request's details changed. */
  'subjectRequests.update': call(register,
    z.object({ id, person: SubjectPerson.optional(), dueAt: epochMs.optional(), channelIds: z.array(channelId).min(1).max(64).optional(), windows: z.array(SearchWindow).min(1).max(16).optional() }).strict(),
    SubjectRequest,
  ),
  /** received → searching → prepared (prepared needs an attached export). */
  'subjectRequests.advance': call(register, z.object({ id, state: z.enum(['searching', 'prepared']) }).strict(), SubjectRequest),
  'subjectRequests.attach': call(register, z.object({ id, exportId: id }).strict(), SubjectRequest),
  'subjectRequests.detach': call(register, z.object({ id, exportId: id }).strict(), SubjectRequest),
  /** The prepared exports handed over: what (the request and its exports), to whom (the requester), how; in the operation log. */
  'subjectRequests.disclose': call(register, z.object({ id, method: z.enum(DISCLOSURE_METHODS), exportIds: z.array(id).min(1).max(64) }).strict(), SubjectRequest),
  'subjectRequests.refuse': call(register, z.object({ id, reason: z.string().trim().min(3).max(1000) }).strict(), SubjectRequest),
  'subjectRequests.updateSettings': call(register, SubjectRequestSettings, SubjectRequestSettings),
} as const;

export const subjectRequestSignals = {
  'subjectRequests.changed': z.object({ id: z.number().int().nullable() }),
  'subjectRequests.reminders': SubjectReminders,
} as const;
