import { Hono } from 'hono';
import type { AppDeps } from '../app-types';
import { answers } from '../db/transaction';

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
