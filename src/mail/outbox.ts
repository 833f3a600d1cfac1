/**
 * The outbox: every message Quire sends is first a row of `mail_outbox`, written in the same
 * transaction as the act that causes it (a reset asked for, an address changed, a comment), so
 * it is never lost to a restart or an SMTP outage and never sent for an act that rolled back.
 * The sender (src/mail/sender.ts) delivers due rows, retrying with back-off.
 */
import { count, desc, sql } from 'drizzle-orm';
import type { Db } from '../db/client';
import { tablesOf } from '../db/engine';
import { idle } from '../db/transaction';

/** What a message is, for /admin/mail and for tests: the template that made it. */
export type MailKind =
  | 'password-reset'
  | 'email-confirm'
  | 'security-notice'
  | 'notification-digest';

/** A rendered message: both parts come from the server's own views (views/mail/). */
export type OutgoingMail = {
  kind: MailKind;
  /** the account it is for, if any (kept as null once that account is gone) */
  userId: number | null;
  to: string;
  subject: string;
  text: string;
  html: string;
  /** extra headers, e.g. List-Unsubscribe and List-Unsubscribe-Post on notifications */
  headers?: Record<string, string>;
};

/** Queues a message; call it inside the transaction of the act that causes it. */
export async function enqueueMail(db: Db, mail: OutgoingMail, now: number): Promise<void> {
  await db.insert(tablesOf(db).mailOutbox).values({
    createdAt: new Date(now),
    kind: mail.kind,
    userId: mail.userId,
    toAddress: mail.to,
    subject: mail.subject,
    textBody: mail.text,
    htmlBody: mail.html,
    headers: mail.headers ? JSON.stringify(mail.headers) : null,
    nextAttemptAt: new Date(now),
  });
}

export const OUTBOX_PAGE_SIZE = 50;

/** A message as /admin/mail shows it: who, what, when and how it went, never its bodies (they hold links). */
export type OutboxEntry = {
  id: number;
  createdAt: Date;
  kind: string;
  to: string;
  subject: string;
  attempts: number;
  nextAttemptAt: Date;
  sentAt: Date | null;
  failedAt: Date | null;
  lastError: string | null;
};

/** The outbox, newest first, a page at a time, with how many messages still wait. */
export async function listOutbox(db: Db, options: { page: number }): Promise<{ entries: OutboxEntry[]; total: number; waiting: number }> {
  const { mailOutbox: m } = tablesOf(db);
  await idle(db);
  const [entries, [totals]] = await Promise.all([
    db
      .select({
        id: m.id,
        createdAt: m.createdAt,
        kind: m.kind,
        to: m.toAddress,
        subject: m.subject,
        attempts: m.attempts,
        nextAttemptAt: m.nextAttemptAt,
        sentAt: m.sentAt,
        failedAt: m.failedAt,
        lastError: m.lastError,
      })
      .from(m)
      .orderBy(desc(m.createdAt), desc(m.id))
      .limit(OUTBOX_PAGE_SIZE)
      .offset((options.page - 1) * OUTBOX_PAGE_SIZE),
    db
      .select({ total: count(), waiting: sql<number>`count(*) filter (where ${m.sentAt} is null and ${m.failedAt} is null)` })
      .from(m),
  ]);
  return { entries, total: Number(totals?.total ?? 0), waiting: Number(totals?.waiting ?? 0) };
}
