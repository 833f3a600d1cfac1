/**
 * A security notice (OWASP ASVS 2.5): one credential of the account changed. Says what, when, from
 * which door, and what to do if it was not you.
 */
import { MailButton, MailNote, MailText, renderMail, type MailSite, type RenderedMail } from './mail-layout';

export type SecurityNoticeKind =
  | 'password-changed'
  | 'password-reset'
  | 'email-changed'
  | 'two-factor-added'
  | 'two-factor-removed'
  | 'recovery-codes-regenerated';

export const SECURITY_NOTICE_SUBJECTS: Record<SecurityNoticeKind, string> = {
  'password-changed': 'Your password was changed',
  'password-reset': 'Your password was reset',
  'email-changed': 'Your e-mail address was changed',
  'two-factor-added': 'Two-factor sign-in was turned on',
  'two-factor-removed': 'Two-factor sign-in was turned off',
  'recovery-codes-regenerated': 'New recovery codes were made',
};

function whatHappened(kind: SecurityNoticeKind, account: string, newAddress: string | null): string {
  switch (kind) {
    case 'password-changed':
      return `The password of ${account} was changed.`;
    case 'password-reset':
      return `The password of ${account} was reset with a password-reset link, and every session of the account was signed out.`;
    case 'email-changed':
      return `The e-mail address of ${account} was changed${newAddress ? ` to ${newAddress}` : ''}: messages about the account no longer come to this address.`;
    case 'two-factor-added':
      return `Two-factor sign-in was turned on for ${account}: signing in now asks for a code from an authenticator app after the password.`;
    case 'two-factor-removed':
      return `Two-factor sign-in was turned off for ${account}: signing in no longer asks for a code.`;
    case 'recovery-codes-regenerated':
      return `New recovery codes were made for ${account}; the old ones no longer work.`;
  }
}

export type SecurityNoticeProps = {
  site: MailSite;
  kind: SecurityNoticeKind;
  username: string;
  /** when it happened, as people read it: "2026-12-02 06:30 UTC" */
  when: string;
  /** which door, if known: "the website, from 192.0.2.1 (Firefox 120 on Linux)" */
  from: string | null;
  /** for an e-mail change: the new address, partly hidden */
  newAddress?: string | null;
};

export function securityNoticeMail(props: SecurityNoticeProps): Promise<RenderedMail> {
  const { site, kind } = props;
  const subject = SECURITY_NOTICE_SUBJECTS[kind];
  const account = `your account ${props.username} on ${site.title}`;
  const happened = whatHappened(kind, account, props.newAddress ?? null);
  const forgot = `${site.url}/forgot-password`;
  // after an e-mail change this address gets no reset mail any more: the people who run the site can help
  const ifNotYou =
    kind === 'email-changed'
      ? `If this was not you, someone else may be in your account: reset your password now and tell the people who run ${site.title}, who can help you take it back.`
      : 'If this was not you, someone else may know your password: reset it now, which signs every session of the account out.';
  const when = `When: ${props.when}.`;
  const from = props.from ? `From: ${props.from}.` : null;
  const text = [
    `Hello ${props.username},`,
    happened,
    [when, from].filter(Boolean).join('\n'),
    'If this was you, there is nothing to do.',
    `${ifNotYou}\n${forgot}`,
  ].join('\n\n');
  return renderMail({
    site,
    subject,
    text,
    body: (
      <>
        <MailText>Hello {props.username},</MailText>
        <MailText>{happened}</MailText>
        <MailNote>{when}</MailNote>
        {from && <MailNote>{from}</MailNote>}
        <MailText>If this was you, there is nothing to do.</MailText>
        <MailText>{ifNotYou}</MailText>
        <MailButton href={forgot}>Reset your password</MailButton>
      </>
    ),
  });
}
