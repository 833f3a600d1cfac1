/**
 * E-mail confirmation (issue #17). A new account (the page or the API; the operator's count as
 * confirmed) gets a link to /confirm-email/TOKEN, valid 48 hours; the page it opens confirms with
 * a button (a POST), so mail scanners that fetch every link confirm nothing. Changing one's
 * address no longer changes it at once: the link goes to the NEW address (the token's data is that
 * address) and the change applies when it is followed, if the address is still free then (else a
 * 409); the old address is then told ('email-changed' notice). Whether an unconfirmed account may
 * publish and comment is a site setting (`unconfirmedMayWrite`, on by default).
 */
import { emailConfirmMail } from '../../views/mail/account-mails';
import { fail, Forbidden, NotFound, succeed, type Caller, type Core, type Outcome } from '../core';
import type { Db } from '../db/client';
import type { User } from '../db/schema';
import { transaction } from '../db/transaction';
import { TAKEN } from '../lib/messages';
import { mailSiteOf, type MailSite } from '../mail/mail-site';
import { sendSecurityNotice } from '../mail/notices';
import { enqueueMail } from '../mail/outbox';
import { can } from '../roles/permissions';
import { recordSecurityEvent } from '../security/audit';
import { findUserById, isEmailTaken, updateUser } from '../users/queries';
import { signedInUser, writingNames } from '../users/use-cases';
import { deleteAccountTokens, findAccountToken, newAccountToken, newestAccountToken, storeAccountToken, takeAccountToken } from './tokens';

export const EMAIL_CONFIRM_HOURS = 48;
const EMAIL_CONFIRM_MS = EMAIL_CONFIRM_HOURS * 3_600_000;

export const confirmLink = (publicUrl: string, token: string): string => `${publicUrl}/confirm-email/${token}`;

export const CONFIRM_LINK_REFUSALS = {
  unknown: 'This confirmation link is not valid: it may have been used already or replaced by a newer one.',
  expired: `This confirmation link has expired (links work for ${EMAIL_CONFIRM_HOURS} hours). Send a new one from your settings.`,
} as const;

/** Why an unconfirmed account is refused, when the site asks for confirmed addresses. */
export class EmailNotConfirmed extends Forbidden {
  constructor(readonly act: 'publish' | 'comment') {
    super(
      'email',
      `Please confirm your e-mail address before you ${act === 'publish' ? 'publish articles' : 'comment'}: follow the link we sent you, or send it again.`,
    );
  }
}

/** When an address changes (its case aside): the two are different addresses. */
export const sameAddress = (a: string, b: string): boolean => a.toLowerCase() === b.toLowerCase();

/**
 * Inside the transaction of the act that asks for it (a sign-up, an address change, a resend):
 * replaces the account's confirmation link with a new one for `address` and queues its mail.
 */
export async function queueEmailConfirmation(
  tx: Db,
  input: { user: Pick<User, 'id' | 'username' | 'email'>; address: string; site: MailSite; now: number },
): Promise<void> {
  const { user, address, site, now } = input;
  const token = newAccountToken();
  await deleteAccountTokens(tx, user.id, 'email-confirm');
  await storeAccountToken(tx, { token, purpose: 'email-confirm', userId: user.id, data: address, now, lifetimeMs: EMAIL_CONFIRM_MS });
  const mail = await emailConfirmMail({
    site,
    username: user.username,
    address,
    link: confirmLink(site.url, token),
    hours: EMAIL_CONFIRM_HOURS,
    change: !sameAddress(address, user.email),
  });
  await enqueueMail(tx, { kind: 'email-confirm', userId: user.id, to: address, ...mail }, now);
}

/** The account's address and whether it is confirmed, and an address waiting to replace it. */
export type EmailState = { email: string; confirmed: boolean; pending: string | null };

export async function readEmailState(core: Pick<Core, 'db' | 'clock'>, user: Pick<User, 'id' | 'email' | 'emailConfirmedAt'>): Promise<EmailState> {
  const newest = await newestAccountToken(core.db, user.id, 'email-confirm', core.clock());
  const pending = newest?.data && !sameAddress(newest.data, user.email) ? newest.data : null;
  return { email: user.email, confirmed: user.emailConfirmedAt !== null, pending };
}

