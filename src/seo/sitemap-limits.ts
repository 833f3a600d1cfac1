/**
 * The sitemap protocol's limit per file (sitemaps.org): past it, /sitemap.xml becomes an index of
 * /sitemap-1.xml, /sitemap-2.xml... A module of its own so a test can lower it with vi.mock.
 */
export const SITEMAP_URLS_PER_FILE = 50_000;
