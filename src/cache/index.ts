/**
 * Every cache Quire keeps, behind one boundary. The contract (docs/decisions/007-caching.md):
 *
 * - What a cached answer depends on is read from the database, never remembered by the code that
 *   writes: versions moved by triggers in the same transaction as every write readers can see
 *   (src/cache/versions.ts). A write by this process, the CLI, another process or another node is
 *   seen by the next request. Feature code, routes and views hold no cache and call no invalidation.
 * - An answer depends on the content version, and on comments only as it says
 *   (`showsComments(c, ...)`): the article page on its article's, anything showing many articles'
 *   comments on all of them. Forgetting to say it is what the differential test
 *   (src/cache/differential.test.ts) catches.
 * - Shared page and API caches hold anonymous answers only, never one that sets a cookie or shows
 *   a flash; ETags of signed-in answers include the viewer. Fragments are keyed by everything they
 *   show, so they cannot be stale.
 * - `CACHE=off` keeps nothing: every answer is computed fresh (the differential test's reference).
 */
import type { Context } from 'hono';
import type { ArticleFilter, SharedReads } from '../articles/queries';
import type { Db } from '../db/client';
import { idle, isBusy } from '../db/transaction';
import type { Freshness } from './http-cache';
import { PageCache } from './page-cache';
import { ContentMemo, fragmentMemo, type Fragment } from './memo';
import { NO_COMMENTS, Versions, type CommentsShown } from './versions';

export type { Fragment } from './memo';
export type { Stamp, CommentsShown } from './versions';

const MIB = 1024 * 1024;

declare module 'hono' {
  interface ContextVariableMap {
    /** whose comments this answer shows: its cached copy follows their version too */
    commentsShown: CommentsShown;
  }
}

/** Says that this answer shows one article's comments, or every article's. */
export function showsComments(c: Context, shown: { articleId: number } | 'all'): void {
  c.set('commentsShown', shown === 'all' ? { kind: 'all' } : { kind: 'article', articleId: shown.articleId });
}

export type Cache = {
  enabled: boolean;
  versions: Versions;
  /** rendered pages and API reads for anonymous readers */
  pages: PageCache;
  api: PageCache;
  freshness: Freshness;
  /** values computed from what every reader sees (src/articles/queries.ts SharedReads) */
  memo: ContentMemo;
  fragment: Fragment;
};

export function createCache(db: Db, options: { enabled: boolean }): Cache {
  const { enabled } = options;
  const versions = new Versions(db);
  return {
    enabled,
    versions,
    // 24 MB in all keeps the peak under load within 150 MB (an article page with its br and gzip
    // copies is about 50 KB, so some 500 of them fit); CACHE=off keeps none
    pages: new PageCache(enabled ? 2000 : 0, 16 * MIB),
    api: new PageCache(enabled ? 1000 : 0, 8 * MIB),
    freshness: {
      stamp: (c) => versions.stamp(c.get('commentsShown') ?? NO_COMMENTS),
      // an open transaction's versions may yet be rolled back: nothing counts as current meanwhile
      current: (stamp) => !isBusy(db) && versions.isCurrent(stamp),
      writeMark: () => versions.writeMark(),
      ready: () => idle(db),
    },
    // a list page's articles weigh one each: some 2 000 listed articles between writes
    memo: new ContentMemo(versions, () => idle(db), 2000, enabled),
    // the navbar variants, paginations and previews: most recent 3 000
    fragment: fragmentMemo(3000, enabled),
  };
}

/** The shared reads, each kept per content version (a list page's articles weigh one each). */
export function cachedReads(reads: SharedReads, memo: ContentMemo): SharedReads {
  const filterKey = (filter: ArticleFilter) => JSON.stringify(filter);
  return {
    // a page and its total in one entry: one version read where two cost 2 µs more
    articleList: (filter, limit, offset) =>
      memo.get(
        `article-list:${filterKey(filter)}:${limit}:${offset}`,
        () => reads.articleList(filter, limit, offset),
        (list) => Math.max(1, list.articles.length),
      ),
    tagsInUse: () => memo.get('tags-in-use', () => reads.tagsInUse()),
    // every page's title, navbar and footer: one version read a page, as tagsInUse costs
    site: () => memo.get('site', () => reads.site()),
  };
}
