import type { Context, MiddlewareHandler } from 'hono';
import { bodyLimit } from 'hono/body-limit';

const NO_BODY = new Set(['GET', 'HEAD', 'OPTIONS']);

/**
 * hono's bodyLimit, for requests that can carry a body. (Looking for a GET's body turns the
 * node-server's light request into a full WHATWG Request on every page view.)
 *
 * A declared length is checked here, as bodyLimit would, without asking for the body: touching
 * `c.req.raw.body` makes the node-server build a Request, a ReadableStream and an AbortSignal
 * (about a sixth of an API write's CPU), where `c.req.text()` on the light request reads the
 * socket directly. Bodies of unknown length (chunked) still go through bodyLimit, which counts.
 */
export function limitBody(maxSize: number, onError: (c: Context) => Response | Promise<Response>): MiddlewareHandler {
  const limit = bodyLimit({ maxSize, onError });
  return async function limitBody(c, next) {
    const method = c.req.method;
    if (NO_BODY.has(method)) return next();
    const length = c.req.header('content-length');
    // TRACE has no body for bodyLimit to limit: it passes as it did
    if (length !== undefined && method !== 'TRACE' && c.req.header('transfer-encoding') === undefined) {
      return parseInt(length || '0', 10) > maxSize ? onError(c) : next();
    }
    return limit(c, next);
  };
}
