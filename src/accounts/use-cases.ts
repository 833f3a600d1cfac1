/**
 * What admins, the owner and the operator do to accounts: give or take a role, hand the site's
 * ownership over, suspend and unsuspend, delete (with or without what the account wrote). Every
 * door (/admin/users, /api/admin/users, `quire user`) calls these; each checks who may through
 * src/roles/permissions.ts and writes its audit entry in the act's transaction.
 *
 * Who may act on whom: only on accounts ranked below one's own (`actorOutranks`; the operator
 * outranks everyone), never on oneself, never on the owner (whose role changes only by handing it
 * over), never on the placeholder that keeps deleted authors' writing (./queries.ts).
 */
import { invalidateUserSessions } from '../auth/session';
import { recordAudit, type AuditTarget } from '../audit/log';
import { fail, Forbidden, succeed, type Caller, type Core, type Outcome } from '../core';
import type { Db } from '../db/client';
import type { User } from '../db/schema';
import { transaction } from '../db/transaction';
import { deleteFilesAfterRemoval, removeImagesOfAccount } from '../media/cleanup';
import { hideContentOfAuthor, restoreContentOfAuthor } from '../moderation/queries';
import {
  actingRole,
  actorOutranks,
  assignableRoles,
  can,
  isOwner,
  requirePermission,
  roleOf,
  type Role,
} from '../roles/permissions';
import { findOwner, findUserById } from '../users/queries';
import { findUserNamed } from '../users/use-cases';
import * as queries from './queries';

export const NOT_ON_YOURSELF = 'You cannot do that to your own account.';
export const NOT_ON_THE_OWNER = 'The owner’s account cannot be suspended, deleted or given another role: the owner hands the role over first.';
export const NOT_ON_THE_PLACEHOLDER = 'This account only keeps the writing of deleted accounts: act on its articles and comments instead.';
export const NOT_OUTRANKED = 'You can act only on accounts whose role is below your own.';
export const OWNER_IS_HANDED_OVER = 'The owner role is not given: the owner hands it over.';
export const ONLY_THE_OWNER_HANDS_OVER = 'Only the owner can hand the site over.';

const userTarget = (user: Pick<User, 'id' | 'username'>): AuditTarget => ({ kind: 'user', id: user.id, label: user.username });

/** A time as messages write it: 2027-01-31 18:00 UTC. */
export const formatUtc = (date: Date): string => `${date.toISOString().slice(0, 16).replace('T', ' ')} UTC`;

/** What a suspended person is told when they sign in (after their password was right). */
export function suspensionMessage(user: Pick<User, 'suspendedUntil' | 'suspensionReason'>): string {
  const when = user.suspendedUntil ? `until ${formatUtc(user.suspendedUntil)}` : 'for good';
  return `This account is suspended ${when}: ${user.suspensionReason ?? 'no reason was given'}`;
}

/**
 * The account `username` names, if the caller may act on it at all: not their own, not the
 * owner's, not the placeholder, and ranked below the caller.
 */
export async function findAccountToManage(db: Db, caller: Caller, username: string): Promise<User> {
  const user = await findUserNamed(db, username);
  if (caller.userId !== null && user.id === caller.userId) throw new Forbidden('user', NOT_ON_YOURSELF);
  if (queries.isPlaceholder(user)) throw new Forbidden('user', NOT_ON_THE_PLACEHOLDER);
  if (isOwner(user.role)) throw new Forbidden('user', NOT_ON_THE_OWNER);
  if (!actorOutranks(caller, roleOf(user.role))) throw new Forbidden('user', NOT_OUTRANKED);
  return user;
}

export type RoleChange = { user: User; from: Role; to: Role; changed: boolean };

/**
 * Gives an account another role: one of those the caller may give (assignableRoles: below their
 * own, never owner), to an account they outrank. The same role again changes nothing and is not
 * recorded.
 */
export async function changeRole(core: Core, caller: Caller, input: { username: string; role: Role }): Promise<RoleChange> {
  requirePermission(caller, 'user:role');
  if (isOwner(input.role)) throw new Forbidden('user', OWNER_IS_HANDED_OVER);
  if (!assignableRoles(actingRole(caller)).includes(input.role)) {
    throw new Forbidden('user', `You cannot give the role ${input.role}: only ${assignableRoles(actingRole(caller)).join(', ')}.`);
  }
  const now = core.clock();
  return transaction(core.db, async (tx) => {
    const user = await findAccountToManage(tx, caller, input.username);
    const from = roleOf(user.role);
    if (from === input.role) return { user, from, to: from, changed: false };
    await queries.setRole(tx, user.id, input.role, now);
    await recordAudit(tx, caller, { action: 'user.role', target: userTarget(user), details: { from, to: input.role } }, now);
    return { user: { ...user, role: input.role }, from, to: input.role, changed: true };
  });
}

