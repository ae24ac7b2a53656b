// Operators: accounts, sign-in sessions, roles and their rights, and the operation log (issue 13).
import { z } from 'zod';
import { call, CHANNEL_RIGHTS, NoInput, needs, STATION_RIGHTS, type Right } from './common';

export const RIGHTS = [...CHANNEL_RIGHTS, ...STATION_RIGHTS] as const;
const RightName = z.enum(RIGHTS);
const everyRight: Right[] = [...RIGHTS];

/** The built-in roles; custom roles are made from the same rights. */
export const BUILTIN_ROLES = {
  administrator: everyRight,
  supervisor: everyRight.filter((r) => r !== 'users'),
  operator: ['live', 'playback', 'export', 'ptz', 'audio', 'alarmAck'],
  viewer: ['live'],
  installer: ['live', 'devices'],
} as const satisfies Record<string, readonly Right[]>;
export type BuiltinRoleId = keyof typeof BUILTIN_ROLES;
export const BUILTIN_ROLE_IDS = Object.keys(BUILTIN_ROLES) as BuiltinRoleId[];

/** The password rule shown where a password is chosen; the station checks the same. */
export const PASSWORD_RULE = { minLength: 10, maxLength: 256 } as const;
/** Letters and digits, at least minLength, not containing the user name. */
export function passwordIsStrong(password: string, userName: string): boolean {
  return password.length >= PASSWORD_RULE.minLength && /\p{L}/u.test(password) && /\p{N}/u.test(password)
    && !(userName.length >= 3 && password.toLowerCase().includes(userName.toLowerCase()));
}

const userName = z.string().trim().min(1).max(64).regex(/^[^\s:/\\]+$/, 'field.invalidFormat');
const password = z.string().min(1).max(PASSWORD_RULE.maxLength);
const roleId = z.string().min(1).max(64);
const id = z.number().int().positive();
/** null: every channel, now and later. */
const channelScope = z.array(id).max(4096).nullable();

export const Role = z.object({ id: roleId, name: z.string(), builtin: z.boolean(), rights: z.array(RightName) });
export type Role = z.infer<typeof Role>;
export const User = z.object({
  id, name: z.string(), roleId, channels: channelScope, disabled: z.boolean(), mustChangePassword: z.boolean(),
  createdAt: z.number(), lastSignInAt: z.number().nullable(),
});
export type User = z.infer<typeof User>;
/** The signed-in user as the pages see them: what to show and what to hide. */
export const Me = z.object({
  id, name: z.string(), roleId, roleName: z.string(), rights: z.array(RightName), channels: channelScope, mustChangePassword: z.boolean(),
});
export type Me = z.infer<typeof Me>;
export const AuthState = z.object({
  /** No account yet: the first administrator is to be created; until then the station is open as before. */
  setupNeeded: z.boolean(),
  me: Me.nullable(),
  locked: z.boolean(),
  idleMinutes: z.number().int(),
});
export type AuthState = z.infer<typeof AuthState>;
export const SignedIn = z.object({ sessionId: z.string(), state: AuthState });
export const SignInSession = z.object({
  id: z.string(), userId: id, userName: z.string(), transport: z.string(), address: z.string(),
  createdAt: z.number(), lastSeenAt: z.number(), current: z.boolean(),
});
export type SignInSession = z.infer<typeof SignInSession>;
export const AuthSettings = z.object({
  idleMinutes: z.number().int().min(1).max(24 * 60),
  logRetentionDays: z.number().int().min(30).max(3650),
});
export type AuthSettings = z.infer<typeof AuthSettings>;

export const OPLOG_RESULTS = ['ok', 'refused', 'failed'] as const;
export const OplogEntry = z.object({
  id, at: z.number(), user: z.string().nullable(), kind: z.string(), channelId: z.number().int().nullable(),
  deviceId: z.number().int().nullable(), transport: z.string(), address: z.string(), result: z.enum(OPLOG_RESULTS), detail: z.string(),
});
export type OplogEntry = z.infer<typeof OplogEntry>;
const OplogFilter = z.object({
  userName: z.string().trim().max(64).optional(),
  /** Kinds: a call name ("devices.remove") or a prefix ("devices."). */
  kind: z.string().trim().max(100).optional(),
  channelId: id.optional(),
  from: z.number().int().nonnegative().optional(),
  to: z.number().int().nonnegative().optional(),
});

