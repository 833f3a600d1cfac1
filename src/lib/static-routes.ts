import { Hono } from 'hono';
import type { Asset, Assets } from './assets';

const IMMUTABLE = 'public, max-age=31536000, immutable';
const SHORT = 'public, max-age=3600';
const ROOT_FILES = ['default-avatar.svg', 'favicon.svg', 'robots.txt'];

function serve(asset: Asset, cacheControl: string): Response {
  return new Response(asset.body, {
    headers: { 'content-type': asset.contentType, 'cache-control': cacheControl },
  });
}

/** Fingerprinted files under /static live for a year; the few root files keep plain names. */
export function staticRoutes(assets: Assets) {
  const app = new Hono();
  app.get('/static/:file', (c) => {
    const asset = assets.byFingerprint(c.req.param('file'));
    return asset ? serve(asset, IMMUTABLE) : c.notFound();
  });
  for (const name of ROOT_FILES) {
    app.get(`/${name}`, (c) => {
      const asset = assets.byName(name);
      return asset ? serve(asset, SHORT) : c.notFound();
    });
  }
  app.get('/favicon.ico', (c) => c.redirect(assets.url('favicon.svg'), 301));
  return app;
}