/**
 * The owner hands the site to another account, which becomes its owner while the old owner becomes
 * an admin, in one transaction (the unique index users_one_owner admits one owner: the old one
 * steps down first). The operator (`quire user role NAME owner`) may do it for the owner. The
 * owner is read inside the transaction: of two handovers racing, the second finds its caller no
 * longer the owner and is refused.
 */
export async function transferOwnership(core: Core, caller: Caller, input: { username: string }): Promise<{ owner: User; previous: User | null }> {
  // refused about the account, as every other act here (RealWorld's `user`)
  if (!can(caller, 'owner:transfer')) throw new Forbidden('user', ONLY_THE_OWNER_HANDS_OVER);
  const now = core.clock();
  return transaction(core.db, async (tx) => {
    const user = await findUserNamed(tx, input.username);
    const current = await findOwner(tx);
    if (caller.door !== 'cli' && (current === null || current.id !== caller.userId)) throw new Forbidden('user', ONLY_THE_OWNER_HANDS_OVER);
    if (current !== null && current.id === user.id) throw new Forbidden('user', `${user.username} is already the owner.`);
    if (queries.isPlaceholder(user)) throw new Forbidden('user', NOT_ON_THE_PLACEHOLDER);
    if (user.suspendedAt !== null) throw new Forbidden('user', 'A suspended account cannot become the owner: unsuspend it first.');
    const from = roleOf(user.role);
    if (current !== null) await queries.setRole(tx, current.id, 'admin', now);
    await queries.setRole(tx, user.id, 'owner', now);
    await recordAudit(
      tx,
      caller,
      {
        action: 'owner.transfer',
        target: userTarget(user),
        details: { from, to: 'owner', previousOwner: current?.username ?? null, previousOwnerBecomes: current ? 'admin' : null },
      },
      now,
    );
    return { owner: { ...user, role: 'owner' }, previous: current ? { ...current, role: 'admin' } : null };
  });
}

export type SuspendInput = { username: string; until: Date | null; reason: string };

/**
 * Suspends an account until a time or for good: its sessions (and so its API tokens) end at once,
 * and its articles and comments are hidden (hideContentOfAuthor), all in one transaction with the
 * audit entry. A suspended account may be suspended again with a new end or reason.
 */
export async function suspendUser(core: Core, caller: Caller, input: SuspendInput): Promise<Outcome<{ user: User }>> {
  requirePermission(caller, 'user:suspend');
  const now = core.clock();
  if (input.until !== null && input.until.getTime() <= now) return fail({ until: ['must be in the future'] });
  const outcome = await transaction(core.db, async (tx) => {
    const user = await findAccountToManage(tx, caller, input.username);
    const suspension = { at: new Date(now), until: input.until, reason: input.reason };
    await queries.setSuspension(tx, user.id, suspension, now);
    await invalidateUserSessions(tx, user.id);
    await hideContentOfAuthor(tx, user.id, new Date(now), input.reason);
    await recordAudit(
      tx,
      caller,
      { action: 'user.suspend', target: userTarget(user), reason: input.reason, details: { until: input.until?.toISOString() ?? null } },
      now,
    );
    return { ...user, suspendedAt: suspension.at, suspendedUntil: suspension.until, suspensionReason: suspension.reason };
  });
  return succeed({ user: outcome });
}

/** Ends a suspension (inside the caller's transaction): what it hid comes back, what a moderator hid stays hidden. */
async function liftSuspension(tx: Db, by: Caller | 'system', user: User, now: number, ended: 'lifted' | 'expired'): Promise<User> {
  await queries.setSuspension(tx, user.id, null, now);
  await restoreContentOfAuthor(tx, user.id);
  await recordAudit(
    tx,
    by,
    { action: 'user.unsuspend', target: userTarget(user), details: { ended, until: user.suspendedUntil?.toISOString() ?? null } },
    now,
  );
  return { ...user, suspendedAt: null, suspendedUntil: null, suspensionReason: null };
}

/** Lifts a suspension before its end. An account that is not suspended is the caller's mistake. */
export async function unsuspendUser(core: Core, caller: Caller, input: { username: string }): Promise<Outcome<{ user: User }>> {
  requirePermission(caller, 'user:suspend');
  const now = core.clock();
  return transaction(core.db, async (tx) => {
    const user = await findAccountToManage(tx, caller, input.username);
    if (user.suspendedAt === null) return fail({ user: ['is not suspended'] });
    return succeed({ user: await liftSuspension(tx, caller, user, now, 'lifted') });
  });
}

