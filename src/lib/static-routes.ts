import { Hono, type Context } from 'hono';
import type { Asset, Assets } from './assets';
import { chooseEncoding, responseBody } from './compression';

const IMMUTABLE = 'public, max-age=31536000, immutable';
const SHORT = 'public, max-age=3600';
const ROOT_FILES = ['default-avatar.svg', 'favicon.svg'];

function serve(c: Context, asset: Asset, cacheControl: string): Response {
  const headers: Record<string, string> = { 'content-type': asset.contentType, 'cache-control': cacheControl };
  let body: Uint8Array = asset.body;
  if (asset.br && asset.gzip) {
    headers['vary'] = 'Accept-Encoding';
    const encoding = chooseEncoding(c.req.header('accept-encoding'));
    if (encoding !== 'identity') {
      body = asset[encoding]!;
      headers['content-encoding'] = encoding;
    }
  }
  return new Response(responseBody(body), { headers });
}

/** Fingerprinted files under /static live for a year; the few root files keep plain names. */
export function staticRoutes(assets: Assets) {
  const app = new Hono();
  app.get('/static/:file', (c) => {
    const asset = assets.byFingerprint(c.req.param('file'));
    return asset ? serve(c, asset, IMMUTABLE) : c.notFound();
  });
  for (const name of ROOT_FILES) {
    app.get(`/${name}`, (c) => {
      const asset = assets.byName(name);
      return asset ? serve(c, asset, SHORT) : c.notFound();
    });
  }
  app.get('/favicon.ico', (c) => c.redirect(assets.url('favicon.svg'), 301));
  return app;
}
