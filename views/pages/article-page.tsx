import { imgAttributes, mediaImageOf } from '../../src/media/picture';
import { raw } from 'hono/html';
import type { ArticleDetail } from '../../src/articles/queries';
import type { CommentView } from '../../src/comments/queries';
import { articlePath, editorPath, favoriteActionPath, followActionPath, profilePath } from '../../src/paths';
import { RedirectTo, TagList } from '../components/article-preview';
import { Avatar } from '../components/avatar';
import { DateTime } from '../components/date';
import { ErrorList, FieldError, fieldAria } from '../components/errors';
import { Honeypot } from '../components/honeypot';
import type { FormErrors, Viewer } from '../view-types';

/** What the viewer may do here, decided by the route from src/articles/policy.ts and the viewer's role. */
export type ArticleActions = {
  /** the author, or a moderator: a Delete Article button (to the confirmation page) */
  deleteArticle: boolean;
  /** a moderator: Hide (with a reason) / Restore forms for the article and its comments */
  moderate: boolean;
  /** a signed-in reader who is not the author: Report links */
  report: boolean;
  /** whether the viewer may delete this comment (its author, the article's author, a moderator) */
  deleteComment: (comment: CommentView) => boolean;
};

export const NO_ACTIONS: ArticleActions = { deleteArticle: false, moderate: false, report: false, deleteComment: () => false };

type Props = {
  article: ArticleDetail;
  actions: ArticleActions;
  /** rendered, sanitised Markdown */
  html: string;
  comments: CommentView[];
  viewer: Viewer | null;
  here: string;
  commentValue?: string;
  commentErrors?: FormErrors;
  /** the site's owner has turned comments off: no form, the comments already there stay */
  commentsOff?: boolean;
};

function FollowButton(props: { username: string; following: boolean; here: string }) {
  return (
    <form method="post" action={followActionPath(props.username, props.following)}>
      <RedirectTo here={props.here} />
      <button type="submit" class="btn btn-sm btn-outline-secondary action-btn">
        <i class="ion-plus-round" aria-hidden="true"></i>
        &nbsp;{props.following ? 'Unfollow' : 'Follow'} {props.username}
      </button>
    </form>
  );
}

function ArticleMeta(props: Props) {
  const { article, viewer } = props;
  const own = viewer !== null && viewer.id === article.author.id;
  return (
    <div class="article-meta">
      <a href={profilePath(article.author.username)}>
        <Avatar image={article.author.image} alt={article.author.username} size={32} />
      </a>
      <div class="info">
        <a href={profilePath(article.author.username)} class="author">
          {article.author.username}
        </a>
        <DateTime class="date" date={article.publishedAt ?? article.updatedAt} />
        <span class="reading-time">{article.readingMinutes} min read</span>
      </div>
      {own ? (
        <a href={editorPath(article.slug)} class="btn btn-sm btn-outline-secondary">
          <i class="ion-edit" aria-hidden="true"></i> Edit Article
        </a>
      ) : (
        <FollowButton username={article.author.username} following={article.author.following} here={props.here} />
      )}
      {props.actions.deleteArticle && (
        // a GET: the confirmation page asks before anything is deleted, JavaScript or not
        <form method="get" action={`${articlePath(article.slug)}/delete`}>
          <button type="submit" class="btn btn-sm btn-outline-danger">
            <i class="ion-trash-a" aria-hidden="true"></i> Delete Article
          </button>
        </form>
      )}
      <form method="post" action={favoriteActionPath(article.slug, article.favorited)}>
        <RedirectTo here={props.here} />
        <button type="submit" class={`btn btn-sm ${article.favorited ? 'btn-primary' : 'btn-outline-primary'}`}>
          <i class="ion-heart" aria-hidden="true"></i>
          &nbsp;{article.favorited ? 'Unfavorite' : 'Favorite'} Article <span class="counter">({article.favoritesCount})</span>
        </button>
      </form>
    </div>
  );
}

function CommentForm(props: Props) {
  const { viewer } = props;
  if (props.commentsOff) return <p class="comments-off">Comments are turned off on this site.</p>;
  if (!viewer) {
    const back = encodeURIComponent(props.here);
    return (
      <p class="sign-in-prompt">
        <a href={`/login?redirectTo=${back}`}>Sign in</a> or <a href={`/register?redirectTo=${back}`}>sign up</a> to
        add comments on this article.
      </p>
    );
  }
  return (
    <>
      <ErrorList errors={props.commentErrors} />
      <form method="post" action={`${articlePath(props.article.slug)}/comments`} class="card comment-form">
        <Honeypot name="website" />
        <div class="card-block">
          <label for="comment-body" class="visually-hidden">
            Comment
          </label>
          <textarea
            id="comment-body"
            name="body"
            class="form-control"
            placeholder="Write a comment..."
            rows={3}
            {...fieldAria(props.commentErrors, 'body')}
          >
            {props.commentValue ?? ''}
          </textarea>
          <FieldError errors={props.commentErrors} name="body" />
        </div>
        <div class="card-footer">
          <Avatar image={viewer.image} class="comment-author-img" size={20} />
          <button type="submit" class="btn btn-sm btn-primary">
            Post Comment
          </button>
        </div>
      </form>
    </>
  );
}

/** Why something is hidden, in the words its author (`own`) and moderators see. */
export function hiddenWhy(hidden: { cause: string; reason: string | null }, own: boolean): string {
  if (hidden.cause === 'suspension') return own ? 'Hidden while your account is suspended.' : "Hidden while its author's account is suspended.";
  return `Hidden by a moderator: ${hidden.reason ?? 'no reason given'}`;
}