/** Whether this suspension's end has come. */
const suspensionEnded = (user: Pick<User, 'suspendedAt' | 'suspendedUntil'>, now: number) =>
  user.suspendedAt !== null && user.suspendedUntil !== null && user.suspendedUntil.getTime() <= now;

/**
 * Quire ends a suspension whose end has come (audit entry by "Quire", door "system"): the
 * clean-ups (src/ops/cleanups.ts) for all of them every CLEANUP_INTERVAL_MS, and signIn for the
 * person signing in. Read again in the transaction: an admin may have lifted or changed it since.
 * Answers the account as it now is.
 */
export async function endSuspensionIfOver(db: Db, userId: number, now: number): Promise<User | null> {
  return transaction(db, async (tx) => {
    const user = await findUserById(tx, userId);
    if (!user) return null;
    return suspensionEnded(user, now) ? await liftSuspension(tx, 'system', user, now, 'expired') : user;
  });
}

/** Suspensions lifted by one step of the clean-ups. */
export const SUSPENSION_CLEANUP_STEP = 50;

/** One step of the clean-ups: ends the suspensions whose end has come (see endSuspensionIfOver). */
export async function endOverSuspensions(db: Db, now: number): Promise<{ deleted: number; next: string | null }> {
  const due = await queries.findEndedSuspensions(db, now, SUSPENSION_CLEANUP_STEP);
  for (const { id } of due) await endSuspensionIfOver(db, id, now);
  // those ended no longer match: the next step, if any, finds the next ones
  return { deleted: due.length, next: due.length < SUSPENSION_CLEANUP_STEP ? null : String(due[due.length - 1]!.id) };
}

/**
 * Deletes an account. With `keepContent`, its articles and comments stay, under the placeholder
 * account (./queries.ts, made on first use); without, they go with it. Favorites, follows and
 * sessions go either way.
 */
export async function deleteUser(
  core: Core,
  caller: Caller,
  input: { username: string; keepContent: boolean },
): Promise<{ username: string; articles: number; comments: number; keptContent: boolean }> {
  requirePermission(caller, 'user:delete');
  const now = core.clock();
  const { images, ...deleted } = await transaction(core.db, async (tx) => {
    const user = await findAccountToManage(tx, caller, input.username);
    const keeper = input.keepContent ? await queries.placeholderAccount(tx, now) : null;
    await recordAudit(tx, caller, { action: 'user.delete', target: userTarget(user), details: { keptContent: input.keepContent } }, now);
    // its images go with it (those its kept articles show stay with them: src/media/cleanup.ts)
    const images = await removeImagesOfAccount(tx, user.id, now, input.keepContent);
    const counts = await queries.deleteAccount(tx, user.id, keeper?.id ?? null, now);
    return { username: user.username, ...counts, keptContent: input.keepContent, images };
  });
  await deleteFilesAfterRemoval(core, images);
  return deleted;
}

/** What the confirmation page of a deletion shows: the account, and how much it has written. */
export async function findAccountToDelete(core: Pick<Core, 'db'>, caller: Caller, username: string) {
  requirePermission(caller, 'user:delete');
  const user = await findAccountToManage(core.db, caller, username);
  return { user, ...(await queries.countContentOf(core.db, user.id)) };
}

/** A page of accounts for /admin/users and GET /api/admin/users: for admins and the owner. */
export async function listAccountsFor(
  core: Pick<Core, 'db'>,
  caller: Caller,
  options: { page: number; search?: string; role?: Role; pageSize?: number },
): Promise<{ accounts: queries.AccountRow[]; total: number; pages: number }> {
  requirePermission(caller, 'user:suspend');
  const { accounts, total } = await queries.listAccounts(core.db, options);
  return { accounts, total, pages: Math.max(1, Math.ceil(total / (options.pageSize ?? queries.ACCOUNTS_PAGE_SIZE))) };
}

/**
 * Whether the caller may act on this account at all (the rule findAccountToManage enforces), for
 * the doors that show what may be done: /admin/users offers no form it would refuse.
 */
export function canManage(caller: Caller, account: Pick<User, 'id' | 'username' | 'role'>): boolean {
  if (caller.userId !== null && account.id === caller.userId) return false;
  if (queries.isPlaceholder(account) || isOwner(account.role)) return false;
  return actorOutranks(caller, roleOf(account.role));
}
