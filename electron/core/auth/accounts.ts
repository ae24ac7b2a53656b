// Accounts and roles in SQLite (repository functions, db first). Built-in roles come from the contract; custom ones are rows.
import { BUILTIN_ROLES, fail, RIGHTS, type BuiltinRoleId, type Right, type Role, type User } from '../../contract';
import type { Db } from '../storage/db';

type UserRow = { id: number; name: string; password_hash: string; role_id: string; channels: string | null; disabled: number; must_change: number; created_ms: number; updated_ms: number; last_sign_in_ms: number | null };

const ROLE_NAMES: Record<BuiltinRoleId, string> = {
  administrator: 'Administrator', supervisor: 'Supervisor', operator: 'Operator', viewer: 'Viewer', installer: 'Installer',
};
const isBuiltin = (id: string): id is BuiltinRoleId => Object.hasOwn(BUILTIN_ROLES, id);

export function userOf(r: UserRow): User {
  return {
    id: r.id, name: r.name, roleId: r.role_id, channels: r.channels === null ? null : (JSON.parse(r.channels) as number[]),
    disabled: r.disabled === 1, mustChangePassword: r.must_change === 1, createdAt: r.created_ms, lastSignInAt: r.last_sign_in_ms,
  };
}

export const countUsers = (db: Db): number => (db.prepare('SELECT count(*) AS n FROM op_user').get() as { n: number }).n;
export const userRow = (db: Db, id: number): UserRow | undefined => db.prepare('SELECT * FROM op_user WHERE id = ?').get(id) as UserRow | undefined;
export const userRowByName = (db: Db, name: string): UserRow | undefined => db.prepare('SELECT * FROM op_user WHERE name = ?').get(name) as UserRow | undefined;
export const listUsers = (db: Db): User[] => (db.prepare('SELECT * FROM op_user ORDER BY name').all() as UserRow[]).map(userOf);

export function requireUser(db: Db, id: number): UserRow {
  const r = userRow(db, id);
  if (!r) throw fail('auth.userNotFound', { id });
  return r;
}

export function listRoles(db: Db): Role[] {
  const builtin = (Object.keys(BUILTIN_ROLES) as BuiltinRoleId[]).map((id): Role => ({ id, name: ROLE_NAMES[id], builtin: true, rights: [...BUILTIN_ROLES[id]] }));
  const custom = (db.prepare('SELECT * FROM op_role ORDER BY name').all() as { id: string; name: string; rights: string }[])
    .map((r): Role => ({ id: r.id, name: r.name, builtin: false, rights: (JSON.parse(r.rights) as Right[]).filter((x) => (RIGHTS as readonly string[]).includes(x)) }));
  return [...builtin, ...custom];
}

export function roleOf(db: Db, id: string): Role {
  if (isBuiltin(id)) return { id, name: ROLE_NAMES[id], builtin: true, rights: [...BUILTIN_ROLES[id]] };
  const r = db.prepare('SELECT * FROM op_role WHERE id = ?').get(id) as { id: string; name: string; rights: string } | undefined;
  if (!r) throw fail('auth.roleNotFound', { id });
  return { id: r.id, name: r.name, builtin: false, rights: JSON.parse(r.rights) as Right[] };
}

export function insertUser(db: Db, u: { name: string; hash: string; roleId: string; channels: number[] | null; mustChange: boolean }, now: number): User {
  roleOf(db, u.roleId);
  if (userRowByName(db, u.name)) throw fail('auth.nameTaken', { field: 'userName', name: u.name });
  const id = Number(db.prepare(`INSERT INTO op_user (name, password_hash, role_id, channels, must_change, created_ms, updated_ms)
    VALUES (?, ?, ?, ?, ?, ?, ?)`).run(u.name, u.hash, u.roleId, u.channels === null ? null : JSON.stringify(u.channels), u.mustChange ? 1 : 0, now, now).lastInsertRowid);
  return userOf(userRow(db, id)!);
}

