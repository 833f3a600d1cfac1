/**
 * Notifications (issue #17): someone followed you, commented on your article, favorited it. The
 * acts (src/profiles, src/comments, src/articles use cases) call `notify` / `takeBackNotification`
 * inside their own transaction, whatever the door; the rest is what a person does with them: read
 * the page, mark them read, choose per kind whether they are shown and mailed, unsubscribe from a
 * mail with one click. Digests: at most one mail per kind per hour per person (DIGEST_INTERVAL_MS).
 */
import { sha256 } from '@oslojs/crypto/sha2';
import { encodeBase32LowerCaseNoPadding } from '@oslojs/encoding';
import { and, eq, lte } from 'drizzle-orm';
import { NotFound, type Caller, type Core } from '../core';
import type { Db } from '../db/client';
import { tablesOf } from '../db/engine';
import { idle, transaction } from '../db/transaction';
import { mailSiteIn } from '../mail/mail-site';
import { enqueueMail } from '../mail/outbox';
import { findUserById } from '../users/queries';
import { signedInUser } from '../users/use-cases';
import { digestMail } from '../../views/mail/notification-digest';
import * as queries from './queries';
import type { KindPreference, NotificationEvent, NotificationItem, NotificationKind } from './queries';

export { NOTIFICATION_KINDS, type NotificationKind } from './queries';

/** At most one digest per kind per person this often. */
export const DIGEST_INTERVAL_MS = 60 * 60 * 1000;
/** How long an unsubscribe link in a digest works. */
export const UNSUBSCRIBE_TOKEN_LIFETIME_MS = 90 * 24 * 60 * 60 * 1000;
/** Person and kind pairs one run of the periodic job mails at most (the next run takes the rest). */
export const DIGESTS_PER_RUN = 200;
const TOKEN_BYTES = 20; // 160 random bits
export const UNSUBSCRIBE_TOKEN = /^[a-z2-7]{20,64}$/;

type MailCore = Pick<Core, 'env'>;

/**
 * Tells `event.recipientId` of an act, inside the act's transaction `tx`: one row (or none: see
 * recordNotification), and, when that kind is mailed and its last digest is an hour old, the
 * digest queued now, in the same transaction.
 */
export async function notify(core: MailCore, tx: Db, event: NotificationEvent, now: number): Promise<void> {
  const recorded = await queries.recordNotification(tx, event, now);
  if (recorded?.mailed && (await queries.digestDue(tx, event.recipientId, event.kind, now, DIGEST_INTERVAL_MS))) {
    await mailDigest(core, tx, event.recipientId, event.kind, now);
  }
}

/** An act taken back (unfollow, unfavorite), inside its transaction: its notification goes if nothing saw it yet. */
export async function takeBackNotification(tx: Db, event: Omit<NotificationEvent, 'commentId'>): Promise<void> {
  await queries.forgetNotification(tx, event);
}

const hashToken = (token: string): Buffer => Buffer.from(sha256(new TextEncoder().encode(token)));

/** A new one-click unsubscribe link for `kind`; the person's expired ones go (they pile up one a digest). */
async function createUnsubscribeToken(tx: Db, userId: number, kind: NotificationKind, now: number): Promise<string> {
  const bytes = new Uint8Array(TOKEN_BYTES);
  crypto.getRandomValues(bytes);
  const token = encodeBase32LowerCaseNoPadding(bytes);
  const { accountTokens: t } = tablesOf(tx);
  await tx.delete(t).where(and(eq(t.userId, userId), eq(t.purpose, 'unsubscribe'), lte(t.expiresAt, new Date(now))));
  await tx.insert(t).values({
    tokenHash: hashToken(token),
    purpose: 'unsubscribe',
    userId,
    data: kind,
    createdAt: new Date(now),
    expiresAt: new Date(now + UNSUBSCRIBE_TOKEN_LIFETIME_MS),
  });
  return token;
}

/**
 * One digest of everything of `kind` waiting for `userId`, queued in `tx`; what waited is marked
 * mailed. What may not be shown (a suspended actor, a hidden comment) is left out; if nothing is
 * left, no mail goes and the hour does not start.
 */
async function mailDigest(core: MailCore, tx: Db, userId: number, kind: NotificationKind, now: number): Promise<boolean> {
  const { ids, items } = await queries.findUnmailed(tx, userId, kind);
  const user = await findUserById(tx, userId);
  if (!user || items.length === 0) {
    await queries.markMailed(tx, userId, kind, ids, now, false);
    return false;
  }
  const siteUrl = core.env.PUBLIC_URL;
  const token = await createUnsubscribeToken(tx, userId, kind, now);
  const unsubscribeUrl = new URL(`/unsubscribe/${token}`, siteUrl).toString();
  const props = { siteUrl, username: user.username, kind, items, unsubscribeUrl, settingsUrl: new URL('/settings/notifications', siteUrl).toString() };
  const mail = await digestMail(await mailSiteIn(tx, core.env), props);
  await enqueueMail(
    tx,
    {
      kind: 'notification-digest',
      userId,
      to: user.email,
      ...mail,
      // RFC 2369 and RFC 8058: mail clients offer "unsubscribe", which POSTs to it with no cookie
      headers: { 'List-Unsubscribe': `<${unsubscribeUrl}>`, 'List-Unsubscribe-Post': 'List-Unsubscribe=One-Click' },
    },
    now,
  );
  await queries.markMailed(tx, userId, kind, ids, now, true);
  return true;
}

