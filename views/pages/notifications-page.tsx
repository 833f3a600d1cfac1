import { Avatar } from '../components/avatar';
import { DateTime } from '../components/date';
import { ErrorList } from '../components/errors';
import { articlePath, profilePath, withPage } from '../../src/paths';
import type { NotificationItem, NotificationKind } from '../../src/notifications/queries';
import type { FormErrors } from '../view-types';

/** What one notification says, with its links: who (their profile) did what (to which article, which comment). */
function NotificationLine(props: { item: NotificationItem }) {
  const { item } = props;
  const actor = <a href={profilePath(item.actor.username)}>{item.actor.username}</a>;
  if (item.kind === 'follow' || !item.article) return <>{actor} followed you.</>;
  const article = <a href={articlePath(item.article.slug)}>{item.article.title}</a>;
  if (item.kind === 'comment') {
    return (
      <>
        {actor} <a href={`${articlePath(item.article.slug)}#comment-${item.commentId}`}>commented</a> on {article}.
      </>
    );
  }
  return (
    <>
      {actor} favorited {article}.
    </>
  );
}

export function NotificationsPage(props: { items: NotificationItem[]; page: number; more: boolean; unread: number }) {
  const { items, page, more, unread } = props;
  const newest = items[0]?.id;
  return (
    <div class="settings-page notifications-page">
      <div class="container page">
        <div class="row">
          <div class="col-md-8 offset-md-2 col-xs-12">
            <h1 class="text-xs-center">Notifications</h1>
            <p>
              {unread === 0 ? 'Nothing unread.' : `${unread > 99 ? '99+' : unread} unread.`} Opening this page marks nothing as read;
              the button below does.
            </p>
            {unread > 0 && (
              <form method="post" action="/notifications/read">
                {/* on the first page, what it showed and before: one that arrives meanwhile stays unread */}
                {page === 1 && newest !== undefined && <input type="hidden" name="upTo" value={String(newest)} />}
                <button type="submit" class="btn btn-sm btn-outline-primary">
                  Mark all as read
                </button>
              </form>
            )}
            {items.length === 0 ? (
              <p class="notifications-empty">{page === 1 ? 'No notifications yet.' : 'No more notifications.'}</p>
            ) : (
              <ol class="notification-list">
                {items.map((item) => (
                  <li class={item.read ? 'notification' : 'notification unread'} id={`notification-${item.id}`}>
                    <Avatar image={item.actor.image} class="user-pic" size={26} />
                    {!item.read && <strong class="notification-unread">Unread: </strong>}
                    <NotificationLine item={item} /> <DateTime date={item.createdAt} />
                  </li>
                ))}
              </ol>
            )}
            {(page > 1 || more) && (
              <nav aria-label="Notification pages">
                <ul class="pagination">
                  {page > 1 && (
                    <li class="page-item">
                      <a class="page-link" href={withPage('/notifications', page - 1)} rel="prev">
                        Newer
                      </a>
                    </li>
                  )}
                  {more && (
                    <li class="page-item">
                      <a class="page-link" href={withPage('/notifications', page + 1)} rel="next">
                        Older
                      </a>
                    </li>
                  )}
                </ul>
              </nav>
            )}
            <p>
              <a href="/settings/notifications">Choose what you are told</a>
            </p>
          </div>
        </div>
      </div>
    </div>
  );
}

export const KIND_LABELS: Record<NotificationKind, string> = {
  follow: 'Someone follows you',
  comment: 'Someone comments on your article',
  favorite: 'Someone favorites your article',
};

export type PreferenceValues = Record<NotificationKind, { inApp: boolean; byEmail: boolean }>;

export function NotificationSettingsPage(props: { values: PreferenceValues; kinds: readonly NotificationKind[]; errors?: FormErrors }) {
  return (
    <div class="settings-page notification-settings-page">
      <div class="container page">
        <div class="row">
          <div class="col-md-8 offset-md-2 col-xs-12">
            <h1 class="text-xs-center">Notification settings</h1>
            <ErrorList errors={props.errors} />
            <p>
              For each kind, choose whether it shows in Quire (the Notifications page and its count) and whether it is
              e-mailed to you. E-mails come at most once an hour per kind, as a digest of what happened.
            </p>
            <form method="post" action="/settings/notifications">
              {props.kinds.map((kind) => (
                <fieldset class="form-group notification-kind">
                  <legend>{KIND_LABELS[kind]}</legend>
                  <div class="checkbox">
                    <label>
                      <input type="checkbox" name={`${kind}.inApp`} value="on" checked={props.values[kind].inApp} /> Show in Quire
                    </label>
                  </div>
                  <div class="checkbox">
                    <label>
                      <input type="checkbox" name={`${kind}.byEmail`} value="on" checked={props.values[kind].byEmail} /> Send me
                      an e-mail
                    </label>
                  </div>
                </fieldset>
              ))}
              <button type="submit" class="btn btn-primary">
                Save notification settings
              </button>
            </form>
            <p>
              <a href="/notifications">Your notifications</a> · <a href="/settings">Back to your settings</a>
            </p>
          </div>
        </div>
      </div>
    </div>
  );
}

export const KIND_MAIL_NAMES: Record<NotificationKind, string> = {
  follow: 'new followers',
  comment: 'comments on your articles',
  favorite: 'favorites of your articles',
};

/** The unsubscribe link's page: a button (GET changes nothing: link checkers and previews open links), then what was done. */
export function UnsubscribePage(props: { action: string; username: string; kind: NotificationKind; done: boolean }) {
  const what = KIND_MAIL_NAMES[props.kind];
  return (
    <div class="settings-page unsubscribe-page">
      <div class="container page">
        <div class="row">
          <div class="col-md-6 offset-md-3 col-xs-12">
            <h1 class="text-xs-center">{props.done ? 'Unsubscribed' : 'Unsubscribe'}</h1>
            {props.done ? (
              <p role="status">
                {props.username}, you will get no more e-mails about {what}. You can turn them on again in your{' '}
                <a href="/settings/notifications">notification settings</a>.
              </p>
            ) : (
              <>
                <p>
                  Stop e-mails to {props.username} about {what}?
                </p>
                <form method="post" action={props.action}>
                  {/* the same body a mail client's one-click unsubscribe sends (RFC 8058) */}
                  <input type="hidden" name="List-Unsubscribe" value="One-Click" />
                  <button type="submit" class="btn btn-primary">
                    Stop these e-mails
                  </button>
                </form>
              </>
            )}
          </div>
        </div>
      </div>
    </div>
  );
}
