import type { ArticleSummary } from '../../src/articles/queries';
import { articlePath, favoriteActionPath, profilePath } from '../../src/paths';
import { Avatar } from './avatar';
import { DateTime } from './date';
import { fragmentKey } from '../view-types';
import { imgAttributes, mediaImageOf } from '../../src/media/picture';

/** Where a form should send the reader back to (a hidden, same-site field). */
export function RedirectTo(props: { here: string }) {
  return <input type="hidden" name="redirectTo" value={props.here} />;
}

export function FavoriteCountButton(props: { article: ArticleSummary; here: string }) {
  const { article } = props;
  const label = `${article.favorited ? 'Unfavorite' : 'Favorite'} article (${article.favoritesCount} favorites)`;
  return (
    <form method="post" action={favoriteActionPath(article.slug, article.favorited)} class="pull-xs-right">
      <RedirectTo here={props.here} />
      <button
        type="submit"
        class={`btn btn-sm ${article.favorited ? 'btn-primary' : 'btn-outline-primary'}`}
        aria-label={label}
        aria-pressed={article.favorited ? 'true' : 'false'}
      >
        <i class="ion-heart" aria-hidden="true"></i> {article.favoritesCount}
      </button>
    </form>
  );
}

export function TagList(props: { tags: string[] }) {
  if (props.tags.length === 0) return null;
  return (
    <ul class="tag-list">
      {props.tags.map((tag) => (
        <li class="tag-default tag-pill tag-outline">{tag}</li>
      ))}
    </ul>
  );
}

/**
 * Everything a preview shows, and the page its forms come back to: its fragment key. Every change
 * to an article's own fields (title, description, tags, body, publishing) moves its `updatedAt`,
 * so the article's id and that time stand for them; what moves without it is named.
 */
export function previewKey(article: ArticleSummary, here: string, first = false): string {
  const { author } = article;
  return fragmentKey('preview', [
    first,
    article.id,
    article.updatedAt.getTime(),
    article.favorited,
    article.favoritesCount,
    author.username,
    author.image,
    here,
  ]);
}

/**
 * `first`: the list's first preview, whose cover may be the page's largest paint on a phone (it
 * spans the column there): fetched at once rather than lazily.
 */
export function ArticlePreview(props: { article: ArticleSummary; here: string; first?: boolean }) {
  const { article } = props;
  const author = article.author;
  const cover = mediaImageOf(article.coverImage);
  return (
    <div class="article-preview">
      <div class="article-meta">
        <a href={profilePath(author.username)}>
          <Avatar image={author.image} alt={author.username} size={32} />
        </a>
        <div class="info">
          <a href={profilePath(author.username)} class="author">
            {author.username}
          </a>
          <DateTime class="date" date={article.publishedAt ?? article.updatedAt} />
          <span class="reading-time">{article.readingMinutes} min read</span>
        </div>
        <FavoriteCountButton article={article} here={props.here} />
      </div>
      <a href={articlePath(article.slug)} class={cover ? 'preview-link with-cover' : 'preview-link'}>
        <h1>{article.title}</h1>
        {/* beside the title it illustrates, in the same link: decorative, no second tab stop */}
        {cover && <img class="preview-cover" alt="" {...imgAttributes(cover, 'preview', { first: props.first === true })} />}
        <p>{article.description}</p>
        <span>Read more...</span>
        <TagList tags={article.tagList} />
      </a>
    </div>
  );
}
