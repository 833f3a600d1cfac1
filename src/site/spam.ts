/**
 * Spam resistance, as use cases apply it: a honeypot field on the sign-up and comment forms (a
 * person never sees it; a form-filling robot fills it), and fewer articles and comments for an
 * account in its first day (site settings newAccountArticlesPerDay / newAccountCommentsPerDay).
 * Every refusal is an audit entry (spam.honeypot, spam.new-account-limit). Such entries are
 * bounded by the limits already in front of them: a honeypot sign-up spends the per-address
 * sign-up limit, a comment needs an account and spends the comment limit. A sign-up refused only
 * because registration is closed writes none: any visitor could fill the log with those.
 */
import { count, eq } from 'drizzle-orm';
import { HTTPException } from 'hono/http-exception';
import { fail, type Caller, type Core, type Outcome } from '../core';
import { tablesOf } from '../db/engine';
import { idle, transaction } from '../db/transaction';
import { recordAudit } from '../audit/log';
import { TooManyRequests } from '../security/limits';
import { can } from '../roles/permissions';
import { findUserById } from '../users/queries';

/** The honeypot's field name: a word robots fill gladly. */
export const HONEYPOT_FIELD = 'website';

/** What a filled honeypot answers: nothing that tells a robot what gave it away. */
export const HONEYPOT_REFUSAL = 'This form could not be accepted. Please try again.';

/**
 * Refuses (and records) a form whose honeypot was filled; null when it was left empty. The entry
 * keeps the address and the form's name, never what else was typed (a password above all).
 */
export async function refuseFilledHoneypot(
  core: Pick<Core, 'db' | 'clock'>,
  caller: Caller,
  input: { honeypot?: string | undefined; form: 'sign-up' | 'comment' },
): Promise<Outcome<never> | null> {
  if (!input.honeypot) return null;
  await transaction(core.db, (tx) =>
    recordAudit(tx, caller, { action: 'spam.honeypot', details: { form: input.form, ip: caller.ip, userAgent: caller.userAgent ?? null } }, core.clock()),
  );
  return fail({ form: [HONEYPOT_REFUSAL] });
}

/** A comment refused by its honeypot: the form comes back (422) with HONEYPOT_REFUSAL. */
export class SpamRefused extends HTTPException {
  constructor() {
    super(422, { message: HONEYPOT_REFUSAL });
  }
}

export const NEW_ACCOUNT_MS = 24 * 60 * 60 * 1000;

/** The refusal of a new account's article or comment past its first day's allowance. */
export class NewAccountLimit extends TooManyRequests {
  constructor(retryAfterSeconds: number, message: string) {
    super(retryAfterSeconds);
    this.message = message;
  }
}

const clockTime = (ms: number) => new Date(ms).toISOString().slice(0, 16).replace('T', ' ') + ' UTC';

/**
 * A new account (its first 24 hours) may publish `newAccountArticlesPerDay` articles and write
 * `newAccountCommentsPerDay` comments (site settings). Counted from its rows: all of them, since
 * an account under a day old made them all in its first day. Moderators and up, and the operator,
 * are exempt. Throws NewAccountLimit (429, with the time it ends) after recording the refusal.
 */
export async function enforceNewAccountLimit(core: Core, caller: Caller, kind: 'articles' | 'comments'): Promise<void> {
  // the staff (moderator and up) and the CLI: trusted, and needed when a site is new
  if (caller.userId === null || can(caller, 'admin:view')) return;
  const user = await findUserById(core.db, caller.userId);
  if (!user) return;
  const now = core.clock();
  const endsAt = user.createdAt.getTime() + NEW_ACCOUNT_MS;
  if (now >= endsAt) return;
  const { settings } = await core.reads.site();
  const allowed = kind === 'articles' ? settings.newAccountArticlesPerDay : settings.newAccountCommentsPerDay;
  await idle(core.db);
  const { articles, comments } = tablesOf(core.db);
  const [row] =
    kind === 'articles'
      ? await core.db.select({ n: count() }).from(articles).where(eq(articles.authorId, user.id))
      : await core.db.select({ n: count() }).from(comments).where(eq(comments.authorId, user.id));
  const made = Number(row?.n ?? 0);
  if (made < allowed) return;
  await transaction(core.db, (tx) =>
    recordAudit(
      tx,
      caller,
      { action: 'spam.new-account-limit', target: { kind: 'user', id: user.id, label: user.username }, details: { kind, allowed, made, ip: caller.ip } },
      now,
    ),
  );
  const what = kind === 'articles' ? (allowed === 1 ? 'article' : 'articles') : allowed === 1 ? 'comment' : 'comments';
  const verb = kind === 'articles' ? 'publish' : 'write';
  throw new NewAccountLimit(
    Math.max(1, Math.ceil((endsAt - now) / 1000)),
    `New accounts can ${verb} ${allowed} ${what} in their first day; try again after ${clockTime(endsAt)}.`,
  );
}
