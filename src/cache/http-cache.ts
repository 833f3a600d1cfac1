import type { Context, MiddlewareHandler } from 'hono';
import { bodyTag, respond, SHARED_CACHE_CONTROL, type Representation } from '../lib/representation';
import type { Entry, PageCache } from './page-cache';
import { stampTag, type Stamp } from './versions';

/** Headers this middleware sets itself, or that belong to one request and are never stored. */
const OWN_HEADERS = new Set(['content-length', 'content-encoding', 'transfer-encoding', 'etag', 'cache-control', 'vary']);
const PER_REQUEST = new Set([
  'x-request-id',
  'set-cookie',
  'date',
  // CORS answers depend on the requesting origin, which the cache key does not hold
  'access-control-allow-origin',
  'access-control-allow-credentials',
  'access-control-expose-headers',
]);

function mergeVary(...values: Array<string | null | undefined>): string {
  const names = values.flatMap((value) => (value ?? '').split(',').map((name) => name.trim())).filter(Boolean);
  return [...new Map(names.map((name) => [name.toLowerCase(), name])).values()].join(', ');
}

/**
 * The cache key: the request target as the client sent it (path and query), which is what the
 * cached-page listener sees before any parsing. Requests made in tests have no socket behind them.
 */
function requestTarget(c: Context): string {
  const incoming = (c.env as { incoming?: { url?: string } } | undefined)?.incoming;
  if (incoming?.url) return incoming.url;
  const url = new URL(c.req.url);
  return url.pathname + url.search;
}

declare module 'hono' {
  interface ContextVariableMap {
    /** a page's HTML as the renderer made it (src/lib/render.tsx) */
    renderedHtml: string;
  }
}

/** How the cache tells whether a response is still what would be rendered now. */
export type Freshness = {
  /** what the response was rendered from, asked once the handler has run */
  stamp: (c: Context) => Promise<Stamp>;
  /** whether what was rendered at a stamp is still what would be rendered now (at once when the database can say so at once) */
  current: (stamp: Stamp) => boolean | Promise<boolean>;
  /** moves with every write: the same before and after rendering, no write happened meanwhile */
  writeMark: () => Promise<string>;
  /** resolves when the versions may be read: no other caller's transaction is open (src/db/transaction.ts) */
  ready: () => Promise<void>;
};

export type HttpCacheOptions = Freshness & {
  cache: PageCache;
  /** the viewer's id, or null for an anonymous reader whose responses may be shared */
  viewer: (c: Context) => number | null;
  /** whether an anonymous response may be served from / stored in the shared cache */
  shareable: (c: Context) => boolean;
  /** what a response depends on besides the URL */
  vary: string;
};

/**
 * HTTP caching for pages and API reads: an ETag on every 200 (anonymous ones derive from the
 * content version; others from the body and the viewer, so no one gets another's page), 304 for
 * a matching If-None-Match, Cache-Control per response, br/gzip above 1 KB, and a cache of
 * rendered responses for anonymous readers that a content-version change empties.
 */
export function httpCache(options: HttpCacheOptions): MiddlewareHandler {
  return async function httpCache(c, next) {
    if (c.req.method !== 'GET' && c.req.method !== 'HEAD') return next();
    const viewer = options.viewer(c);
    const shared = viewer === null && options.shareable(c);
    const key = requestTarget(c);
    // only a shared answer is kept, so only it needs to know what it was rendered from
    let mark: string | null = null;
    if (shared) {
      await options.ready();
      mark = await options.writeMark();
    }
    const cacheControl = viewer === null ? SHARED_CACHE_CONTROL : 'private, no-cache';
    const respondWith = (answer: Representation, level: 'fast' | 'small') => respond(c, answer, cacheControl, level);

    if (shared) {
      const hit = await options.cache.get(key, options.current);
      if (hit) return respondWith(hit, 'small');
    }
    await next();
    const res = c.res;
    // a handler that chose its own caching (healthz: no-store) is left alone
    if (res.status !== 200 || res.headers.has('content-encoding') || res.headers.has('cache-control')) return;
    const contentType = res.headers.get('content-type') ?? '';
    if (!/^(text\/html|application\/json)/.test(contentType)) return;

    const rendered = c.get('renderedHtml');
    const body = rendered !== undefined ? Buffer.from(rendered) : Buffer.from(await res.arrayBuffer());
    if (body.byteLength === 0) return;
    const headers: Array<[string, string]> = [];
    res.headers.forEach((value, name) => {
      if (!OWN_HEADERS.has(name)) headers.push([name, value]);
    });
    const vary = mergeVary(options.vary, res.headers.get('vary'));
    let answer: Representation = { etag: `W/"${viewer ?? 'a'}-${bodyTag(body)}"`, body, headers, vary, encoded: {} };
    let level: 'fast' | 'small' = 'fast';
    // a response that sets cookies (a renewed session, a cleared flash) is never shared
    if (shared && !res.headers.has('set-cookie')) {
      await options.ready();
      const stamp = await options.stamp(c);
      // a write while it was rendered leaves it unkept: it may show some of the write and not the rest
      if ((await options.writeMark()) === mark) {
        const entry: Entry = { ...answer, stamp, etag: `W/"v${stampTag(stamp)}-${bodyTag(body)}"` };
        options.cache.set(key, { ...entry, headers: headers.filter(([name]) => !PER_REQUEST.has(name)) });
        answer = entry;
        level = 'small';
      }
    }
    c.res = undefined as unknown as Response; // replace, not merge, the handler's response
    c.res = respondWith(answer, level);
  };
}