export const authCalls = {
  'auth.state': call(needs.nothing, NoInput, AuthState),
  /** The first administrator; refused once any account exists. Signs this client in. */
  'auth.setup': call(needs.nothing, z.object({ name: userName, password }).strict(), SignedIn),
  'auth.signIn': call(needs.nothing, z.object({ name: userName, password }).strict(), SignedIn),
  /** A session signed in earlier on the same transport (a page reloaded). */
  'auth.resume': call(needs.nothing, z.object({ sessionId: z.string().min(1).max(100) }).strict(), AuthState),
  /**
   * A station signing in with a share's credential (Hardware Share, `shares.ts`): over the TLS link only; the sign-in then
   * reaches exactly the shared channels and rights, inside the share's window.
   */
  'auth.signInShare': call(needs.nothing, z.object({ share: z.string().min(1).max(64), secret: z.string().min(16).max(256) }).strict(), SignedIn),
  'auth.signOut': call(needs.nothing, NoInput, AuthState),
  /** The lock screen: the session stays, the layout stays, every call but unlock waits for the password. */
  'auth.lock': call(needs.signIn, NoInput, AuthState),
  'auth.unlock': call(needs.nothing, z.object({ password }).strict(), AuthState),
  'auth.changePassword': call(needs.signIn, z.object({ currentPassword: password, newPassword: password }).strict(), AuthState),
  'auth.sessions': call(needs.station('users'), NoInput, z.array(SignInSession)),
  'auth.revokeSession': call(needs.station('users'), z.object({ id: z.string().min(1).max(100) }).strict(), z.object({ revoked: z.boolean() })),
  'auth.settings': call(needs.station('users'), NoInput, AuthSettings),
  'auth.updateSettings': call(needs.station('users'), AuthSettings.partial().strict(), AuthSettings),
  'users.list': call(needs.station('users'), NoInput, z.array(User)),
  'users.create': call(
    needs.station('users'),
    z.object({ name: userName, password, roleId, channels: channelScope.default(null), mustChangePassword: z.boolean().default(true) }).strict(),
    User,
  ),
  'users.update': call(
    needs.station('users'),
    z.object({ id, name: userName.optional(), roleId: roleId.optional(), channels: channelScope.optional(), disabled: z.boolean().optional(), mustChangePassword: z.boolean().optional() }).strict(),
    User,
  ),
  'users.remove': call(needs.station('users'), z.object({ id }).strict(), z.object({ removed: z.boolean() })),
  'users.resetPassword': call(needs.station('users'), z.object({ id, password, mustChangePassword: z.boolean().default(true) }).strict(), User),
  'roles.list': call(needs.station('users'), NoInput, z.array(Role)),
  'roles.save': call(needs.station('users'), z.object({ id: roleId.optional(), name: z.string().trim().min(1).max(64), rights: z.array(RightName).max(RIGHTS.length) }).strict(), Role),
  'roles.remove': call(needs.station('users'), z.object({ id: roleId }).strict(), z.object({ removed: z.boolean() })),
  /** Newest first. */
  'oplog.query': call(needs.station('users'), OplogFilter.extend({ limit: z.number().int().min(1).max(5000).default(500) }).strict(), z.array(OplogEntry)),
  /** The filtered log as a file's text; the export itself is logged, and the file names who made it. */
  'oplog.export': call(needs.station('users'), OplogFilter.extend({ format: z.enum(['csv', 'json']) }).strict(), z.object({ fileName: z.string(), text: z.string() })),
} as const;

export const authSignals = {
  /** A session ended from elsewhere (revoked, the user disabled or changed): the page signs in again. */
  'auth.changed': z.object({ userId: z.number().int() }),
} as const;
