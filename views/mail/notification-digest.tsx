/**
 * The notification digest, as HTML and as text (the two parts of one message), in the frame of
 * every mail (mail-layout.tsx). Pure: props in, markup out; the links are absolute (a mail is read
 * away from the site).
 */
import type { DigestItem, NotificationKind } from '../../src/notifications/queries';
import { MailNote, MailText, renderMail, type MailSite, type RenderedMail } from './mail-layout';

export type DigestProps = {
  siteUrl: string;
  username: string;
  kind: NotificationKind;
  items: DigestItem[];
  /** the one-click unsubscribe page for this kind */
  unsubscribeUrl: string;
  /** the notification settings page */
  settingsUrl: string;
};

const SUBJECTS: Record<NotificationKind, (n: number) => string> = {
  follow: (n) => (n === 1 ? 'Someone followed you' : `${n} people followed you`),
  comment: (n) => (n === 1 ? 'A new comment on your article' : `${n} new comments on your articles`),
  favorite: (n) => (n === 1 ? 'Someone favorited your article' : `${n} favorites of your articles`),
};

export const KIND_NAMES: Record<NotificationKind, string> = {
  follow: 'new followers',
  comment: 'comments on your articles',
  favorite: 'favorites of your articles',
};

export const digestSubject = (kind: NotificationKind, count: number) => SUBJECTS[kind](count);

const abs = (siteUrl: string, path: string) => new URL(path, siteUrl).toString();
const profileUrl = (siteUrl: string, username: string) => abs(siteUrl, `/profile/${encodeURIComponent(username)}`);
const articleUrl = (siteUrl: string, slug: string, commentId?: number | null) =>
  abs(siteUrl, `/article/${encodeURIComponent(slug)}${commentId ? `#comment-${commentId}` : ''}`);

/** One event as a sentence of text. */
function sentence(item: DigestItem): string {
  const who = item.actor.username;
  if (item.kind === 'follow') return `${who} followed you.`;
  const title = item.article?.title ?? 'an article';
  return item.kind === 'comment' ? `${who} commented on "${title}".` : `${who} favorited "${title}".`;
}

export function digestText(props: DigestProps): string {
  const lines = props.items.map((item) => {
    const link =
      item.kind === 'follow' || !item.article
        ? profileUrl(props.siteUrl, item.actor.username)
        : articleUrl(props.siteUrl, item.article.slug, item.kind === 'comment' ? item.commentId : null);
    return `- ${sentence(item)}\n  ${link}`;
  });
  return [
    `Hello ${props.username},`,
    '',
    ...lines,
    '',
    `All your notifications: ${abs(props.siteUrl, '/notifications')}`,
    '',
    `You get at most one e-mail an hour about ${KIND_NAMES[props.kind]}.`,
    `Stop these e-mails: ${props.unsubscribeUrl}`,
    `Choose what you are told: ${props.settingsUrl}`,
    '',
  ].join('\n');
}

function DigestLine(props: { siteUrl: string; item: DigestItem }) {
  const { item, siteUrl } = props;
  const actor = <a href={profileUrl(siteUrl, item.actor.username)}>{item.actor.username}</a>;
  if (item.kind === 'follow' || !item.article) return <li>{actor} followed you.</li>;
  const article = (
    <a href={articleUrl(siteUrl, item.article.slug, item.kind === 'comment' ? item.commentId : null)}>{item.article.title}</a>
  );
  return item.kind === 'comment' ? <li>{actor} commented on {article}.</li> : <li>{actor} favorited {article}.</li>;
}

function DigestBody(props: DigestProps) {
  return (
    <>
      <MailText>Hello {props.username},</MailText>
      <ul style="margin:0 0 16px;padding-left:20px">
        {props.items.map((item) => (
          <DigestLine siteUrl={props.siteUrl} item={item} />
        ))}
      </ul>
      <MailText>
        <a href={abs(props.siteUrl, '/notifications')}>All your notifications</a>
      </MailText>
      <MailNote>
        You get at most one e-mail an hour about {KIND_NAMES[props.kind]}. <a href={props.unsubscribeUrl}>Stop these e-mails</a> or{' '}
        <a href={props.settingsUrl}>choose what you are told</a>.
      </MailNote>
    </>
  );
}

/** The digest as a message: subject, HTML part and text part. */
export function digestMail(site: MailSite, props: DigestProps): Promise<RenderedMail> {
  return renderMail({ site, subject: digestSubject(props.kind, props.items.length), body: <DigestBody {...props} />, text: digestText(props) });
}
