import { randomUUID } from 'node:crypto';

declare module 'hono' {
  interface ContextVariableMap {
    /** this request's id: the client's X-Request-Id when it is a plausible one, else a new UUID */
    requestId: string;
  }
}

/**
 * A proxy's X-Request-Id is kept (up to 255 word characters, "-" and "="), so one id follows a
 * request through the proxy's log and ours; anything else gets a fresh UUID. Same rule as
 * hono/request-id; the front door (src/lib/front-door.ts) applies it on both ways in.
 */
export function requestIdFrom(header: string | undefined): string {
  if (!header || header.length > 255 || /[^\w\-=]/.test(header)) return randomUUID();
  return header;
}
