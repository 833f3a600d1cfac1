/**
 * Getting in and out: sign up (a person at the form or the API, or the operator at the CLI), sign
 * in, sign out, and ending one's own sessions. Changing settings and resetting a password are in
 * src/users/use-cases.ts.
 */
import { endSuspensionIfOver, suspensionMessage } from '../accounts/use-cases';
import { fail, Forbidden, NotFound, succeed, type Caller, type Core, type Outcome } from '../core';
import type { Db } from '../db/client';
import type { User } from '../db/schema';
import { transaction } from '../db/transaction';
import { loggableEmail, recordSecurityEvent } from '../security/audit';
import { queueEmailConfirmation } from '../account-links/email-confirmation';
import { mailSiteOf } from '../mail/mail-site';
import { createUser, findOwner, findUserByEmail, hasAnyUser, updateUser } from '../users/queries';
import type { Role } from '../roles/permissions';
import { hasFieldErrors, signedInUser, spendPasswordCheck, takenNames, weakPassword, writingNames } from '../users/use-cases';
import { hashPassword, verifyPassword, verifyPasswordAgainstNobody } from './password';
import { measurePassword, type PasswordStrength } from './password-strength';
import { checkInvitationToken, claimInvitation, INVITATION_REFUSALS, recordInvitationUse } from '../invitations/use-cases';
import { refuseFilledHoneypot } from '../site/spam';
import { verifySecondFactor } from '../two-factor/use-cases';
import { createSession, invalidateSession, invalidateSessionByHandle, invalidateUserSessions } from './session';

/** A new session's token, for the cookie or the API's answer, and when it ends. */
export type NewSession = { token: string; expiresAt: Date };

/** A throttle key for a caller without an address (none of today's doors signs in that way). */
const NO_ADDRESS = 'unknown';

/** The site has its one owner: the role is handed over, not given twice. */
export const OWNER_TAKEN = 'is taken: the site already has an owner, who can hand the role over';

/** One message for a wrong password and an unknown email, so no answer reveals who is registered. */
export const INVALID_CREDENTIALS = 'email or password is invalid';

async function startSession(core: Core, db: Db, caller: Caller, userId: number, twoFactorVerified = false): Promise<NewSession> {
  const { token, session } = await createSession(db, userId, { now: core.clock(), userAgent: caller.userAgent ?? null, twoFactorVerified });
  return { token, expiresAt: session.expiresAt };
}

/** Why a sign-up without an invitation is refused, by the registration setting. */
export const REGISTRATION_REFUSALS = {
  invite: 'Sign-ups on this site are by invitation only: ask the people who run it for an invitation link.',
  closed: 'Sign-ups on this site are closed.',
} as const;

/** Refused at every door alike (a 403): registration is not open and this is not the site's first account. */
export class RegistrationClosed extends Forbidden {
  constructor(readonly mode: 'invite' | 'closed') {
    super('registration', REGISTRATION_REFUSALS[mode]);
  }
}

async function requireOpenRegistration(core: Core): Promise<void> {
  const { registration } = (await core.reads.site()).settings;
  if (registration === 'open') return;
  // a new site's first account is its owner: without it nobody could ever open the site
  if (!(await hasAnyUser(core.db))) return;
  throw new RegistrationClosed(registration);
}

/** Whether a sign-up without an invitation would be refused now: what /register says instead of a form. */
export async function registrationRefusal(core: Pick<Core, 'db' | 'reads'>): Promise<'invite' | 'closed' | null> {
  const { registration } = (await core.reads.site()).settings;
  if (registration === 'open' || !(await hasAnyUser(core.db))) return null;
  return registration;
}

/**
 * A new account, signed in at once. The operator (`quire user create`, caller door 'cli') creates
 * one for someone else: the same rules for names and passwords, but no sign-up limit (it keeps
 * scripts from filling the site through the form and the API) and no session. A person's address
 * starts unconfirmed, with a confirmation mail queued (src/account-links/email-confirmation.ts);
 * the operator's counts as confirmed.
 */
