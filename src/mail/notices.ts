/**
 * Security notices (OWASP ASVS 2.5.x): a person is told by e-mail whenever a credential of theirs
 * changes, so a change they did not make does not go unnoticed.
 *
 * PLACEHOLDER until the mail slice lands: the message is plain; the mail slice renders it with the
 * server's views (views/mail/) and keeps this signature.
 */
import type { Db } from '../db/client';
import { enqueueMail } from './outbox';

export type SecurityNotice =
  | 'password-changed'
  | 'password-reset'
  | 'email-changed'
  | 'two-factor-added'
  | 'two-factor-removed'
  | 'recovery-codes-regenerated';

const SUBJECTS: Record<SecurityNotice, string> = {
  'password-changed': 'Your password was changed',
  'password-reset': 'Your password was reset',
  'email-changed': 'Your e-mail address was changed',
  'two-factor-added': 'Two-factor sign-in was turned on',
  'two-factor-removed': 'Two-factor sign-in was turned off',
  'recovery-codes-regenerated': 'New recovery codes were made',
};

/**
 * Queues the notice for `to` (for an e-mail change: the old address). Call it inside the
 * transaction of the change.
 */
export async function sendSecurityNotice(
  db: Db,
  user: { id: number; username: string; email: string },
  notice: SecurityNotice,
  now: number,
  to: string = user.email,
): Promise<void> {
  const subject = SUBJECTS[notice];
  const text = `Hello ${user.username},\n\n${subject}.\n\nIf this was not you, reset your password at once.\n`;
  await enqueueMail(db, { kind: 'security-notice', userId: user.id, to, subject, text, html: `<p>${subject}.</p>` }, now);
}
