import { Hono, type Context } from 'hono';
import { HTTPException } from 'hono/http-exception';
import type { AppDeps } from '../app-types';
import { EmailNotConfirmed } from '../account-links/email-confirmation';
import { Forbidden, NotFound } from '../core';
import type { Assets } from '../lib/assets';
import { limitBody } from '../lib/body-limit';
import { httpCache, type Freshness } from '../cache/http-cache';
import type { PageCache } from '../cache/page-cache';
import { logUnhandledError } from '../lib/logger';
import { logSecurityEvent } from '../security/audit';
import { TooManyRequests } from '../security/limits';
import { apiCors } from './cors';
import { ApiError, apiErrorResponse } from './errors';
import { accountApiRoutes } from '../accounts/api-routes';
import { articleApiRoutes } from './article-routes';
import { loadApiUser } from './auth';
import { docsRoutes } from './docs-routes';
import { userApiRoutes } from './user-routes';
import { moderationApiRoutes } from '../moderation/api-routes';
import { siteApiRoutes } from '../site/api-routes';
import { notificationApiRoutes } from '../notifications/api-routes';
import { mediaApiRoutes } from '../media/routes';
import { mediaAdminApiRoutes } from '../media/admin-routes';

const API_BODY_LIMIT_BYTES = 1024 * 1024;

/** The JSON API under /api: RealWorld API 2.0 over the same domain functions as the pages. */
export function apiRoutes(deps: AppDeps, assets: Assets, cache: PageCache, freshness: Freshness) {
  const api = new Hono();

  api.use(apiCors(deps.env.CORS_ORIGINS));
  const limitJsonBody = limitBody(API_BODY_LIMIT_BYTES, (c) => apiErrorResponse(c, 413, { body: ['is too large (maximum is 1 MB)'] }));
  // an upload has its own, larger limit (src/media/routes.ts)
  api.use((c, next) => (c.req.path === '/api/uploads' ? next() : limitJsonBody(c, next)));
  api.use(loadApiUser(deps));
  api.use(
    httpCache({
      cache,
      ...freshness,
      viewer: (c) => c.get('user')?.id ?? null,
      shareable: (c) => !c.req.header('authorization'),
      vary: 'Authorization, Accept-Encoding',
    }),
  );

  api.route('/', userApiRoutes(deps));
  api.route('/', articleApiRoutes(deps));
  api.route('/', moderationApiRoutes(deps));
  api.route('/', accountApiRoutes(deps));
  api.route('/', siteApiRoutes(deps));
  api.route('/', notificationApiRoutes(deps));
  api.route('/', mediaApiRoutes(deps));
  api.route('/', mediaAdminApiRoutes(deps));
  api.route('/', docsRoutes(assets.url('style.css')));

  api.all('*', (c) => apiErrorResponse(c, 404, { resource: ['not found'] }));

  api.onError((err, c: Context) => {
    if (err instanceof ApiError) {
      if (err.status === 403) logSecurityEvent(c, deps.log, 'forbidden', { method: c.req.method, path: c.req.path });
      return apiErrorResponse(c, err.status, err.errors);
    }
    if (err instanceof NotFound) return apiErrorResponse(c, 404, { [err.thing]: ['not found'] });
    // RealWorld's shape, saying why and what to do: {"errors":{"email":["must be confirmed ..."]}}
    if (err instanceof EmailNotConfirmed) {
      return apiErrorResponse(c, 403, { email: [`must be confirmed before you can ${err.act === 'publish' ? 'publish' : 'comment'}: follow the link mailed to you, or POST /api/user/confirmation to send it again`] });
    }
    if (err instanceof Forbidden) {
      logSecurityEvent(c, deps.log, 'forbidden', { method: c.req.method, path: c.req.path });
      return apiErrorResponse(c, 403, { [err.thing]: ['forbidden'] });
    }
    if (err instanceof TooManyRequests) {
      c.header('Retry-After', String(err.retryAfterSeconds));
      return apiErrorResponse(c, 429, { rate: [err.message] });
    }
    if (err instanceof HTTPException) {
      return apiErrorResponse(c, err.status as 400, { request: [err.message || 'could not be processed'] });
    }
    logUnhandledError(deps.log, c, err);
    return apiErrorResponse(c, 500, { server: [`unexpected error (request id ${c.get('requestId')})`] });
  });

  return api;
}
