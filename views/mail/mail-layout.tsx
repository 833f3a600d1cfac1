/**
 * Every message Quire sends is drawn here: a subject, an HTML body and a plain-text body, with the
 * site's name and address at the foot. Mail clients are not browsers: styles are inline (many drop
 * <style> and every external sheet), there is no script, no image, no form, and every value is
 * escaped by hono/jsx like any page. Views are pure: the site and every link come in as props.
 *
 * `renderMail` gives what `enqueueMail` (src/mail/outbox.ts) takes, for any message: security
 * notices, password-reset and confirmation links, notification digests.
 */
import type { Child } from 'hono/jsx';

/** Who sends: the site's live title and its public URL (PUBLIC_URL, no trailing slash). */
export type MailSite = { title: string; url: string };

/** A message ready for enqueueMail: both parts come from the same view. */
export type RenderedMail = { subject: string; html: string; text: string };

const FONT = "font-family:-apple-system,BlinkMacSystemFont,'Segoe UI',Roboto,Helvetica,Arial,sans-serif";
const TEXT_STYLE = `${FONT};font-size:16px;line-height:1.5;color:#373a3c;margin:0 0 16px`;
const MUTED_STYLE = `${FONT};font-size:13px;line-height:1.5;color:#818a91;margin:0 0 8px`;

/** A paragraph of a message's HTML part. */
export function MailText(props: { children: Child }) {
  return <p style={TEXT_STYLE}>{props.children}</p>;
}

/** A paragraph in small grey type: when, from where, why you got this. */
export function MailNote(props: { children: Child }) {
  return <p style={MUTED_STYLE}>{props.children}</p>;
}

/** The message's one action, drawn as a button (a plain link underneath), and its address in full below. */
export function MailButton(props: { href: string; children: Child }) {
  return (
    <>
      <p style="margin:24px 0">
        <a href={props.href} style={`${FONT};display:inline-block;background:#5cb85c;color:#ffffff;text-decoration:none;font-size:16px;padding:10px 20px;border-radius:4px`}>
          {props.children}
        </a>
      </p>
      <p style={MUTED_STYLE}>
        Or copy this address into your browser: <a href={props.href} style="color:#5cb85c;word-break:break-all">{props.href}</a>
      </p>
    </>
  );
}

/** The frame of every message: a heading (the subject), the body, and the site's footer. */
export function MailLayout(props: { site: MailSite; subject: string; children: Child }) {
  const { site } = props;
  return (
    <html lang="en">
      <head>
        <meta charset="utf-8" />
        <meta name="viewport" content="width=device-width, initial-scale=1" />
        <title>{props.subject}</title>
      </head>
      <body style="margin:0;padding:0;background:#f3f3f3">
        <table role="presentation" width="100%" cellpadding="0" cellspacing="0" style="background:#f3f3f3">
          <tr>
            <td align="center" style="padding:24px 12px">
              <table role="presentation" width="100%" cellpadding="0" cellspacing="0" style="max-width:560px;background:#ffffff;border-radius:4px">
                <tr>
                  <td style="padding:24px 24px 8px">
                    <p style={`${FONT};font-size:14px;font-weight:bold;color:#5cb85c;margin:0 0 16px`}>{site.title}</p>
                    <h1 style={`${FONT};font-size:22px;line-height:1.3;color:#373a3c;margin:0 0 16px`}>{props.subject}</h1>
                    {props.children}
                  </td>
                </tr>
                <tr>
                  <td style="padding:16px 24px 24px;border-top:1px solid #eceeef">
                    <p style={MUTED_STYLE}>
                      {site.title} · <a href={site.url} style="color:#818a91">{site.url}</a>
                    </p>
                  </td>
                </tr>
              </table>
            </td>
          </tr>
        </table>
      </body>
    </html>
  );
}

/**
 * A message from its subject, its HTML body (drawn inside MailLayout) and its plain-text body (the
 * same words; the footer is added to both).
 */
export async function renderMail(input: { site: MailSite; subject: string; body: Child; text: string }): Promise<RenderedMail> {
  const { site, subject } = input;
  const html = `<!DOCTYPE html>${await (<MailLayout site={site} subject={subject}>{input.body}</MailLayout>).toString()}`;
  const text = `${input.text.trimEnd()}\n\n-- \n${site.title}\n${site.url}\n`;
  return { subject, html, text };
}
