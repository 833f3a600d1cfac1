/** The messages that carry a link of one's own: a password reset, an address to confirm. */
import { MailButton, MailNote, MailText, renderMail, type MailSite, type RenderedMail } from './mail-layout';

export function passwordResetMail(props: { site: MailSite; username: string; link: string; minutes: number }): Promise<RenderedMail> {
  const { site } = props;
  const subject = `Reset your password on ${site.title}`;
  const intro = `Someone (we hope you) asked to reset the password of your account ${props.username} on ${site.title}.`;
  const validity = `The link works once, for ${props.minutes} minutes. Setting a new password signs every session of the account out.`;
  const ignore = 'If you did not ask, ignore this message: your password stays as it is.';
  return renderMail({
    site,
    subject,
    text: [`Hello ${props.username},`, intro, `Choose a new password here:\n${props.link}`, validity, ignore].join('\n\n'),
    body: (
      <>
        <MailText>Hello {props.username},</MailText>
        <MailText>{intro}</MailText>
        <MailButton href={props.link}>Choose a new password</MailButton>
        <MailNote>{validity}</MailNote>
        <MailNote>{ignore}</MailNote>
      </>
    ),
  });
}

export function emailConfirmMail(props: {
  site: MailSite;
  username: string;
  address: string;
  link: string;
  hours: number;
  /** true when this address is to replace the account's current one */
  change: boolean;
}): Promise<RenderedMail> {
  const { site } = props;
  const subject = `Confirm your e-mail address on ${site.title}`;
  const intro = props.change
    ? `Someone (we hope you) asked to use ${props.address} for the account ${props.username} on ${site.title}. The address changes once you confirm it.`
    : `Welcome to ${site.title}, ${props.username}. Please confirm that ${props.address} is your address.`;
  const validity = `The link works for ${props.hours} hours; it opens a page where you confirm with one button.`;
  const ignore = 'If this was not you, ignore this message: nothing changes.';
  return renderMail({
    site,
    subject,
    text: [`Hello ${props.username},`, intro, `Confirm it here:\n${props.link}`, validity, ignore].join('\n\n'),
    body: (
      <>
        <MailText>Hello {props.username},</MailText>
        <MailText>{intro}</MailText>
        <MailButton href={props.link}>Confirm my address</MailButton>
        <MailNote>{validity}</MailNote>
        <MailNote>{ignore}</MailNote>
      </>
    ),
  });
}
