import type { FeedLink } from '../../views/view-types';
import { absoluteUrl, type Site } from '../lib/site';
import { feedPath, type FeedScope } from '../paths';

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
