import { raw } from 'hono/html';
import type { ArticleDetail } from '../../src/articles/queries';
import type { CommentView } from '../../src/comments/queries';
import { articlePath, editorPath, favoriteActionPath, followActionPath, profilePath } from '../../src/paths';
import { RedirectTo, TagList } from '../components/article-preview';
import { Avatar } from '../components/avatar';
import { DateTime } from '../components/date';
import { ErrorList, FieldError, fieldAria } from '../components/errors';
import type { FormErrors, Viewer } from '../view-types';

type Props = {
  article: ArticleDetail;
  /** rendered, sanitised Markdown */
  html: string;
  comments: CommentView[];
  viewer: Viewer | null;
  here: string;
  commentValue?: string;
  commentErrors?: FormErrors;
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
        <>
          <a href={editorPath(article.slug)} class="btn btn-sm btn-outline-secondary">
            <i class="ion-edit" aria-hidden="true"></i> Edit Article
          </a>
          <form method="post" action={`${articlePath(article.slug)}/delete`}>
            <button type="submit" class="btn btn-sm btn-outline-danger">
              <i class="ion-trash-a" aria-hidden="true"></i> Delete Article
            </button>
          </form>
        </>
      ) : (
        <FollowButton username={article.author.username} following={article.author.following} here={props.here} />
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

function CommentCard(props: { comment: CommentView; viewer: Viewer | null; slug: string; here: string }) {
  const { comment } = props;
  return (
    <div class="card" id={`comment-${comment.id}`}>
      <div class="card-block">
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
        {props.viewer?.id === comment.author.id && (
          <span class="mod-options">
            <form method="post" action={`${articlePath(props.slug)}/comments/${comment.id}/delete`}>
              <RedirectTo here={props.here} />
              <button type="submit" aria-label="Delete comment">
                <i class="ion-trash-a" aria-hidden="true"></i>
              </button>
            </form>
          </span>
        )}
      </div>
    </div>
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
        {article.publishedAt === null && (
          <p class="draft-notice" role="status">
            This is a draft: only you can see it. <a href={editorPath(article.slug)}>Edit or publish it</a>.
          </p>
        )}
        <div class="row article-content">
          <div class="col-md-12">
            <div class="article-body">{raw(props.html)}</div>
            <TagList tags={article.tagList} />
          </div>
        </div>
        <hr />
        <div class="article-actions">
          <ArticleMeta {...props} />
        </div>
        <div class="row">
          <section class="col-xs-12 col-md-8 offset-md-2" aria-label="Comments">
            <CommentForm {...props} />
            {props.comments.map((comment) => (
              <CommentCard comment={comment} viewer={props.viewer} slug={article.slug} here={props.here} />
            ))}
          </section>
        </div>
      </div>
    </div>
  );
}