/** What a confirmation link would do, for the page that asks for the button press. */
export async function checkConfirmationLink(
  core: Pick<Core, 'db' | 'clock'>,
  token: string,
): Promise<{ state: 'open'; user: User; address: string; change: boolean } | { state: 'unknown' | 'expired' }> {
  const found = await findAccountToken(core.db, 'email-confirm', token, core.clock());
  if (found.state !== 'open') return found;
  const user = await findUserById(core.db, found.row.userId);
  if (!user || !found.row.data) return { state: 'unknown' };
  return { state: 'open', user, address: found.row.data, change: !sameAddress(found.row.data, user.email) };
}

/**
 * Follows a confirmation link (anyone holding it: the link is the proof). The account's own
 * address becomes confirmed; a new address replaces the old one if no other account took it
 * meanwhile (`{ email: [TAKEN] }`), and the old one gets the 'email-changed' notice. Reset links,
 * mailed to the old address, die with the change.
 */
export async function confirmEmail(
  core: Core,
  caller: Caller,
  input: { token: string },
): Promise<Outcome<{ user: User; changed: boolean }>> {
  const { db, clock, log } = core;
  const site = await mailSiteOf(core);
  const now = clock();
  const outcome = await writingNames(() =>
    transaction(db, async (tx) => {
      const taken = await takeAccountToken(tx, 'email-confirm', input.token, now);
      if (taken.state !== 'open') return fail({ link: [CONFIRM_LINK_REFUSALS[taken.state]] });
      const user = await findUserById(tx, taken.row.userId);
      const address = taken.row.data;
      if (!user || !address) return fail({ link: [CONFIRM_LINK_REFUSALS.unknown] });
      if (sameAddress(address, user.email)) {
        const updated = user.emailConfirmedAt ? user : await updateUser(tx, user.id, { emailConfirmedAt: new Date(now) }, now);
        return succeed({ user: updated, changed: false });
      }
      // the address was free when the change was asked for; someone may have taken it since
      if (await isEmailTaken(tx, address, user.id)) return fail({ email: [TAKEN] });
      const updated = await updateUser(tx, user.id, { email: address, emailConfirmedAt: new Date(now) }, now);
      await deleteAccountTokens(tx, user.id, 'password-reset');
      await sendSecurityNotice(tx, updated, 'email-changed', now, user.email, { site, caller, newAddress: address });
      return succeed({ user: updated, changed: true });
    }),
  );
  if (outcome.ok) recordSecurityEvent(log, caller, 'email.confirmed', { userId: outcome.value.user.id, changed: outcome.value.changed });
  return outcome;
}

/**
 * The signed-in user asks for their confirmation mail again: to the address waiting to replace
 * theirs if there is one, else to their own if it is unconfirmed. Limited per client address and
 * per account. `{ email: ['is already confirmed'] }` when there is nothing to confirm.
 */
export async function resendEmailConfirmation(core: Core, caller: Caller): Promise<Outcome<{ address: string }>> {
  const { db, clock, limits, log } = core;
  const userId = signedInUser(caller);
  const requestId = caller.requestId ?? undefined;
  await limits.enforce('emailConfirm', caller.ip ?? 'unknown', clock(), requestId);
  await limits.enforce('emailConfirm', `user:${userId}`, clock(), requestId);
  const user = await findUserById(db, userId);
  if (!user) throw new NotFound('user', 'That account no longer exists.');
  const { pending, confirmed } = await readEmailState(core, user);
  const address = pending ?? (confirmed ? null : user.email);
  if (address === null) return fail({ email: ['is already confirmed'] });
  const site = await mailSiteOf(core);
  const now = clock();
  await transaction(db, (tx) => queueEmailConfirmation(tx, { user, address, site, now }));
  recordSecurityEvent(log, caller, 'email.change-requested', { userId, resend: true });
  return succeed({ address });
}

/**
 * Refuses (EmailNotConfirmed, a 403) an unconfirmed account's article or comment when the site
 * asks for confirmed addresses. Moderators and up and the operator are exempt: trusted, and the
 * site's first accounts may have no mail to confirm with.
 */
export async function requireConfirmedEmail(core: Core, caller: Caller, act: 'publish' | 'comment'): Promise<void> {
  if (caller.userId === null || can(caller, 'admin:view')) return;
  if ((await core.reads.site()).settings.unconfirmedMayWrite) return;
  const user = await findUserById(core.db, caller.userId);
  if (!user || user.emailConfirmedAt !== null) return;
  throw new EmailNotConfirmed(act);
}
