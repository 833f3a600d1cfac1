import type { MiddlewareHandler } from 'hono';
import { cors } from 'hono/cors';
import { apiErrorResponse } from './errors';

/**
 * CORS is off unless CORS_ORIGINS names origins. A preflight from any other origin is refused
 * with 403, so a browser never lets that page call the API.
 */
export function apiCors(origins: string[]): MiddlewareHandler {
  const allowed = new Set(origins);
  const allow = cors({
    origin: (origin) => (allowed.has(origin) ? origin : null),
    allowMethods: ['GET', 'POST', 'PUT', 'DELETE', 'OPTIONS'],
    allowHeaders: ['Authorization', 'Content-Type'],
    maxAge: 600,
  });
  return async function apiCors(c, next) {
    const origin = c.req.header('origin');
    const preflight = c.req.method === 'OPTIONS' && c.req.header('access-control-request-method');
    if (preflight && (!origin || !allowed.has(origin))) {
      return apiErrorResponse(c, 403, { origin: ['is not allowed'] });
    }
    if (allowed.size === 0) return next();
    return allow(c, next);
  };
}
