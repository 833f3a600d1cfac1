import type { Context } from 'hono';

/**
 * Over https every cookie takes the `__Host-` prefix: the browser then only accepts it Secure,
 * for this host alone and for Path=/, so a sibling subdomain cannot plant or overwrite it.
 * Over plain http (local use) browsers refuse the prefix, so the plain name is used.
 */
export function cookieName(c: Context, base: string): string {
  return c.get('secureCookies') ? `__Host-${base}` : base;
}