function HideForm(props: { action: string; id: string; here: string; label: string }) {
  return (
    <form method="post" action={props.action} class="moderate-form">
      <RedirectTo here={props.here} />
      <label for={props.id}>Reason</label>
      <input id={props.id} name="reason" type="text" required maxlength={500} />
      <button type="submit" class="btn btn-sm btn-outline-warning">
        {props.label}
      </button>
    </form>
  );
}

function RestoreForm(props: { action: string; here: string; label: string }) {
  return (
    <form method="post" action={props.action} class="moderate-form">
      <RedirectTo here={props.here} />
      <button type="submit" class="btn btn-sm btn-outline-success">
        {props.label}
      </button>
    </form>
  );
}

function CommentCard(props: { comment: CommentView; viewer: Viewer | null; slug: string; here: string; actions: ArticleActions }) {
  const { comment, actions } = props;
  const base = `${articlePath(props.slug)}/comments/${comment.id}`;
  const deletable = actions.deleteComment(comment);
  const reportable = actions.report && props.viewer?.id !== comment.author.id;
  return (
    <div class={comment.hidden ? 'card comment-hidden' : 'card'} id={`comment-${comment.id}`}>
      <div class="card-block">
        {comment.hidden && (
          <p class="hidden-notice moderation-notice" role="note">
            {hiddenWhy(comment.hidden, props.viewer?.id === comment.author.id)}
          </p>
        )}
        <p class="card-text">{comment.body}</p>
      </div>
      <div class="card-footer">
        <a href={profilePath(comment.author.username)} class="comment-author">
          <Avatar image={comment.author.image} class="comment-author-img" alt={comment.author.username} size={20} />
        </a>
        &nbsp;
        <a href={profilePath(comment.author.username)} class="comment-author">
          {comment.author.username}
        </a>
        <DateTime class="date-posted" date={comment.createdAt} />
        {reportable && (
          <a href={`${base}/report`} class="report-link">
            Report<span class="visually-hidden"> comment</span>
          </a>
        )}
        {deletable && (
          <span class="mod-options">
            {/* a GET to the confirmation page, which posts the delete and comes back here */}
            <form method="get" action={`${base}/delete`}>
              <RedirectTo here={props.here} />
              <button type="submit" aria-label="Delete comment">
                <i class="ion-trash-a" aria-hidden="true"></i>
              </button>
            </form>
          </span>
        )}
      </div>
      {actions.moderate && (
        <div class="card-footer moderation">
          {comment.hidden === null ? (
            <HideForm action={`${base}/hide`} id={`hide-comment-${comment.id}`} here={props.here} label="Hide comment" />
          ) : comment.hidden.cause === 'moderation' ? (
            <RestoreForm action={`${base}/restore`} here={props.here} label="Restore comment" />
          ) : null}
        </div>
      )}
    </div>
  );
}

/** The article's hidden state for its author and moderators, the moderators' controls, and the Report link. */
function ArticleModeration(props: Props) {
  const { article, actions } = props;
  const base = articlePath(article.slug);
  return (
    <>
      {article.hidden && (
        <p class="hidden-notice moderation-notice" role="status">
          {article.hidden.cause === 'suspension'
            ? "This article is hidden while its author's account is suspended: only its author and moderators can see it."
            : `This article is hidden by a moderator: only its author and moderators can see it. Reason: ${article.hidden.reason ?? 'none given'}`}
        </p>
      )}
      {actions.moderate && (
        <section class="moderation" aria-label="Moderation">
          {article.hidden === null ? (
            <HideForm action={`${base}/hide`} id="hide-article-reason" here={props.here} label="Hide article" />
          ) : article.hidden.cause === 'moderation' ? (
            <RestoreForm action={`${base}/restore`} here={props.here} label="Restore article" />
          ) : null}
        </section>
      )}
    </>
  );
}

/** The cover, first under the title: the page's largest paint, so fetched at once, not lazily. */
function ArticleCover(props: { cover: string | null }) {
  const image = mediaImageOf(props.cover);
  if (!image) return null;
  // decorative beside the title it illustrates: the title says what the article is
  return (
    <figure class="article-cover">
      <img alt="" {...imgAttributes(image, 'article', { first: true })} />
    </figure>
  );
}

export function ArticlePage(props: Props) {
  const { article } = props;
  return (
    <div class="article-page">
      <div class="banner">
        <div class="container">
          <h1>{article.title}</h1>
          <ArticleMeta {...props} />
        </div>
      </div>
      <div class="container page">
        <ArticleCover cover={article.coverImage} />
        <ArticleModeration {...props} />
        {article.publishedAt === null && (
          <p class="draft-notice" role="status">
            This is a draft: only you can see it. <a href={editorPath(article.slug)}>Edit or publish it</a>.
          </p>
        )}
        <div class="row article-content">
          <div class="col-md-12">
            <div class="article-body">{raw(props.html)}</div>
            <TagList tags={article.tagList} />
            {props.actions.report && (
              <p class="report-link">
                <a href={`${articlePath(article.slug)}/report`}>Report this article</a>
              </p>
            )}
          </div>
        </div>
        <hr />
        <div class="article-actions">
          <ArticleMeta {...props} />
        </div>
        <div class="row">
          <section class="col-xs-12 col-md-8 offset-md-2" aria-label="Comments">
            {/* a hidden article takes no comments but a moderator's (src/articles/use-cases.ts) */}
            {(props.article.hidden === null || props.actions.moderate) && <CommentForm {...props} />}
            {props.comments.map((comment) => (
              <CommentCard comment={comment} viewer={props.viewer} slug={article.slug} here={props.here} actions={props.actions} />
            ))}
          </section>
        </div>
      </div>
    </div>
  );
}
