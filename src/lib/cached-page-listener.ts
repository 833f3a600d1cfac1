import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Stamp } from '../cache/versions';
import { answerFrom, SHARED_CACHE_CONTROL, type PageCache } from './http-cache';
import type { Log } from './logger';
import { requestIdFrom } from './request-id';

/** A cache the app fills (httpCache), with the app's rules for answering from it. */
export type CachedSection = {
  cache: PageCache;
  /** whether what was rendered at a stamp is still current (the same function the app uses) */
  current: (stamp: Stamp) => boolean;
  /** whether the app would answer this request from the cache with nothing else to go on */
  plain: (req: IncomingMessage) => boolean;
};

export type CachedPageListenerOptions = {
  /** the section a path belongs to (pages, API), or null for paths never answered here */
  section: (path: string) => CachedSection | null;
  /** the headers every response carries (src/lib/security-headers.ts) */
  headers: ReadonlyArray<readonly [string, string]>;
  /** the client's address from the socket's and X-Forwarded-For (TRUST_PROXY applies) */
  clientIp: (socketPeer: string | undefined, forwardedFor: string | undefined) => string;
  /** spends from the client's global budget; false when it is spent (the app then answers 429) */
  admit: (clientIp: string) => boolean;
  log: Log;
};

/** Answers one request if it can; false hands it to the app. */
export type CachedPageListener = (req: IncomingMessage, res: ServerResponse) => boolean;

/**
 * Anonymous readers' page views and API reads, answered from the app's caches before Hono: no
 * Request object, no routing, no middleware chain. Only what the app would answer identically
 * from the same entry is answered here: a GET or HEAD that its section calls plain (for pages, no
 * cookie at all, so no session, flash or return-to) whose entry is still current (content
 * version, and the comments' of the article it shows), from a client within its global budget.
 * The response is the app's, header for header (a test compares them); the request is logged as
 * the app logs it. Everything else, including every miss, goes to the app, which fills the cache.
 */
export function cachedPageListener(options: CachedPageListenerOptions): CachedPageListener {
  const { section, headers, clientIp, admit, log } = options;
  return function answerFromCache(req, res) {
    const start = performance.now();
    const method = req.method;
    const target = req.url;
    if ((method !== 'GET' && method !== 'HEAD') || !target) return false;
    const query = target.indexOf('?');
    const rawPath = query === -1 ? target : target.slice(0, query);
    const cached = section(rawPath);
    if (!cached || !cached.plain(req)) return false;
    const entry = cached.cache.get(target, cached.current);
    if (!entry) return false;
    if (!admit(clientIp(req.socket.remoteAddress, header(req, 'x-forwarded-for')))) return false;

    const requestId = requestIdFrom(header(req, 'x-request-id'));
    const conditions = { method, ifNoneMatch: header(req, 'if-none-match'), acceptEncoding: header(req, 'accept-encoding') };
    const answer = answerFrom(entry, conditions, SHARED_CACHE_CONTROL, 'small');
    const flat: string[] = [];
    for (const [name, value] of answer.headers) flat.push(name, value);
    for (const [name, value] of headers) flat.push(name, value);
    flat.push('x-request-id', requestId);
    res.writeHead(answer.status, flat);
    res.end(answer.body ?? undefined);
    log({
      level: 'info',
      msg: 'request',
      requestId,
      method,
      path: decodedPath(rawPath),
      status: answer.status,
      durationMs: Math.round((performance.now() - start) * 100) / 100,
      userId: null,
    });
    return true;
  };
}

function header(req: IncomingMessage, name: string): string | undefined {
  const value = req.headers[name];
  return Array.isArray(value) ? value.join(', ') : value;
}

/** The path as the app logs it: Hono decodes each run of valid percent-escapes in c.req.path. */
function decodedPath(path: string): string {
  if (!path.includes('%')) return path;
  return path.replace(/(?:%[0-9A-Fa-f]{2})+/g, (escapes) => {
    try {
      return decodeURI(escapes);
    } catch {
      return escapes;
    }
  });
}
