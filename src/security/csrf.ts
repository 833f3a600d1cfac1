import type { MiddlewareHandler } from 'hono';
import { HTTPException } from 'hono/http-exception';

const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);

/** What a browser's Sec-Fetch-Site may say of a request that is not cross-site ("none": typed or bookmarked). */
const NOT_CROSS_SITE = new Set(['same-origin', 'same-site', 'none']);

export type CrossSiteVerdict = 'same-site' | 'cross-site';

function originOf(url: string): string | null {
  try {
    return new URL(url).origin;
  } catch {
    return null;
  }
}

/**
 * Where an unsafe request came from, by the headers a browser sets and a page cannot (see
 * docs/decisions/002-csrf.md): Origin when there is one; else Sec-Fetch-Site; else Referer. A
 * request with none of them is refused: an old browser that sends no Origin can be made to drop
 * its Referer by the attacking page (`<meta name="referrer" content="no-referrer">`), so silence
 * proves nothing. The content type plays no part: hono/csrf looked only at form types, and a JSON
 * or text POST from another site went through.
 */
export function judgeOrigin(headers: { origin?: string; secFetchSite?: string; referer?: string }, publicOrigin: string): CrossSiteVerdict {
  const { origin, secFetchSite, referer } = headers;
  if (origin !== undefined) {
    // the browser vouches the page is this very site even if it was reached by another address than PUBLIC_URL
    return origin === publicOrigin || secFetchSite === 'same-origin' ? 'same-site' : 'cross-site';
  }
  if (secFetchSite !== undefined) return NOT_CROSS_SITE.has(secFetchSite) ? 'same-site' : 'cross-site';
  if (referer !== undefined) return originOf(referer) === publicOrigin ? 'same-site' : 'cross-site';
  return 'cross-site';
}

/** Refuses (403) an unsafe method from another site, whatever its content type. */
export function refuseCrossSite(publicOrigin: string): MiddlewareHandler {
  return async function refuseCrossSite(c, next) {
    if (!SAFE_METHODS.has(c.req.method)) {
      const verdict = judgeOrigin(
        { origin: c.req.header('origin'), secFetchSite: c.req.header('sec-fetch-site'), referer: c.req.header('referer') },
        publicOrigin,
      );
      if (verdict === 'cross-site') {
        throw new HTTPException(403, { message: 'This form was sent from another site, so it was refused. Go back, reload the page and try again.' });
      }
    }
    await next();
  };
}
