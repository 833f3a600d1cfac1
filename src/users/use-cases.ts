/**
 * What a person or the operator does to an account once it exists: change its settings, reset its
 * password. Sign-up, sign-in and sessions are in src/auth/use-cases.ts; the rules both share (names
 * are unique, passwords are not easy to guess) are here.
 */
import { recordMediaUses } from '../media/uses';
import { queueEmailConfirmation } from '../account-links/email-confirmation';
import { deleteAccountTokens } from '../account-links/tokens';
import { hashPassword, verifyPassword } from '../auth/password';
import { mailSiteOf } from '../mail/mail-site';
import { sendSecurityNotice } from '../mail/notices';
import { weakPasswordMessage } from '../auth/password-strength';
import { invalidateUserSessions } from '../auth/session';
import { fail, Forbidden, NotFound, succeed, type Caller, type Core, type FieldErrors, type Outcome } from '../core';
import type { Db } from '../db/client';
import { violatesUniqueIndex } from '../db/engine';
import { transaction } from '../db/transaction';
import type { User } from '../db/schema';
import { TAKEN } from '../lib/messages';
import { recordSecurityEvent } from '../security/audit';
import { findUserById, findUserByUsername, isEmailTaken, isUsernameTaken, updateUser, type UserChanges } from './queries';

export const hasFieldErrors = (errors: FieldErrors): boolean => Object.keys(errors).length > 0;

/** A username or email someone else (any user but `exceptId`) has, whatever its case. */
export async function takenNames(db: Db, names: { username?: string; email?: string }, exceptId?: number): Promise<FieldErrors> {
  const errors: FieldErrors = {};
  if (names.username !== undefined && (await isUsernameTaken(db, names.username, exceptId))) errors['username'] = [TAKEN];
  if (names.email !== undefined && (await isEmailTaken(db, names.email, exceptId))) errors['email'] = [TAKEN];
  return errors;
}

/** The unique indexes on users (src/db/schema.ts) and the field each protects. */
const UNIQUE_NAME_INDEXES: ReadonlyArray<readonly [index: string, field: 'username' | 'email']> = [
  ['users_username_lower_unique', 'username'],
  ['users_email_lower_unique', 'email'],
];

/** The field a refusal by a users unique index is about, or null for any other error. */
function nameTakenByIndex(error: unknown): FieldErrors | null {
  const hit = UNIQUE_NAME_INDEXES.find(([index]) => violatesUniqueIndex(error, index));
  return hit ? { [hit[1]]: [TAKEN] } : null;
}

/**
 * Writes a username or email, answering a unique index's refusal as the field error "has already
 * been taken". The use cases check again inside their transaction, so this is the last word for
 * what that check cannot see (a rule of the index the query does not share, a write by a trigger
 * or another program): a taken name is the person's mistake to correct, never a 500.
 */
export async function writingNames<T>(write: () => Promise<Outcome<T>>): Promise<Outcome<T>> {
  try {
    return await write();
  } catch (error) {
    const taken = nameTakenByIndex(error);
    if (taken) return fail(taken);
    throw error;
  }
}

/**
 * Spends one password check from the caller's address and, when signed in, their account, or
 * throws TooManyRequests: each check costs the worker thread up to 0.4 s, and the hint, sign-up and
 * settings all ask for one before any other limit is spent. The operator is not limited.
 */
export async function spendPasswordCheck(core: Core, caller: Caller): Promise<void> {
  if (caller.door === 'cli') return;
  const now = core.clock();
  const requestId = caller.requestId ?? undefined;
  await core.limits.enforce('passwordStrength', caller.ip ?? 'unknown', now, requestId);
  if (caller.userId !== null) await core.limits.enforce('passwordStrength', `user:${caller.userId}`, now, requestId);
}

/**
 * The password rule beyond its length (which zod checks at the door): not a common or guessable
 * one, given the words that make it guessable for this user. Off with BLOCK_COMMON_PASSWORDS=false.
 */
export async function weakPassword(core: Core, caller: Caller, password: string, context: string[]): Promise<FieldErrors> {
  if (!core.env.BLOCK_COMMON_PASSWORDS) return {};
  await spendPasswordCheck(core, caller);
  const weak = await weakPasswordMessage(password, context, true);
  return weak ? { password: [weak] } : {};
}

/** The signed-in user a use case acts for; the doors guard first, so this refuses only a bug. */
export function signedInUser(caller: Caller): number {
  if (caller.userId === null) throw new Forbidden('user', 'You need to sign in first.');
  return caller.userId;
}

export const ACCOUNT_SUSPENDED = 'Your account is suspended.';

/**
 * The signed-in user, refused if their account is suspended. A suspended account has no session
 * (suspendUser ends them, and session validation refuses any left), so no door lets one in; the
 * acts that add to the site (writing, commenting, favoriting, following) still ask here, in case a
 * request validated its session just before the suspension was written.
 */
export async function activeSignedInUser(db: Db, caller: Caller): Promise<number> {
  const userId = signedInUser(caller);
  const user = await findUserById(db, userId);
  if (!user) throw new NotFound('user', 'That account no longer exists.');
  if (user.suspendedAt !== null) throw new Forbidden('user', ACCOUNT_SUSPENDED);
  return userId;
}

/** The user the operator names, or the refusal every door shows for a name nobody has. */
export async function findUserNamed(db: Db, username: string): Promise<User> {
  const user = await findUserByUsername(db, username);
  if (!user) throw new NotFound('user', `There is no user named ${username}`);
  return user;
}

export type SettingsChanges = {
  username?: string;
  email?: string;
  /** null clears it */
  bio?: string | null;
  /** null clears it */
  image?: string | null;
  /** left out keeps the current password */
  password?: string;
};

