/**
 * Security notices (OWASP ASVS 2.5.x): a person is told by e-mail whenever a credential of theirs
 * changes, so a change they did not make does not go unnoticed. The message is drawn by
 * views/mail/security-notice-mail.tsx: what changed, when, from which door, and what to do if it
 * was not you (a link to /forgot-password).
 */
import { securityNoticeMail, type SecurityNoticeKind } from '../../views/mail/security-notice-mail';
import type { Caller } from '../core';
import type { Db } from '../db/client';
import { describeUserAgent } from '../lib/user-agent';
import { storedSiteTitle, type MailSite } from './mail-site';
import { enqueueMail } from './outbox';

export type SecurityNotice = SecurityNoticeKind;

/** What the notice can say beyond the change itself; every field is optional. */
export type NoticeContext = {
  /** the site as mails show it (mailSiteOf(core), read before the transaction) */
  site?: MailSite;
  /** who made the change, through which door: said in the notice */
  caller?: Caller | null;
  /** for 'email-changed': the new address (shown partly hidden) */
  newAddress?: string;
};

const DOORS: Record<Caller['door'], string> = {
  web: 'the website',
  api: 'the API (an app or a script using an API token)',
  cli: 'the server’s command line (the people who run the site)',
};

/** "the website, from 192.0.2.1 (Firefox 120 on Linux)" */
export function describeDoor(caller: Caller): string {
  const known = caller.ip && caller.ip !== 'unknown' ? caller.ip : null;
  const where = [known ? `from ${known}` : null, caller.userAgent ? `(${describeUserAgent(caller.userAgent)})` : null];
  return [DOORS[caller.door], where.filter(Boolean).join(' ')].filter(Boolean).join(', ');
}

/** "alice@example.com" -> "a•••@example.com": enough to recognise, not enough to learn. */
export function maskAddress(address: string): string {
  const at = address.lastIndexOf('@');
  if (at < 1) return '•••';
  return `${address[0]}•••${address.slice(at)}`;
}

/** A time as notices write it: 2026-12-02 06:30 UTC. */
const formatWhen = (now: number): string => `${new Date(now).toISOString().slice(0, 16).replace('T', ' ')} UTC`;

/**
 * Without the site given (a caller that did not read it): the title as stored, and no address, so
 * the links are paths; callers should pass `context.site`.
 */
async function siteFromDb(db: Db): Promise<MailSite> {
  return { title: (await storedSiteTitle(db)) ?? 'Quire', url: '' };
}

/**
 * Queues the notice for `to` (for an e-mail change: the old address). Call it inside the
 * transaction of the change, with the site read before it (`context.site`).
 */
export async function sendSecurityNotice(
  db: Db,
  user: { id: number; username: string; email: string },
  notice: SecurityNotice,
  now: number,
  to: string = user.email,
  context: NoticeContext = {},
): Promise<void> {
  const site = context.site ?? (await siteFromDb(db));
  const mail = await securityNoticeMail({
    site,
    kind: notice,
    username: user.username,
    when: formatWhen(now),
    from: context.caller ? describeDoor(context.caller) : null,
    newAddress: context.newAddress ? maskAddress(context.newAddress) : null,
  });
  await enqueueMail(db, { kind: 'security-notice', userId: user.id, to, ...mail }, now);
}
