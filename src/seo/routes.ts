import { Hono } from 'hono';
import type { AppDeps } from '../app-types';
import { sendPublicDocument } from '../lib/conditional-get';
import { absoluteUrl } from '../lib/site';
import { currentSite } from '../site/settings';
import { countSitemapUrls, readSitemapUrls, sitemapIndexXml, urlsetXml } from './sitemap';
import { SITEMAP_URLS_PER_FILE } from './sitemap-limits';

const XML = 'application/xml; charset=utf-8';

/** /sitemap.xml (an index of /sitemap-N.xml past the per-file limit) and robots.txt. */
export function seoRoutes(deps: AppDeps) {
  const app = new Hono();

  app.get('/sitemap.xml', async (c) => {
    const site = await currentSite(deps);
    const total = await countSitemapUrls(deps.db);
    const body =
      total <= SITEMAP_URLS_PER_FILE
        ? urlsetXml(site, await readSitemapUrls(deps.db, 0, SITEMAP_URLS_PER_FILE))
        : sitemapIndexXml(site, Math.ceil(total / SITEMAP_URLS_PER_FILE));
    return sendPublicDocument(c, { body, contentType: XML }, deps.clock());
  });

  app.get('/:file{sitemap-[1-9][0-9]{0,5}\\.xml}', async (c) => {
    const n = Number(/\d+/.exec(c.req.param('file'))![0]);
    const total = await countSitemapUrls(deps.db);
    // the numbered files exist only while the sitemap is split, and only as many as it needs
    if (total <= SITEMAP_URLS_PER_FILE || n > Math.ceil(total / SITEMAP_URLS_PER_FILE)) return c.notFound();
    const site = await currentSite(deps);
    const urls = await readSitemapUrls(deps.db, (n - 1) * SITEMAP_URLS_PER_FILE, SITEMAP_URLS_PER_FILE);
    return sendPublicDocument(c, { body: urlsetXml(site, urls), contentType: XML }, deps.clock());
  });

  app.get('/robots.txt', async (c) => {
    const site = await currentSite(deps);
    const body = `User-agent: *\nAllow: /\n\nSitemap: ${absoluteUrl(site, '/sitemap.xml')}\n`;
    return sendPublicDocument(c, { body, contentType: 'text/plain; charset=utf-8' }, deps.clock());
  });

  return app;
}
