import { Hono } from 'hono';
import { AboutPage } from '../../views/pages/info-pages';
import type { AppDeps } from '../app-types';
import { answers } from '../db/transaction';
import { countListed } from '../articles/queries';

export function pageRoutes(deps: AppDeps) {
  const app = new Hono();

  app.get('/about', async (c) => {
    const counts = await countListed(deps.db);
    return c.render(
      <AboutPage siteName={deps.env.SITE_TITLE} siteDescription={deps.env.SITE_DESCRIPTION} counts={counts} />,
      { title: 'About', meta: { description: `About ${deps.env.SITE_TITLE}: ${deps.env.SITE_DESCRIPTION}` } },
    );
  });

  return app;
}

/**
 * Healthy means the database answers a real query, not just that the process is up; a node shutting
 * down is not healthy either, so a load balancer that still reaches it sends it nothing new.
 */
export function healthRoutes(deps: AppDeps, draining: () => boolean = () => false) {
  const app = new Hono();
  app.get('/healthz', async (c) => {
    if (draining()) return c.json({ status: 'draining' }, 503, { 'cache-control': 'no-store' });
    if (await answers(deps.db)) return c.json({ status: 'ok' }, 200, { 'cache-control': 'no-store' });
    return c.json({ status: 'error', error: 'database unavailable' }, 503, { 'cache-control': 'no-store' });
  });
  return app;
}
