/**
 * Who a message is from, as the mail views (views/mail/) draw it: the site's live title (site
 * settings) and PUBLIC_URL, which every link in a message starts with. Read it BEFORE the
 * transaction that enqueues the message: the shared reads use the site's connection, which a
 * transaction holds on SQLite (src/db/transaction.ts).
 */
import type { MailSite } from '../../views/mail/mail-layout';
import type { Core } from '../core';

export type { MailSite };

export async function mailSiteOf(core: Pick<Core, 'env' | 'reads'>): Promise<MailSite> {
  return { title: (await core.reads.site()).settings.title, url: core.env.PUBLIC_URL };
}