/**
 * The periodic job (scheduled with the clean-ups, on one node): a digest for every person and kind
 * with something waiting whose last digest is an hour old. Answers how many mails it queued.
 */
export async function sendDueDigests(core: Pick<Core, 'db' | 'env'>, now: number): Promise<number> {
  const due = await queries.findDueDigests(core.db, now, DIGEST_INTERVAL_MS, DIGESTS_PER_RUN);
  let sent = 0;
  for (const { userId, kind } of due) {
    // one transaction each: checked again inside (an event may have mailed it meanwhile)
    const mailed = await transaction(core.db, async (tx) =>
      (await queries.digestDue(tx, userId, kind, now, DIGEST_INTERVAL_MS)) ? mailDigest(core, tx, userId, kind, now) : false,
    );
    if (mailed) sent++;
  }
  return sent;
}

export type NotificationsPage = { items: NotificationItem[]; page: number; more: boolean; unread: number };

/** The signed-in person's notifications, a page of them, newest first. Reading them marks nothing read. */
export async function listMyNotifications(core: Pick<Core, 'db'>, caller: Caller, input: { page: number }): Promise<NotificationsPage> {
  const userId = signedInUser(caller);
  const { items, more } = await queries.listNotifications(core.db, userId, input.page);
  const unread = await queries.countUnread(core.db, userId);
  return { items, page: input.page, more, unread };
}

/** Marks the signed-in person's notifications read: all of them, or those up to `upToId` (what the page showed). */
export async function markNotificationsRead(core: Core, caller: Caller, input: { upToId?: number } = {}): Promise<number> {
  const userId = signedInUser(caller);
  return queries.markAllRead(core.db, userId, core.clock(), input.upToId);
}

export type NotificationPreferences = Record<NotificationKind, KindPreference>;

export async function findMyNotificationPreferences(core: Pick<Core, 'db'>, caller: Caller): Promise<NotificationPreferences> {
  return queries.findPreferences(core.db, signedInUser(caller));
}

/** The signed-in person sets, per kind, whether it is shown in Quire and mailed. */
export async function changeNotificationPreferences(
  core: Core,
  caller: Caller,
  input: Record<NotificationKind, { inApp: boolean; byEmail: boolean }>,
): Promise<NotificationPreferences> {
  const userId = signedInUser(caller);
  const now = core.clock();
  await transaction(core.db, async (tx) => {
    for (const kind of queries.NOTIFICATION_KINDS) await queries.savePreference(tx, userId, kind, input[kind], now);
  });
  return queries.findPreferences(core.db, userId);
}

export const NO_SUCH_UNSUBSCRIBE_LINK = 'This unsubscribe link is not valid or has expired. You can choose what you are mailed in your notification settings.';

/** Whose and which kind an unsubscribe link is (for its confirmation page). No sign-in: the link is the key. */
export async function findUnsubscribeLink(core: Pick<Core, 'db' | 'clock'>, token: string): Promise<{ kind: NotificationKind; username: string }> {
  if (!UNSUBSCRIBE_TOKEN.test(token)) throw new NotFound('unsubscribe', NO_SUCH_UNSUBSCRIBE_LINK);
  await idle(core.db);
  const { accountTokens: t, users } = tablesOf(core.db);
  // looked up by its hash: the table holds no token
  const [row] = await core.db
    .select({ kind: t.data, expiresAt: t.expiresAt, userId: t.userId, username: users.username })
    .from(t)
    .innerJoin(users, eq(users.id, t.userId))
    .where(and(eq(t.tokenHash, hashToken(token)), eq(t.purpose, 'unsubscribe')));
  if (!row || row.expiresAt.getTime() <= core.clock() || !queries.isNotificationKind(row.kind)) {
    throw new NotFound('unsubscribe', NO_SUCH_UNSUBSCRIBE_LINK);
  }
  return { kind: row.kind, username: row.username };
}

/**
 * The link's kind stops being mailed (RFC 8058's one-click POST, or the confirmation page's
 * button). The link stays valid until it expires: doing it again changes nothing.
 */
export async function unsubscribe(core: Core, token: string): Promise<{ kind: NotificationKind; username: string }> {
  return transaction(core.db, async (tx) => {
    const found = await findUnsubscribeLink({ db: tx, clock: core.clock }, token);
    const { accountTokens: t } = tablesOf(tx);
    const [row] = await tx.select({ userId: t.userId }).from(t).where(eq(t.tokenHash, hashToken(token)));
    await queries.savePreference(tx, row!.userId, found.kind, { byEmail: false }, core.clock());
    return found;
  });
}
