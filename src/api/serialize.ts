import type { ArticleDetail, ArticleSummary, Profile } from '../articles/queries';
import type { CommentView } from '../comments/queries';

/** JSON shapes of RealWorld API 2.0: bio and image are null when unset, never missing. */

export function profileJson(profile: Profile) {
  return { username: profile.username, bio: profile.bio ?? null, image: profile.image ?? null, following: profile.following };
}

export function userJson(user: { email: string; username: string; bio: string | null; image: string | null }, token: string) {
  return { user: { email: user.email, token, username: user.username, bio: user.bio ?? null, image: user.image ?? null } };
}

/** A cover's address as the API gives every address: absolute (stored relative, `/media/...`). */
const absoluteCover = (cover: string | null, base: string) => (cover ? (cover.startsWith('/') ? `${base}${cover}` : cover) : null);

/** A list item: everything but the body (left out, not null). `base`: the site's PUBLIC_URL. */
export function articleListItemJson(article: ArticleSummary, base: string) {
  return {
    slug: article.slug,
    title: article.title,
    description: article.description,
    tagList: article.tagList,
    createdAt: article.createdAt.toISOString(),
    updatedAt: article.updatedAt.toISOString(),
    favorited: article.favorited,
    favoritesCount: article.favoritesCount,
    author: profileJson(article.author),
    // a Quire extension, only when the article has a cover: a RealWorld client that never sets
    // one sees exactly RealWorld's article
    ...(article.coverImage ? { coverImage: absoluteCover(article.coverImage, base) } : {}),
  };
}

export function articleJson(article: ArticleDetail, base: string) {
  const { slug, title, description, ...rest } = articleListItemJson(article, base);
  return { article: { slug, title, description, body: article.body, ...rest } };
}

export function commentJson(comment: CommentView) {
  return {
    id: comment.id,
    createdAt: comment.createdAt.toISOString(),
    updatedAt: comment.updatedAt.toISOString(),
    body: comment.body,
    author: profileJson(comment.author),
    // a Quire extension, only ever shown to the comment's author and moderators
    ...(comment.hidden && {
      hidden: { at: comment.hidden.at.toISOString(), cause: comment.hidden.cause, reason: comment.hidden.reason },
    }),
  };
}
