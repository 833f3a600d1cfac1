import { hash as digest } from 'node:crypto';
import type { Context, MiddlewareHandler } from 'hono';
import { chooseEncoding, compress, isCompressible, responseBody, type Encoding } from './compression';
import { stampTag, type Stamp } from '../cache/versions';
import { Lru } from './lru';

/** A rendered 200 response, with its compressed forms made once (cached entries) or on demand. */
export type Entry = {
  /** the content it was rendered from */
  stamp: Stamp;
  etag: string;
  body: Buffer;
  /** the handler's headers, less those set per answer (below) and per request */
  headers: Array<[string, string]>;
  vary: string;
  encoded: Partial<Record<'br' | 'gzip', Buffer>>;
};

/** A bounded LRU of rendered responses for anonymous readers, keyed by path and query; 0 entries keeps none. */
export class PageCache {
  private readonly entries: Lru<Entry>;

  constructor(
    private readonly maxEntries: number,
    maxBytes: number,
  ) {
    this.entries = new Lru(maxBytes, maxEntries);
  }

  /** The entry for `key` if `current` says its content is still the current one (else it is dropped). */
  get(key: string, current: (stamp: Stamp) => boolean): Entry | undefined {
    if (this.maxEntries === 0) return undefined;
    const entry = this.entries.get(key);
    if (entry && !current(entry.stamp)) {
      this.entries.delete(key);
      return undefined;
    }
    return entry;
  }

  set(key: string, entry: Entry): void {
    if (this.maxEntries === 0) return;
    this.entries.set(key, entry, size(entry));
  }

  get size(): number {
    return this.entries.size;
  }
}

/**
 * What an entry weighs in the cache: its body, and as much again for the br and gzip copies made
 * on first request (for HTML and JSON the two together stay well under the body's size).
 */
function size(entry: Entry): number {
  return 2 * entry.body.byteLength;
}

/** A short digest of a body, for ETags. */
export const bodyTag = (body: Buffer) => digest('sha1', body, 'base64url').slice(0, 22);

/** Anyone may keep an anonymous response, and must ask again (cheaply, by ETag) before reuse. */
export const SHARED_CACHE_CONTROL = 'public, no-cache';

function etagMatches(header: string, etag: string): boolean {
  return header.split(',').some((tag) => tag.trim() === etag || tag.trim() === '*');
}

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

/** What a request says that changes the answer from an entry. */
export type Conditions = {
  method: string;
  ifNoneMatch: string | undefined;
  acceptEncoding: string | undefined;
  /** If-Modified-Since says the client's copy is current (asked only without If-None-Match) */
  unmodifiedSince?: boolean;
};

/** A body with its headers and ETag: a cached entry, or a document answered once (feeds). */
export type Representation = Pick<Entry, 'etag' | 'body' | 'headers' | 'vary' | 'encoded'>;

export type Answer = { status: 200 | 304; headers: Array<[string, string]>; body: Buffer | null };

/**
 * The response to `request` from `entry`: 304 when its ETag matches (or, without If-None-Match,
 * when If-Modified-Since does; RFC 9110 13.2.2), else the body in the best encoding the client
 * accepts (compressed once per entry), no body for HEAD. Pure, so the app and the cached-page
 * listener (src/lib/cached-page-listener.ts) answer alike.
 */
export function answerFrom(entry: Representation, request: Conditions, cacheControl: string, level: 'fast' | 'small'): Answer {
  const headers: Array<[string, string]> = [
    ...entry.headers,
    ['etag', entry.etag],
    ['cache-control', cacheControl],
    ['vary', entry.vary],
  ];
  const notModified =
    request.ifNoneMatch !== undefined ? etagMatches(request.ifNoneMatch, entry.etag) : request.unmodifiedSince === true;
  if (notModified) {
    return { status: 304, headers: headers.filter(([name]) => name !== 'content-type'), body: null };
  }
  let body: Buffer = entry.body;
  const contentType = entry.headers.find(([name]) => name === 'content-type')?.[1] ?? null;
  if (isCompressible(contentType, body.byteLength)) {
    const encoding: Encoding = chooseEncoding(request.acceptEncoding);
    if (encoding !== 'identity') {
      body = entry.encoded[encoding] ??= compress(entry.body, encoding, level);
      headers.push(['content-encoding', encoding]);
    }
  }
  headers.push(['content-length', String(body.byteLength)]);
  return { status: 200, headers, body: request.method === 'HEAD' ? null : body };
}

/** answerFrom() as a Response to this request. */
export function respond(
  c: Context,
  entry: Representation,
  cacheControl: string,
  level: 'fast' | 'small',
  unmodifiedSince = false,
): Response {
  const conditions = {
    method: c.req.method,
    ifNoneMatch: c.req.header('if-none-match'),
    acceptEncoding: c.req.header('accept-encoding'),
    unmodifiedSince,
  };
  const answer = answerFrom(entry, conditions, cacheControl, level);
  return new Response(answer.body && responseBody(answer.body), { status: answer.status, headers: answer.headers });
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
  stamp: (c: Context) => Stamp;
  /** whether what was rendered at a stamp is still what would be rendered now */
  current: (stamp: Stamp) => boolean;
  /** moves with every write: the same before and after rendering, no write happened meanwhile */
  writeMark: () => string;
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
    await options.ready();
    const mark = options.writeMark();
    const cacheControl = viewer === null ? SHARED_CACHE_CONTROL : 'private, no-cache';
    const respondWith = (entry: Entry, level: 'fast' | 'small') => respond(c, entry, cacheControl, level);

    if (shared) {
      const hit = options.cache.get(key, options.current);
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
    await options.ready();
    const stamp = options.stamp(c);
    const entry: Entry = {
      stamp,
      etag: shared ? `W/"v${stampTag(stamp)}-${bodyTag(body)}"` : `W/"${viewer ?? 'a'}-${bodyTag(body)}"`,
      body,
      headers,
      vary: mergeVary(options.vary, res.headers.get('vary')),
      encoded: {},
    };
    // a response that sets cookies (a renewed session, a cleared flash) is never shared
    const storable = shared && !res.headers.has('set-cookie') && options.writeMark() === mark;
    if (storable) {
      options.cache.set(key, { ...entry, headers: headers.filter(([name]) => !PER_REQUEST.has(name)) });
    }
    c.res = undefined as unknown as Response; // replace, not merge, the handler's response
    c.res = respondWith(entry, storable ? 'small' : 'fast');
  };
}
