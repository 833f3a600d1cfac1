import { describe, expect, it, vi } from 'vitest';
import { Browser, createTestApp, insertArticle, insertUser } from '../test-support';
import { parseXml, textOf } from '../test-support/xml';

// three URLs a file, so a handful of articles splits the sitemap as 50 000 would
vi.mock('./sitemap-limits', () => ({ SITEMAP_URLS_PER_FILE: 3 }));

describe('a sitemap past the per-file limit', () => {
  it('becomes an index of numbered sitemaps that hold every URL once', async () => {
    const t = await createTestApp({ env: { PUBLIC_URL: 'https://blog.example' } });
    const bob = await insertUser(t.db, 'bob');
    const slugs: string[] = [];
    for (const n of [1, 2, 3, 4, 5]) slugs.push((await insertArticle(t.db, bob.id, { title: `Article ${n}`, tagList: ['birds'] })).slug);
    const reader = new Browser(t.app);
    // home, /about (a page: src/site/pages.ts), 5 articles, 1 profile, 1 tag: 9 URLs in 3 files

    const { sitemapindex } = parseXml(await reader.html('/sitemap.xml'));
    const files = sitemapindex.sitemap.map((entry: any) => textOf(entry.loc));
    expect(files).toEqual([1, 2, 3].map((n) => `https://blog.example/sitemap-${n}.xml`));

    const locs: string[] = [];
    for (const n of [1, 2, 3]) {
      const res = await reader.get(`/sitemap-${n}.xml`);
      expect(res.headers.get('content-type')).toBe('application/xml; charset=utf-8');
      const { urlset } = parseXml(await res.text());
      expect(urlset.url.length).toBeLessThanOrEqual(3);
      locs.push(...urlset.url.map((url: any) => textOf(url.loc)));
    }
    expect(locs).toEqual([
      'https://blog.example/',
      'https://blog.example/about',
      ...slugs.map((slug) => `https://blog.example/article/${slug}`),
      'https://blog.example/profile/bob',
      'https://blog.example/tag/birds',
    ]);
    expect((await reader.get('/sitemap-4.xml')).status).toBe(404);
    expect((await reader.get('/sitemap-0.xml')).status).toBe(404);
  });
});
