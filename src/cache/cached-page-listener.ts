import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Stamp } from '../cache/versions';
import type { FrontDoor } from '../lib/front-door';
import { answerFrom, SHARED_CACHE_CONTROL } from '../lib/representation';
import type { PageCache } from './page-cache';

/** A cache the app fills (httpCache), with the app's rules for answering from it. */
export type CachedSection = {
  cache: PageCache;
  /** whether what was rendered at a stamp is still current (the same function the app uses) */
  current: (stamp: Stamp) => boolean | Promise<boolean>;
  /** whether the app would answer this request from the cache with nothing else to go on */
  plain: (req: IncomingMessage) => boolean;
};

export type CachedPageListenerOptions = {
  /** the section a path belongs to (pages, API), or null for paths never answered here */
  section: (path: string) => CachedSection | null;
  /** the app's own front door: request id, client address, global steps, headers and log line */
  door: Pick<FrontDoor, 'enter' | 'send'>;
};

/**
 * Answers one request if it can: true when it did, false to hand it to the app, or a promise of
 * either when the database cannot say at once whether the entry is current (PostgreSQL; SQLite
 * while a transaction is open).
 */
export type CachedPageListener = (req: IncomingMessage, res: ServerResponse) => boolean | Promise<boolean>;

/**
 * Anonymous readers' page views and API reads, answered from the app's caches before Hono: no
 * Request object, no routing, no middleware chain. Only what the app would answer identically
 * from the same entry is answered here: a GET or HEAD that its section calls plain (for pages, no
 * cookie at all, so no session, flash or return-to) whose entry is still current (content
 * version, and the comments' of the article it shows), once the app's front door has let it
 * through (src/lib/front-door.ts: the same global steps, the same response headers and log line).
 * A test compares the answers with the app's header for header. Everything else, including every
 * miss and every refusal, goes to the app, which fills the cache.
 */
export function cachedPageListener(options: CachedPageListenerOptions): CachedPageListener {
  const { section, door } = options;
  return function answerFromCache(req, res) {
    const start = performance.now();
    const method = req.method;
    const target = req.url;
    if ((method !== 'GET' && method !== 'HEAD') || !target) return false;
    const query = target.indexOf('?');
    const rawPath = query === -1 ? target : target.slice(0, query);
    const cached = section(rawPath);
    if (!cached || !cached.plain(req)) return false;
    const entry = cached.cache.lookup(target);
    if (!entry) return false;
    const answer = (current: boolean): boolean => {
      if (!current) {
        cached.cache.forget(target, entry);
        return false;
      }
      const front = door.enter(req, rawPath, start);
      if (!front) return false;
      const conditions = { method, ifNoneMatch: front.header('if-none-match'), acceptEncoding: front.header('accept-encoding') };
      door.send(res, front, answerFrom(entry, conditions, SHARED_CACHE_CONTROL, 'small'), start);
      return true;
    };
    // no promise when the database answers at once: this is the hottest path there is
    const current = cached.current(entry.stamp);
    return typeof current === 'boolean' ? answer(current) : current.then(answer);
  };
}
