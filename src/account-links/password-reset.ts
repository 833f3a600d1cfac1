/**
 * Password reset by mail (issue #17): "Forgot password?" asks for an address; the answer is the
 * same whether an account has it or not; the mail holds a link (/reset-password/TOKEN) that works
 * once, for 30 minutes, and dies as soon as the password changes by any door (every use case that
 * changes a password deletes the account's reset links). Setting the new password ends every
 * session and API token of the account and sends the 'password-reset' notice; it signs nobody in,
 * so a second factor is never skipped: the person signs in afresh.
 *
 * Without SMTP, an admin (/admin/users) or the operator (`quire user reset-link NAME`) makes a link
 * to hand over by other means; both are audited ('user.reset-link').
 */
import { passwordResetMail } from '../../views/mail/account-mails';
import { findAccountToManage } from '../accounts/use-cases';
import { isPlaceholder } from '../accounts/queries';
import { recordAudit } from '../audit/log';
import { hashPassword } from '../auth/password';
import { invalidateUserSessions } from '../auth/session';
import { fail, Forbidden, succeed, type Caller, type Core, type Outcome } from '../core';
import type { User } from '../db/schema';
import { transaction } from '../db/transaction';
import { mailSiteOf } from '../mail/mail-site';
import { sendSecurityNotice } from '../mail/notices';
import { enqueueMail } from '../mail/outbox';
import { requirePermission } from '../roles/permissions';
import { loggableEmail, recordSecurityEvent } from '../security/audit';
import { findUserByEmail, findUserById, updateUser } from '../users/queries';
import { findUserNamed, hasFieldErrors, weakPassword } from '../users/use-cases';
import { deleteAccountTokens, findAccountToken, newAccountToken, storeAccountToken, takeAccountToken } from './tokens';

export const PASSWORD_RESET_MINUTES = 30;
const PASSWORD_RESET_MS = PASSWORD_RESET_MINUTES * 60_000;

export const resetLink = (publicUrl: string, token: string): string => `${publicUrl}/reset-password/${token}`;

/** What a person holding a link that cannot be used is told. */
export const RESET_LINK_REFUSALS = {
  unknown: 'This reset link is not valid: it may have been used already, or replaced by a newer one, or the password was changed since. Ask for a new one.',
  expired: `This reset link has expired (links work for ${PASSWORD_RESET_MINUTES} minutes). Ask for a new one.`,
} as const;

/** The one answer to "Forgot password?", whoever asks about whatever address. */
export const RESET_REQUESTED =
  'If an account uses that address, a message with a link to choose a new password is on its way. The link works for 30 minutes.';

/** An account that may get a reset link: not the placeholder of deleted authors, not suspended. */
const mayReset = (user: User | null): user is User => user !== null && !isPlaceholder(user) && user.suspendedAt === null;

/**
 * Someone asks for a reset link for `email`. Spends the reset limit per client address and per
 * address asked about (a 429 otherwise), then does the same work whether or not an account has
 * that address (a token made, a mail drawn), writing the token and the mail only when one does, so
 * neither the answer nor its time says who is registered.
 */
export async function requestPasswordReset(core: Core, caller: Caller, input: { email: string }): Promise<void> {
  const { db, clock, limits, log } = core;
  const now = clock();
  const requestId = caller.requestId ?? undefined;
  await limits.enforce('passwordReset', caller.ip ?? 'unknown', now, requestId);
  await limits.enforce('passwordReset', `email:${input.email.trim().toLowerCase()}`, now, requestId);
  const site = await mailSiteOf(core);
  const found = await findUserByEmail(db, input.email.trim());
  const user = mayReset(found) ? found : null;
  const token = newAccountToken();
  const mail = await passwordResetMail({ site, username: user?.username ?? 'there', link: resetLink(site.url, token), minutes: PASSWORD_RESET_MINUTES });
  if (user) {
    await transaction(db, async (tx) => {
      // one live link at a time: asking again replaces the one before
      await deleteAccountTokens(tx, user.id, 'password-reset');
      await storeAccountToken(tx, { token, purpose: 'password-reset', userId: user.id, now, lifetimeMs: PASSWORD_RESET_MS });
      await enqueueMail(tx, { kind: 'password-reset', userId: user.id, to: user.email, ...mail }, now);
    });
  }
  recordSecurityEvent(log, caller, 'password.reset-requested', { email: loggableEmail(input.email), knownEmail: user !== null });
}

