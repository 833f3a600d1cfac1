import type { Context, MiddlewareHandler } from 'hono';
import { bodyLimit } from 'hono/body-limit';

const NO_BODY = new Set(['GET', 'HEAD', 'OPTIONS']);

/**
 * hono's bodyLimit, for requests that can carry a body. (Looking for a GET's body turns the
 * node-server's light request into a full WHATWG Request on every page view.)
 */
export function limitBody(maxSize: number, onError: (c: Context) => Response | Promise<Response>): MiddlewareHandler {
  const limit = bodyLimit({ maxSize, onError });
  return async function limitBody(c, next) {
    if (NO_BODY.has(c.req.method)) return next();
    return limit(c, next);
  };
}
