/*
 * The app's addresses that are built from data, in one place. Pure and dependency-free, so routes,
 * feeds, the sitemap and the views (004-layout.md) all import the same spelling of each URL.
 */

export const articlePath = (slug: string) => `/article/${encodeURIComponent(slug)}`;

/** Where the article's Favorite (or Unfavorite) button posts. */
export const favoriteActionPath = (slug: string, favorited: boolean) =>
  `${articlePath(slug)}/${favorited ? 'unfavorite' : 'favorite'}`;

export const editorPath = (slug: string) => `/editor/${encodeURIComponent(slug)}`;

export const profilePath = (username: string) => `/profile/${encodeURIComponent(username)}`;

/** Where the Follow (or Unfollow) button for this person posts. */
export const followActionPath = (username: string, following: boolean) =>
  `${profilePath(username)}/${following ? 'unfollow' : 'follow'}`;

export type ProfileTab = 'articles' | 'favorites' | 'drafts';

/** The articles tab is the profile itself; the others sit below it. */
export const profileTabPath = (username: string, tab: ProfileTab) =>
  tab === 'articles' ? profilePath(username) : `${profilePath(username)}/${tab}`;

export const tagPath = (tag: string) => `/tag/${encodeURIComponent(tag)}`;

export const FOLLOWING_FEED_PATH = '/?feed=following';

export const searchPath = (query: string) => `/search?q=${encodeURIComponent(query)}`;

/** `path` itself on page 1, else `path?page=N` (or `&page=N` after a query). */
export function withPage(path: string, page: number): string {
  if (page <= 1) return path;
  return `${path}${path.includes('?') ? '&' : '?'}page=${page}`;
}

/** Whose articles a feed holds: the whole site's, one author's or one tag's. */
export type FeedScope = { kind: 'site' } | { kind: 'author'; username: string } | { kind: 'tag'; tag: string };

export type FeedFormat = 'atom' | 'json';

/** The HTML page that lists the same articles. */
export function scopePagePath(scope: FeedScope): string {
  if (scope.kind === 'author') return profilePath(scope.username);
  if (scope.kind === 'tag') return tagPath(scope.tag);
  return '/';
}

export function feedPath(scope: FeedScope, format: FeedFormat): string {
  const file = `feed.${format}`;
  return scope.kind === 'site' ? `/${file}` : `${scopePagePath(scope)}/${file}`;
}

/** One file of a sitemap split past the protocol's limit per file. */
export const sitemapFilePath = (n: number) => `/sitemap-${n}.xml`;