/** Whether a reset link can be used now, and for whom (the page that shows the form). */
export async function checkPasswordResetLink(
  core: Pick<Core, 'db' | 'clock'>,
  token: string,
): Promise<{ state: 'open'; user: User } | { state: 'unknown' | 'expired' }> {
  const found = await findAccountToken(core.db, 'password-reset', token, core.clock());
  if (found.state !== 'open') return found;
  const user = await findUserById(core.db, found.row.userId);
  return mayReset(user) ? { state: 'open', user } : { state: 'unknown' };
}

/**
 * Sets a new password with a reset link: the same strength rules as sign-up and settings. In one
 * transaction: the link is used (deleted; a second use, or a race, finds nothing), the password
 * changes, every reset link and every session and API token of the account end, the notice is
 * queued. A link that cannot be used is `{ link: [why] }`.
 */
export async function resetPasswordWithLink(
  core: Core,
  caller: Caller,
  input: { token: string; password: string },
): Promise<Outcome<{ user: User }>> {
  const { db, clock, log } = core;
  const checked = await checkPasswordResetLink(core, input.token);
  if (checked.state !== 'open') return fail({ link: [RESET_LINK_REFUSALS[checked.state]] });
  const { user } = checked;
  const errors = await weakPassword(core, caller, input.password, [user.username, user.email]);
  if (hasFieldErrors(errors)) return fail(errors);
  // hashed before the transaction: it takes tens of milliseconds that nothing else should wait for
  const passwordHash = await hashPassword(input.password);
  const site = await mailSiteOf(core);
  const now = clock();
  const outcome = await transaction(db, async (tx) => {
    const taken = await takeAccountToken(tx, 'password-reset', input.token, now);
    // used meanwhile (another tab), or voided by a password change since the check above
    if (taken.state !== 'open' || taken.row.userId !== user.id) return fail({ link: [RESET_LINK_REFUSALS[taken.state === 'expired' ? 'expired' : 'unknown']] });
    const updated = await updateUser(tx, user.id, { passwordHash }, now);
    await deleteAccountTokens(tx, user.id, 'password-reset');
    // whoever knew the old password may hold a session or an API token: all end
    await invalidateUserSessions(tx, user.id);
    await sendSecurityNotice(tx, updated, 'password-reset', now, updated.email, { site, caller });
    return succeed({ user: updated });
  });
  if (outcome.ok) recordSecurityEvent(log, caller, 'password.reset', { userId: user.id });
  return outcome;
}

/**
 * An admin (for an account they may manage: ranked below theirs, not the owner, not themselves)
 * or the operator (for any account, the owner's included) makes a reset link for `username`, to hand over by other means when no mail is
 * sent. Audited; the link is in the answer and nowhere else. It replaces any link mailed before.
 */
export async function createPasswordResetLink(
  core: Core,
  caller: Caller,
  input: { username: string },
): Promise<{ user: User; link: string; expiresAt: Date }> {
  requirePermission(caller, 'user:suspend');
  const token = newAccountToken();
  const now = core.clock();
  const user = await transaction(core.db, async (tx) => {
    // the operator may hand the owner a link too (a site without mail whose owner forgot); an admin
    // only to accounts they manage, or a link would be a way into a higher rank
    const account = caller.door === 'cli' ? await findUserNamed(tx, input.username) : await findAccountToManage(tx, caller, input.username);
    if (isPlaceholder(account)) throw new Forbidden('user', 'This account only keeps the writing of deleted accounts: it has no password to reset.');
    if (account.suspendedAt !== null) throw new Forbidden('user', 'A suspended account cannot choose a new password: unsuspend it first.');
    await deleteAccountTokens(tx, account.id, 'password-reset');
    await storeAccountToken(tx, { token, purpose: 'password-reset', userId: account.id, now, lifetimeMs: PASSWORD_RESET_MS });
    await recordAudit(
      tx,
      caller,
      { action: 'user.reset-link', target: { kind: 'user', id: account.id, label: account.username }, details: { minutes: PASSWORD_RESET_MINUTES } },
      now,
    );
    return account;
  });
  return { user, link: resetLink(core.env.PUBLIC_URL, token), expiresAt: new Date(now + PASSWORD_RESET_MS) };
}