export async function signUp(
  core: Core,
  caller: Caller,
  input: {
    username: string;
    email: string;
    password: string;
    /** the operator's choice (`quire user create --role`); anyone else's account gets the default */
    role?: Role;
    /** an invitation link's token (/register?invite=...): lets in when registration is not open, and gives its role */
    invitation?: string | undefined;
    /** the form's honeypot field (src/site/spam.ts): filled, a robot filled the form */
    honeypot?: string | undefined;
  },
): Promise<Outcome<{ user: User; session: NewSession | null }>> {
  const { db, clock, limits, log } = core;
  const operator = caller.door === 'cli';
  if (input.role !== undefined && !operator) throw new Forbidden('user', 'Only the operator can choose a new account’s role.');
  const invitation = operator ? undefined : input.invitation || undefined;
  // who may join (site settings); the operator always may, and so may the first account of a new
  // site, or nobody could ever own it. Answered before the limit: it says nothing about names.
  if (!operator && invitation === undefined) await requireOpenRegistration(core);
  // Every attempt spends one from the sign-up limit before anything is checked, taken names and
  // refusals included: an answer says whether the username and email are free, so one address
  // learns no more names an hour than it may create accounts, and once the limit is spent the
  // answer is the 429 whatever the names.
  if (!operator) await limits.enforce('signup', caller.ip ?? NO_ADDRESS, clock(), caller.requestId ?? undefined);
  const trapped = await refuseFilledHoneypot(core, caller, { honeypot: input.honeypot, form: 'sign-up' });
  if (trapped) return trapped;
  if (invitation !== undefined) {
    // a link that cannot be used is said before any password work; the claim below decides a race
    const { state } = await checkInvitationToken(db, invitation, clock());
    if (state !== 'open') return fail({ invitation: [INVITATION_REFUSALS[state]] });
  }
  const errors = {
    ...(await weakPassword(core, caller, input.password, [input.username, input.email])),
    ...(await takenNames(db, input)),
  };
  if (hasFieldErrors(errors)) return fail(errors);
  // hashed before the transaction: it takes tens of milliseconds that nothing else should wait for
  const passwordHash = await hashPassword(input.password);
  // the confirmation mail's sender, read before the transaction (src/mail/mail-site.ts)
  const site = operator ? null : await mailSiteOf(core);
  const outcome = await writingNames(() =>
    transaction(db, async (tx) => {
      // again: someone may have taken the name while the password was being hashed
      const taken = await takenNames(tx, input);
      if (hasFieldErrors(taken)) return fail(taken);
      // the link is marked used in this transaction: should the account not be made, nor is it
      const claimed = invitation === undefined ? null : await claimInvitation(tx, invitation, clock());
      if (claimed && !claimed.ok) return fail({ invitation: [claimed.message] });
      // the first account of a new site is its owner (src/roles/permissions.ts); the unique index
      // users_one_owner refuses a second, should two first sign-ups race on two nodes
      const role = input.role ?? ((await hasAnyUser(tx)) ? (claimed?.role ?? 'author') : 'owner');
      if (role === 'owner' && (await findOwner(tx))) return fail({ role: [OWNER_TAKEN] });
      const created = await createUser(tx, { username: input.username, email: input.email, passwordHash, role }, clock());
      // the operator vouches for the address; anyone else confirms it by the link mailed to it
      const user = site ? created : await updateUser(tx, created.id, { emailConfirmedAt: new Date(clock()) }, clock());
      if (site) await queueEmailConfirmation(tx, { user, address: user.email, site, now: clock() });
      if (claimed) await recordInvitationUse(tx, caller, claimed, user, clock());
      return succeed({ user, session: operator ? null : await startSession(core, tx, caller, user.id) });
    }),
  );
  if (outcome.ok) recordSecurityEvent(log, caller, 'signup', { userId: outcome.value.user.id });
  return outcome;
}

/**
 * The live strength hint under password fields: how guessable `password` is, given the words
 * (`context`: the username and email typed so far) that make it guessable for this person. Spends
 * a password check (spendPasswordCheck): it is the one act a visitor can repeat without a form.
 */
export async function measurePasswordStrength(
  core: Core,
  caller: Caller,
  input: { password: string; context: string[] },
): Promise<PasswordStrength> {
  await spendPasswordCheck(core, caller);
  return await measurePassword(input.password, input.context);
}