export type ChangeSettingsInput = {
  /** only what is given changes */
  changes: SettingsChanges;
  /**
   * The web form asks for the current password before the email or password changes, so a
   * borrowed session cannot take over the account; RealWorld's PUT /api/user changes them with
   * the token alone, as its specification says.
   */
  requireCurrentPassword: boolean;
  currentPassword?: string;
  /** the session making the change: it stays signed in when the password changes, the others end */
  currentSessionId: string | null;
};

/**
 * The signed-in user changes their profile, email or password. Field errors in RealWorld's words:
 * a name taken by someone else, a password too easy to guess, and (when asked for) a current
 * password missing or wrong. A new address (not just its case) does not change at once: a link to
 * confirm it goes to it (`emailPending`), and the change applies when the link is followed
 * (src/account-links/email-confirmation.ts). A new password ends the other sessions, voids every
 * reset link and sends the 'password-changed' notice.
 */
export async function changeSettings(
  core: Core,
  caller: Caller,
  input: ChangeSettingsInput,
): Promise<Outcome<{ user: User; passwordChanged: boolean; emailPending: string | null }>> {
  const { db, clock, log } = core;
  const user = await findUserById(db, signedInUser(caller));
  if (!user) throw new NotFound('user', 'That account no longer exists.');
  const { changes } = input;
  const newPassword = changes.password;
  const errors: FieldErrors = {
    ...(await takenNames(db, changes, user.id)),
    ...(newPassword !== undefined
      ? await weakPassword(core, caller, newPassword, [changes.username ?? user.username, changes.email ?? user.email])
      : {}),
  };

  const emailChanged = changes.email !== undefined && changes.email.toLowerCase() !== user.email.toLowerCase();
  // checked only when all else is right: a wrong guess costs a hash, and says nothing of other fields
  if (input.requireCurrentPassword && (emailChanged || newPassword !== undefined) && !hasFieldErrors(errors)) {
    if (!input.currentPassword) {
      errors['currentPassword'] = ['is needed to change your email or password'];
    } else if (!(await verifyPassword(user.passwordHash, input.currentPassword))) {
      errors['currentPassword'] = ['is not correct'];
    }
  }
  if (hasFieldErrors(errors)) return fail(errors);

  const stored: UserChanges = {};
  if (changes.username !== undefined) stored.username = changes.username;
  // its case alone changes at once; another address waits for its confirmation
  if (changes.email !== undefined && !emailChanged) stored.email = changes.email;
  const emailPending = emailChanged ? changes.email! : null;
  if (changes.bio !== undefined) stored.bio = changes.bio;
  if (changes.image !== undefined) stored.image = changes.image;
  // hashed before the transaction: it takes tens of milliseconds that nothing else should wait for
  if (newPassword !== undefined) stored.passwordHash = await hashPassword(newPassword);
  // the mails' sender, read before the transaction (src/mail/mail-site.ts)
  const site = emailPending !== null || newPassword !== undefined ? await mailSiteOf(core) : null;

  const outcome = await writingNames(() =>
    transaction(db, async (tx) => {
      // again: another account may have taken the name while the passwords were being hashed
      const taken = await takenNames(tx, changes, user.id);
      if (hasFieldErrors(taken)) return fail(taken);
      const now = clock();
      const updated = await updateUser(tx, user.id, stored, now);
      if (stored.image !== undefined) await recordMediaUses(tx, { userId: user.id }, stored.image);
      if (newPassword !== undefined) {
        // whoever knew the old password is signed out everywhere but here, and their reset links die
        await invalidateUserSessions(tx, user.id, input.currentSessionId ?? undefined);
        await deleteAccountTokens(tx, user.id, 'password-reset');
        await sendSecurityNotice(tx, updated, 'password-changed', now, updated.email, { site: site!, caller });
      }
      if (emailPending !== null) await queueEmailConfirmation(tx, { user: updated, address: emailPending, site: site!, now });
      return succeed(updated);
    }),
  );
  if (!outcome.ok) return outcome;
  if (newPassword !== undefined) recordSecurityEvent(log, caller, 'password.changed');
  if (emailPending !== null) recordSecurityEvent(log, caller, 'email.change-requested', { userId: user.id });
  return succeed({ user: outcome.value, passwordChanged: newPassword !== undefined, emailPending });
}

/**
 * The operator sets a new password for a user who lost theirs (`quire user reset-password`):
 * every session of that user ends, since whoever had the old password may have one.
 */
export async function resetPassword(
  core: Core,
  caller: Caller,
  input: { username: string; password: string },
): Promise<Outcome<{ user: User }>> {
  const { db, clock, log } = core;
  // a person changes their own password through changeSettings, proving the current one
  if (caller.door !== 'cli') throw new Forbidden('user', 'Only the operator can reset a password.');
  const user = await findUserNamed(db, input.username);
  const errors = await weakPassword(core, caller, input.password, [user.username, user.email]);
  if (hasFieldErrors(errors)) return fail(errors);
  const passwordHash = await hashPassword(input.password);
  const site = await mailSiteOf(core);
  const updated = await transaction(db, async (tx) => {
    const now = clock();
    const row = await updateUser(tx, user.id, { passwordHash }, now);
    await invalidateUserSessions(tx, user.id);
    await deleteAccountTokens(tx, user.id, 'password-reset');
    await sendSecurityNotice(tx, row, 'password-changed', now, row.email, { site, caller });
    return row;
  });
  recordSecurityEvent(log, caller, 'password.changed', { userId: user.id });
  return succeed({ user: updated });
}
