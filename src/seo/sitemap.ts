import { listedSql, listedTagLinkSql } from '../articles/visibility';
import type { Db } from '../db/client';
import { idle } from '../db/transaction';
import { absoluteUrl, type Site } from '../lib/site';
import { XML_DECLARATION, xmlElement } from '../lib/xml';
import { articlePath, profilePath, sitemapFilePath, tagPath } from '../paths';

/** One <url>: a path on the site and when its content last changed. */
export type SitemapUrl = { path: string; lastmod: number | null };

/** A run of URLs that can be counted and read a slice at a time (a file holds up to 50 000). */
type Segment = { count: () => number; read: (offset: number, limit: number) => SitemapUrl[] };

type Row = { name: string; updatedAt: number | null };

/**
 * Published articles, profiles of people with a published article, tags of published articles:
 * in a fixed order (by id), so a URL stays in the same file from one request to the next.
 * Drafts are in none of them.
 */
function segments(db: Db): Segment[] {
  const count = (sql: string) => () => (db.$client.prepare(sql).get() as { n: number }).n;
  const read = (sql: string, path: (name: string) => string) => (offset: number, limit: number) =>
    (db.$client.prepare(sql).all(limit, offset) as Row[]).map((row) => ({ path: path(row.name), lastmod: row.updatedAt }));
  return [
    {
      count: () => 1,
      read: () => [
        {
          path: '/',
          lastmod: (
            db.$client.prepare(`select max(updated_at) as n from articles where ${listedSql()}`).get() as { n: number | null }
          ).n,
        },
      ],
    },
    {
      count: count(`select count(*) as n from articles where ${listedSql()}`),
      read: read(
        `select slug as name, updated_at as updatedAt from articles where ${listedSql()}
         order by id limit ? offset ?`,
        articlePath,
      ),
    },
    {
      count: count(`select count(distinct author_id) as n from articles where ${listedSql()}`),
      read: read(
        `select u.username as name, max(u.updated_at, max(a.updated_at)) as updatedAt from users u
         join articles a on a.author_id = u.id and ${listedSql('a')}
         group by u.id order by u.id limit ? offset ?`,
        profilePath,
      ),
    },
    {
      count: count(`select count(distinct tag_id) as n from article_tags where ${listedTagLinkSql()}`),
      read: read(
        `select t.name as name, max(a.updated_at) as updatedAt from tags t
         join article_tags at on at.tag_id = t.id and ${listedTagLinkSql('at')}
         join articles a on a.id = at.article_id
         group by t.id order by t.id limit ? offset ?`,
        tagPath,
      ),
    },
  ];
}

export async function countSitemapUrls(db: Db): Promise<number> {
  await idle(db);
  return segments(db).reduce((sum, segment) => sum + segment.count(), 0);
}

/** URLs number `offset` to `offset + limit - 1` of the whole sitemap, reading only their segments. */
export async function readSitemapUrls(db: Db, offset: number, limit: number): Promise<SitemapUrl[]> {
  await idle(db);
  const urls: SitemapUrl[] = [];
  let start = 0;
  for (const segment of segments(db)) {
    if (urls.length >= limit) break;
    const size = segment.count();
    const from = Math.max(offset + urls.length - start, 0);
    if (from < size) urls.push(...segment.read(from, Math.min(size - from, limit - urls.length)));
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
