import { profilePath, tagPath } from '../../views/components/article-preview';
import type { FeedLink } from '../../views/view-types';
import { absoluteUrl, type Site } from '../lib/site';

/** Whose articles a feed holds: the whole site's, one author's or one tag's. */
export type FeedScope = { kind: 'site' } | { kind: 'author'; username: string } | { kind: 'tag'; tag: string };

export type FeedFormat = 'atom' | 'json';

export const FEED_CONTENT_TYPES: Record<FeedFormat, string> = {
  atom: 'application/atom+xml; charset=utf-8',
  json: 'application/feed+json; charset=utf-8',
};

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

/** A feed's title, most specific part first: ["bob", "Field Notes"]. */
function feedTitleParts(site: Site, scope: FeedScope): string[] {
  if (scope.kind === 'author') return [scope.username, site.title];
  if (scope.kind === 'tag') return [`# ${scope.tag}`, site.title];
  return [site.title];
}

/** "bob — Field Notes", as feeds name themselves. */
export function feedTitle(site: Site, scope: FeedScope): string {
  return feedTitleParts(site, scope).join(' — ');
}

/** What a page's <head> announces so feed readers find the feed (autodiscovery). */
export function feedLink(site: Site, scope: FeedScope): FeedLink {
  return {
    titleParts: feedTitleParts(site, scope),
    atom: absoluteUrl(site, feedPath(scope, 'atom')),
    json: absoluteUrl(site, feedPath(scope, 'json')),
  };
}
