import { Hono, type Context } from 'hono';
import { HTTPException } from 'hono/http-exception';
import type { AppDeps } from '../app-types';
import { sendPublicDocument } from '../lib/conditional-get';
import { currentSite } from '../site/settings';
import type { FeedFormat, FeedScope } from '../paths';
import { findProfile } from '../profiles/queries';
import { atomFeed, feedUpdated, jsonFeed, type Feed } from './documents';
import { listFeedArticles } from './queries';

const FEED_CONTENT_TYPES: Record<FeedFormat, string> = {
  atom: 'application/atom+xml; charset=utf-8',
  json: 'application/feed+json; charset=utf-8',
};

/** An empty site feed has no date of its own: the epoch keeps it stable between requests. */
const NEVER = new Date(0);

/** The feed of a scope, or a 404 for an author or tag that does not exist. */
async function loadFeed(c: Context, deps: AppDeps, kind: FeedScope['kind']): Promise<Feed> {
  if (kind === 'author') {
    const profile = await findProfile(deps.db, c.req.param('username') ?? '', null);
    // a suspended author's feed is gone with their profile (src/profiles/use-cases.ts)
    if (!profile || profile.suspension !== null) throw new HTTPException(404, { message: 'There is no one with that username.' });
    const articles = await listFeedArticles(deps, { author: profile.username });
    // an author without articles yet still has a feed to subscribe to
    return {
      scope: { kind, username: profile.username },
      articles,
      updated: feedUpdated(articles, NEVER),
      author: { name: profile.username, image: profile.image },
    };
  }
  if (kind === 'tag') {
    const tag = c.req.param('tag') ?? '';
    // a tag only drafts use is as unknown as one never used: drafts show nowhere
    if (!(await deps.reads.tagsInUse()).includes(tag)) throw new HTTPException(404, { message: 'No article has that tag.' });
    const articles = await listFeedArticles(deps, { tag });
    return { scope: { kind, tag }, articles, updated: feedUpdated(articles, NEVER) };
  }
  const articles = await listFeedArticles(deps, {});
  return { scope: { kind: 'site' }, articles, updated: feedUpdated(articles, NEVER) };
}

async function sendFeed(c: Context, deps: AppDeps, kind: FeedScope['kind'], format: FeedFormat) {
  const site = await currentSite(deps);
  const feed = await loadFeed(c, deps, kind);
  const body = format === 'atom' ? atomFeed(site, feed) : jsonFeed(site, feed);
  return sendPublicDocument(c, { body, contentType: FEED_CONTENT_TYPES[format], lastModified: feed.updated }, deps.clock());
}

/** Atom and JSON Feed for the site, each author and each tag: the newest published articles. */
export function feedRoutes(deps: AppDeps) {
  const app = new Hono();
  for (const format of ['atom', 'json'] as const) {
    app.get(`/feed.${format}`, (c) => sendFeed(c, deps, 'site', format));
    app.get(`/profile/:username/feed.${format}`, (c) => sendFeed(c, deps, 'author', format));
    app.get(`/tag/:tag/feed.${format}`, (c) => sendFeed(c, deps, 'tag', format));
  }
  return app;
}