/**
 * A new session for the right email and password, after a growing back-off per address and per
 * email once attempts fail. A failure is `{ form: [INVALID_CREDENTIALS] }` either way; a suspended
 * account, with the right password, is `{ account: [suspensionMessage] }`.
 *
 * An account with a second factor (Lucia's two-factor guide): with `codeLater` (the web form) the
 * session starts pending (`twoFactorPending`), worth nothing until /login/two-factor passes it;
 * otherwise (the API) `code` must come with the password: missing, `{ code: ['is required'] }`;
 * wrong, `{ code: ['is invalid'] }` (both throttled per account).
 */
export async function signIn(
  core: Core,
  caller: Caller,
  input: { email: string; password: string; code?: string | undefined; codeLater?: boolean },
): Promise<Outcome<{ user: User; session: NewSession; twoFactorPending: boolean; recoveryCodesLeft: number | null }>> {
  const { db, clock, limits, log } = core;
  const address = caller.ip ?? NO_ADDRESS;
  // reserved before any password work, and counted as a failure until the password is right
  const attempt = await limits.reserveSignin(address, input.email, clock(), caller.requestId ?? undefined);
  const user = await findUserByEmail(db, input.email);
  // as slow without a user as with one, so response times do not reveal who is registered
  const valid = user
    ? await verifyPassword(user.passwordHash, input.password)
    : await verifyPasswordAgainstNobody(input.password);
  if (!user || !valid) {
    recordSecurityEvent(log, caller, 'signin.failure', { email: loggableEmail(input.email), knownEmail: Boolean(user) });
    return fail({ form: [INVALID_CREDENTIALS] });
  }
  await attempt.succeeded();
  // told only once the password is right, so the answer reveals nothing to a stranger; a
  // suspension whose end has come ends here rather than at the next clean-up
  const account = user.suspendedAt === null ? user : await endSuspensionIfOver(db, user.id, clock());
  if (!account) return fail({ form: [INVALID_CREDENTIALS] });
  if (account.suspendedAt !== null) {
    recordSecurityEvent(log, caller, 'signin.suspended', { userId: user.id });
    return fail({ account: [suspensionMessage(account)] });
  }
  const twoFactor = account.totpKey !== null;
  let recoveryCodesLeft: number | null = null;
  if (twoFactor && !input.codeLater) {
    const second = await verifySecondFactor(core, caller, account, input.code);
    if (!second.ok) return second;
    recoveryCodesLeft = second.value.recoveryCodesLeft;
  }
  const pending = twoFactor && Boolean(input.codeLater);
  const session = await startSession(core, db, caller, user.id, twoFactor && !pending);
  recordSecurityEvent(log, caller, 'signin.success', { userId: user.id, twoFactorPending: pending });
  return succeed({ user, session, twoFactorPending: pending, recoveryCodesLeft });
}

/** Ends the session the caller came with (none: nothing to end, nothing logged). */
export async function signOut(core: Core, caller: Caller, input: { sessionId: string | null }): Promise<void> {
  if (input.sessionId === null) return;
  await invalidateSession(core.db, input.sessionId);
  recordSecurityEvent(core.log, caller, 'signout');
}

/**
 * Ends one of the signed-in user's own sessions, named by its handle. Any other handle (someone
 * else's session, one already ended) is simply not found.
 */
export async function revokeSession(core: Core, caller: Caller, input: { handle: string }): Promise<void> {
  if (!(await invalidateSessionByHandle(core.db, signedInUser(caller), input.handle))) {
    throw new NotFound('session', 'That session does not exist (it may already have ended).');
  }
  recordSecurityEvent(core.log, caller, 'session.revoked', { scope: 'one' });
}

/** Ends every session and API token of the signed-in user but the one in use. */
export async function revokeOtherSessions(core: Core, caller: Caller, input: { currentSessionId: string | null }): Promise<void> {
  await invalidateUserSessions(core.db, signedInUser(caller), input.currentSessionId ?? undefined);
  recordSecurityEvent(core.log, caller, 'session.revoked', { scope: 'others' });
}