/** Active administrators other than `except`: the last one cannot be removed, disabled or demoted. */
export const otherAdmins = (db: Db, except: number): number =>
  (db.prepare("SELECT count(*) AS n FROM op_user WHERE role_id = 'administrator' AND disabled = 0 AND id != ?").get(except) as { n: number }).n;

export function updateUser(db: Db, id: number, patch: { name?: string; roleId?: string; channels?: number[] | null; disabled?: boolean; mustChange?: boolean; hash?: string }, now: number): User {
  const cur = requireUser(db, id);
  if (patch.roleId !== undefined) roleOf(db, patch.roleId);
  const demoted = cur.role_id === 'administrator' && ((patch.roleId !== undefined && patch.roleId !== 'administrator') || patch.disabled === true);
  if (demoted && cur.disabled === 0 && otherAdmins(db, id) === 0) throw fail('auth.lastAdmin');
  if (patch.name !== undefined) {
    const other = userRowByName(db, patch.name);
    if (other && other.id !== id) throw fail('auth.nameTaken', { field: 'userName', name: patch.name });
  }
  db.prepare(`UPDATE op_user SET name = ?, role_id = ?, channels = ?, disabled = ?, must_change = ?, password_hash = ?, updated_ms = ? WHERE id = ?`).run(
    patch.name ?? cur.name, patch.roleId ?? cur.role_id,
    patch.channels === undefined ? cur.channels : patch.channels === null ? null : JSON.stringify(patch.channels),
    patch.disabled === undefined ? cur.disabled : patch.disabled ? 1 : 0,
    patch.mustChange === undefined ? cur.must_change : patch.mustChange ? 1 : 0,
    patch.hash ?? cur.password_hash, now, id,
  );
  return userOf(userRow(db, id)!);
}

export function deleteUser(db: Db, id: number): boolean {
  const cur = requireUser(db, id);
  if (cur.role_id === 'administrator' && cur.disabled === 0 && otherAdmins(db, id) === 0) throw fail('auth.lastAdmin');
  return db.prepare('DELETE FROM op_user WHERE id = ?').run(id).changes > 0;
}

export function saveRole(db: Db, r: { id?: string; name: string; rights: Right[] }): Role {
  if (r.id !== undefined && isBuiltin(r.id)) throw fail('auth.roleBuiltIn', { name: ROLE_NAMES[r.id] });
  const clash = listRoles(db).find((x) => x.name.toLowerCase() === r.name.toLowerCase() && x.id !== r.id);
  if (clash) throw fail('auth.nameTaken', { field: 'roleName', name: r.name });
  const rights = JSON.stringify([...new Set(r.rights)]);
  if (r.id !== undefined) {
    roleOf(db, r.id);
    db.prepare('UPDATE op_role SET name = ?, rights = ? WHERE id = ?').run(r.name, rights, r.id);
    return roleOf(db, r.id);
  }
  const next = (db.prepare("SELECT count(*) AS n FROM op_role").get() as { n: number }).n + 1;
  let id = `custom-${next}`;
  for (let k = next; db.prepare('SELECT 1 FROM op_role WHERE id = ?').get(id); k++) id = `custom-${k + 1}`;
  db.prepare('INSERT INTO op_role (id, name, rights) VALUES (?, ?, ?)').run(id, r.name, rights);
  return roleOf(db, id);
}

export function deleteRole(db: Db, id: string): boolean {
  const role = roleOf(db, id);
  if (role.builtin) throw fail('auth.roleBuiltIn', { name: role.name });
  if (db.prepare('SELECT 1 FROM op_user WHERE role_id = ?').get(id)) throw fail('auth.roleInUse', { name: role.name });
  return db.prepare('DELETE FROM op_role WHERE id = ?').run(id).changes > 0;
}

export function getSetting(db: Db, key: string): string | undefined {
  return (db.prepare('SELECT value FROM op_setting WHERE key = ?').get(key) as { value: string } | undefined)?.value;
}
export function setSetting(db: Db, key: string, value: string): void {
  db.prepare('INSERT INTO op_setting (key, value) VALUES (?, ?) ON CONFLICT(key) DO UPDATE SET value = excluded.value').run(key, value);
}
