import { randomUUID } from 'node:crypto';
import type { MiddlewareHandler } from 'hono';

declare module 'hono' {
  interface ContextVariableMap {
    /** this request's id: the client's X-Request-Id when it is a plausible one, else a new UUID */
    requestId: string;
  }
}

/**
 * A proxy's X-Request-Id is kept (up to 255 word characters, "-" and "="), so one id follows a
 * request through the proxy's log and ours; anything else gets a fresh UUID. Same rule as
 * hono/request-id, shared with the cached-page listener.
 */
export function requestIdFrom(header: string | undefined): string {
  if (!header || header.length > 255 || /[^\w\-=]/.test(header)) return randomUUID();
  return header;
}

/** Sets c.get('requestId'), and X-Request-Id on whatever response the request ends with. */
export function requestIds(): MiddlewareHandler {
  return async function requestIds(c, next) {
    const id = requestIdFrom(c.req.header('x-request-id'));
    c.set('requestId', id);
    await next();
    c.res.headers.set('x-request-id', id);
  };
}
