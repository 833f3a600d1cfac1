import { and, count, countDistinct, eq, max, sql } from 'drizzle-orm';
import { listed, listedTagLink } from '../articles/visibility';
import type { Db } from '../db/client';
import { greatest, preparedQuery } from '../db/engine';
import { absoluteUrl, type Site } from '../lib/site';
import { XML_DECLARATION, xmlElement } from '../lib/xml';
import { articlePath, profilePath, sitemapFilePath, tagPath } from '../paths';

/** One <url>: a path on the site and when its content last changed (ms). */
export type SitemapUrl = { path: string; lastmod: number | null };

/** A run of URLs that can be counted and read a slice at a time (a file holds up to 50 000). */
type Segment = { count: () => Promise<number>; read: (offset: number, limit: number) => Promise<SitemapUrl[]> };

type Row = { name: string; updatedAt: Date | null };

const slice = { limit: sql.placeholder('limit'), offset: sql.placeholder('offset') };

/**
 * The site's pages, published articles, profiles of people with a published article, tags of published articles:
 * in a fixed order (by id), so a URL stays in the same file from one request to the next.
 * Drafts are in none of them. Each query is prepared once per database.
 */
function segments(db: Db): Segment[] {
  const counted = (query: { row(): Promise<{ n: number } | undefined> }) => async () => Number((await query.row())?.n ?? 0);
  const read =
    (query: { rows(params: { limit: number; offset: number }): Promise<Row[]> }, path: (name: string) => string) =>
    async (offset: number, limit: number) =>
      (await query.rows({ limit, offset })).map((row) => ({ path: path(row.name), lastmod: row.updatedAt?.getTime() ?? null }));
  return [
    {
      count: async () => 1,
      read: async () => {
        const query = preparedQuery(db, 'sitemap-home', (t) => db.select({ n: max(t.articles.updatedAt) }).from(t.articles).where(listed(t)));
        return [{ path: '/', lastmod: (await query.row())?.n?.getTime() ?? null }];
      },
    },
    // the site's pages (/about, /terms...: src/site/pages.ts)
    {
      count: counted(preparedQuery(db, 'sitemap-pages-count', (t) => db.select({ n: count() }).from(t.sitePages))),
      read: read(
        preparedQuery(db, 'sitemap-pages', (t) =>
          db
            .select({ name: t.sitePages.slug, updatedAt: t.sitePages.updatedAt })
            .from(t.sitePages)
            .orderBy(t.sitePages.id)
            .limit(slice.limit)
            .offset(slice.offset),
        ),
        (slug) => `/${slug}`,
      ),
    },
    {
      count: counted(preparedQuery(db, 'sitemap-articles-count', (t) => db.select({ n: count() }).from(t.articles).where(listed(t)))),
      read: read(
        preparedQuery(db, 'sitemap-articles', (t) =>
          db
            .select({ name: t.articles.slug, updatedAt: t.articles.updatedAt })
            .from(t.articles)
            .where(listed(t))
            .orderBy(t.articles.id)
            .limit(slice.limit)
            .offset(slice.offset),
        ),
        articlePath,
      ),
    },
    {
      count: counted(
        preparedQuery(db, 'sitemap-profiles-count', (t) => db.select({ n: countDistinct(t.articles.authorId) }).from(t.articles).where(listed(t))),
      ),
      read: read(
        preparedQuery(db, 'sitemap-profiles', (t) =>
          db
            .select({
              name: t.users.username,
              updatedAt: greatest<Date>(db, t.users.updatedAt, max(t.articles.updatedAt)).mapWith(t.users.updatedAt),
            })
            .from(t.users)
            .innerJoin(t.articles, and(eq(t.articles.authorId, t.users.id), listed(t)))
            .groupBy(t.users.id)
            .orderBy(t.users.id)
            .limit(slice.limit)
            .offset(slice.offset),
        ),
        profilePath,
      ),
    },
    {
      count: counted(
        preparedQuery(db, 'sitemap-tags-count', (t) => db.select({ n: countDistinct(t.articleTags.tagId) }).from(t.articleTags).where(listedTagLink(t))),
      ),
      read: read(
        preparedQuery(db, 'sitemap-tags', (t) =>
          db
            .select({ name: t.tags.name, updatedAt: max(t.articles.updatedAt) })
            .from(t.tags)
            .innerJoin(t.articleTags, and(eq(t.articleTags.tagId, t.tags.id), listedTagLink(t)))
            .innerJoin(t.articles, eq(t.articles.id, t.articleTags.articleId))
            .groupBy(t.tags.id)
            .orderBy(t.tags.id)
            .limit(slice.limit)
            .offset(slice.offset),
        ),
        tagPath,
      ),
    },
  ];
}

export async function countSitemapUrls(db: Db): Promise<number> {
  let total = 0;
  for (const segment of segments(db)) total += await segment.count();
  return total;
}

/** URLs number `offset` to `offset + limit - 1` of the whole sitemap, reading only their segments. */
export async function readSitemapUrls(db: Db, offset: number, limit: number): Promise<SitemapUrl[]> {
  const urls: SitemapUrl[] = [];
  let start = 0;
  for (const segment of segments(db)) {
    if (urls.length >= limit) break;
    const size = await segment.count();
    const from = Math.max(offset + urls.length - start, 0);
    if (from < size) urls.push(...(await segment.read(from, Math.min(size - from, limit - urls.length))));
    start += size;
  }
  return urls;
}

export function urlsetXml(site: Site, urls: SitemapUrl[]): string {
  const entries = urls.map((url) => {
    const lastmod = url.lastmod === null ? '' : xmlElement('lastmod', new Date(url.lastmod).toISOString());
    return `  <url>${xmlElement('loc', absoluteUrl(site, url.path))}${lastmod}</url>\n`;
  });
  return `${XML_DECLARATION}<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">\n${entries.join('')}</urlset>\n`;
}

export function sitemapIndexXml(site: Site, files: number): string {
  const entries = Array.from({ length: files }, (_, i) => `  <sitemap>${xmlElement('loc', absoluteUrl(site, sitemapFilePath(i + 1)))}</sitemap>\n`);
  return `${XML_DECLARATION}<sitemapindex xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">\n${entries.join('')}</sitemapindex>\n`;
}
