/**
 * Who a message is from, as the mail views (views/mail/) draw it: the site's live title (site
 * settings) and PUBLIC_URL, which every link in a message starts with. Read it BEFORE the
 * transaction that enqueues the message: the shared reads use the site's connection, which a
 * transaction holds on SQLite (src/db/transaction.ts).
 */
import { eq } from 'drizzle-orm';
import type { MailSite } from '../../views/mail/mail-layout';
import type { Core } from '../core';
import type { Db } from '../db/client';
import { tablesOf } from '../db/engine';

export type { MailSite };

export async function mailSiteOf(core: Pick<Core, 'env' | 'reads'>): Promise<MailSite> {
  return { title: (await core.reads.site()).settings.title, url: core.env.PUBLIC_URL };
}

/** The site's title as stored in site settings (null: none stored, or a hand-edited row), read through `db`. */
export async function storedSiteTitle(db: Db): Promise<string | null> {
  const { siteSettings } = tablesOf(db);
  const [row] = await db.select({ value: siteSettings.value }).from(siteSettings).where(eq(siteSettings.key, 'title')).limit(1);
  try {
    return row ? String(JSON.parse(row.value)) || null : null;
  } catch {
    return null;
  }
}

/**
 * The site as mails show it, read through `db` when a transaction is already open (the
 * notification digest, queued in the act's own transaction).
 */
export async function mailSiteIn(db: Db, env: Pick<Core['env'], 'PUBLIC_URL' | 'SITE_TITLE'>): Promise<MailSite> {
  return { title: (await storedSiteTitle(db)) ?? env.SITE_TITLE, url: env.PUBLIC_URL };
}
