/**
 * The sender: delivers the outbox's due messages (src/mail/outbox.ts) over SMTP through nodemailer.
 *
 * - A message that fails is tried again after 1, 2, 4... minutes (capped at 2 hours), and given up
 *   after MAX_ATTEMPTS tries, when it is older than MAX_AGE_MS (a reset link sent two days late is
 *   worth nothing), or at once when the server refuses it for good (a 5xx answer: no such mailbox).
 * - Delivery is at least once: a crash between the server's "250 OK" and the row's update sends
 *   that message again on the next pass.
 * - Once a message is sent or given up, its bodies are erased: the links in them (a reset token)
 *   are kept nowhere but in the recipient's mailbox; the row keeps who, what and when for /admin/mail.
 * - One node at a time delivers (`onOneNode`: an advisory lock on PostgreSQL), a pass every
 *   POLL_MS: one query on a partial index that is empty when nothing waits.
 */
import nodemailer from 'nodemailer';
import { and, asc, eq, inArray, isNull, lt, lte } from 'drizzle-orm';
import type { Db } from '../db/client';
import { tablesOf } from '../db/engine';
import { idle, onOneNode } from '../db/transaction';
import type { Clock } from '../lib/clock';
import { errorText, type Log } from '../lib/logger';

export const MAX_ATTEMPTS = 10;
export const MAX_AGE_MS = 2 * 24 * 60 * 60 * 1000;
export const POLL_MS = 1000;
/** messages one pass sends at most: the rest wait for the next pass */
export const BATCH = 20;
/** sent or given-up messages are kept this long for /admin/mail, then pruned by the clean-ups */
export const KEEP_MS = 30 * 24 * 60 * 60 * 1000;

/** What the sender needs of a transport: nodemailer's, or a test's. */
export type MailTransport = {
  send(message: { from: string; to: string; subject: string; text: string; html: string; headers: Record<string, string> }): Promise<void>;
  close?(): void;
};

/** nodemailer over SMTP_URL; short timeouts, so a dead server fails a pass instead of holding it. */
export function smtpTransport(url: string): MailTransport {
  const transporter = nodemailer.createTransport(url, {
    connectionTimeout: 10_000,
    greetingTimeout: 10_000,
    socketTimeout: 20_000,
  } as Parameters<typeof nodemailer.createTransport>[1]);
  return {
    async send(message) {
      await transporter.sendMail(message);
    },
    close: () => transporter.close(),
  };
}

/** Minutes to wait after the n-th failed try (n from 1): 1, 2, 4... capped at 2 hours. */
export function retryDelayMs(attempts: number): number {
  return Math.min(2 ** (attempts - 1), 120) * 60_000;
}

/** An SMTP answer that will not change by trying again (550 no such user, 553 bad address...). */
function isPermanent(error: unknown): boolean {
  const code = (error as { responseCode?: unknown }).responseCode;
  return typeof code === 'number' && code >= 500 && code < 600;
}

export type DeliveryPass = { sent: number; retrying: number; gaveUp: number };

/**
 * One pass: sends every due message (at most BATCH), oldest first, and records each outcome.
 * Never throws for a message's failure; a database failure propagates.
 */
export async function deliverDueMail(
  db: Db,
  transport: MailTransport,
  options: { from: string; now: number; log?: Log },
): Promise<DeliveryPass> {
  const { mailOutbox } = tablesOf(db);
  const { from, now, log } = options;
  await idle(db);
  const due = await db
    .select()
    .from(mailOutbox)
    .where(and(isNull(mailOutbox.sentAt), isNull(mailOutbox.failedAt), lte(mailOutbox.nextAttemptAt, new Date(now))))
    .orderBy(asc(mailOutbox.nextAttemptAt), asc(mailOutbox.id))
    .limit(BATCH);
  const pass: DeliveryPass = { sent: 0, retrying: 0, gaveUp: 0 };
  for (const message of due) {
    const attempts = message.attempts + 1;
    try {
      await transport.send({
        from,
        to: message.toAddress,
        subject: message.subject,
        text: message.textBody,
        html: message.htmlBody,
        headers: message.headers ? (JSON.parse(message.headers) as Record<string, string>) : {},
      });
      await db
        .update(mailOutbox)
        .set({ attempts, sentAt: new Date(now), lastError: null, textBody: '', htmlBody: '' })
        .where(eq(mailOutbox.id, message.id));
      pass.sent++;
      log?.({ level: 'info', msg: 'mail.sent', id: message.id, kind: message.kind, attempts });
    } catch (error) {
      const lastError = errorText(error).slice(0, 500);
      const giveUp = isPermanent(error) || attempts >= MAX_ATTEMPTS || now + retryDelayMs(attempts) - message.createdAt.getTime() > MAX_AGE_MS;
      await db
        .update(mailOutbox)
        .set(
          giveUp
            ? { attempts, failedAt: new Date(now), lastError, textBody: '', htmlBody: '' }
            : { attempts, nextAttemptAt: new Date(now + retryDelayMs(attempts)), lastError },
        )
        .where(eq(mailOutbox.id, message.id));
      if (giveUp) pass.gaveUp++;
      else pass.retrying++;
      log?.({ level: giveUp ? 'error' : 'warn', msg: giveUp ? 'mail.gave-up' : 'mail.retry', id: message.id, kind: message.kind, attempts, error: lastError });
    }
  }
  return pass;
}

/**
 * Delivers due mail every `intervalMs` while the server runs, on one node at a time; a pass still
 * going when the next is due is not overlapped. Returns a stop function that waits for the pass.
 */
export function scheduleMail(
  db: Db,
  transport: MailTransport,
  options: { from: string; clock: Clock; log: Log; intervalMs?: number },
): () => Promise<void> {
  const { from, clock, log, intervalMs = POLL_MS } = options;
  let running: Promise<unknown> | null = null;
  let stopped = false;
  const timer = setInterval(() => {
    if (running || stopped) return;
    running = onOneNode(db, 'mail', () => deliverDueMail(db, transport, { from, now: clock(), log }))
      .catch((error: unknown) => log({ level: 'error', msg: 'mail.failed', error: errorText(error) }))
      .finally(() => {
        running = null;
      });
  }, intervalMs);
  timer.unref();
  return async () => {
    stopped = true;
    clearInterval(timer);
    await running;
    transport.close?.();
  };
}

/**
 * Clean-up task: messages older than KEEP_MS go, a hundred a step. Sent and given-up ones have
 * been shown long enough; one still waiting that old was never sent (a site without SMTP_URL, whose
 * outbox would otherwise only grow) and is worth nothing now: the sender gives up at two days.
 */
export async function pruneOldMail(db: Db, now: number): Promise<{ deleted: number; next: string | null }> {
  const { mailOutbox } = tablesOf(db);
  const old = await db
    .select({ id: mailOutbox.id })
    .from(mailOutbox)
    .where(lt(mailOutbox.createdAt, new Date(now - KEEP_MS)))
    .orderBy(asc(mailOutbox.createdAt), asc(mailOutbox.id))
    .limit(100);
  if (old.length === 0) return { deleted: 0, next: null };
  await db.delete(mailOutbox).where(inArray(mailOutbox.id, old.map((row) => row.id)));
  return { deleted: old.length, next: old.length === 100 ? String(old[old.length - 1]!.id) : null };
}
