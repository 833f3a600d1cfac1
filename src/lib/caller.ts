import type { Context } from 'hono';
import type { Caller } from '../core';

/**
 * Who asks through an HTTP door, from what the middleware has learnt of the request: the signed-in
 * user (session cookie or API token), the request id, the client's address and its User-Agent.
 */
export function callerOf(c: Context, door: 'web' | 'api'): Caller {
  return {
    door,
    userId: c.get('user')?.id ?? null,
    role: c.get('user')?.role ?? null,
    requestId: c.get('requestId') ?? null,
    ip: c.get('clientIp') ?? null,
    userAgent: c.req.header('user-agent') ?? null,
  };
}
