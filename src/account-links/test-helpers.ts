/**
 * Mail in route tests, read from the outbox (mail_outbox): what Quire would send, before any
 * sender delivers it. `linkIn` finds a link of the site in a message's text part.
 */
import { memoryMediaStore, type MediaStore } from '../media/store';
import { asc } from 'drizzle-orm';
import { sharedReads } from '../articles/queries';
import type { Core } from '../core';
import type { Db } from '../db/client';
import { tablesOf } from '../db/engine';
import type { Clock } from '../lib/clock';
import { silentLog } from '../lib/logger';
import { limitStoresFor, Limits } from '../security/limits';
import { testEnv } from '../test-support';

export type OutboxMail = { kind: string; userId: number | null; to: string; subject: string; text: string; html: string };

export async function outbox(db: Db): Promise<OutboxMail[]> {
  const { mailOutbox } = tablesOf(db);
  const rows = await db.select().from(mailOutbox).orderBy(asc(mailOutbox.id));
  return rows.map((row) => ({ kind: row.kind, userId: row.userId, to: row.toAddress, subject: row.subject, text: row.textBody, html: row.htmlBody }));
}

/** The newest message to `to` (of `kind`, if given), or throws. */
export async function lastMailTo(db: Db, to: string, kind?: string): Promise<OutboxMail> {
  const mails = (await outbox(db)).filter((mail) => mail.to === to && (kind === undefined || mail.kind === kind));
  const mail = mails.at(-1);
  if (!mail) throw new Error(`no ${kind ?? ''} mail to ${to}`);
  return mail;
}

/** The path of the first link in the text that starts with `prefix` ("/reset-password/"). */
export function linkIn(mail: { text: string }, prefix: string): string {
  const match = new RegExp(`https?://[^\\s/]+(${prefix.replace(/[/]/g, '\\/')}[A-Za-z0-9_-]+)`).exec(mail.text);
  if (!match) throw new Error(`no link ${prefix} in: ${mail.text}`);
  return match[1]!;
}

/** A core over a test app's database and clock: for calling a use case as the CLI does. */
export function coreFor(t: { db: Db; clock: Clock; media?: MediaStore }, env: Record<string, string> = {}): Core {
  const testedEnv = testEnv(env);
  return { db: t.db, env: testedEnv, clock: t.clock, log: silentLog, limits: new Limits(testedEnv, silentLog, limitStoresFor(t.db)), reads: sharedReads(t.db, testedEnv), media: t.media ?? memoryMediaStore() };
}
