import { Hono, type Context } from 'hono';
import { HTTPException } from 'hono/http-exception';
import { ErrorPage } from '../views/pages/info-pages';
import type { AppDeps } from './app-types';
import { Forbidden, Gone, NotFound } from './core';
import { apiErrorResponse } from './api/errors';
import { sharedReads } from './articles/queries';
import { cachedReads, createCache } from './cache';
import { accountLinkRoutes } from './account-links/routes';
import { EmailNotConfirmed } from './account-links/email-confirmation';
import { ConfirmFirstPage } from '../views/pages/account-link-pages';
import { adminRoutes } from './admin/routes';
import { apiRoutes } from './api/routes';
import { articleRoutes } from './articles/routes';
import { loadSession } from './auth/middleware';
import { moderationRoutes } from './moderation/routes';
import { authRoutes } from './auth/routes';
import { commentRoutes } from './comments/routes';
import { feedRoutes } from './feeds/routes';
import { isHttps } from './env';
import { loadAssets, type Assets } from './lib/assets';
import { cachedPageListener, type CachedSection } from './cache/cached-page-listener';
import { limitBody } from './lib/body-limit';
import { systemClock } from './lib/clock';
import { loadFlash } from './lib/flash';
import { httpCache } from './cache/http-cache';
import { frontDoor, type GlobalStep } from './lib/front-door';
import { errorText, jsonLog, logUnhandledError, type Log } from './lib/logger';
import { renderDocument, renderer, type RenderOptions } from './lib/render';
import { securityHeaders } from './lib/security-headers';
import { NUL } from './lib/text';
import { siteOf } from './lib/site';
import { staticRoutes } from './lib/static-routes';
import { logSecurityEvent } from './security/audit';
import { refuseCrossSite } from './security/csrf';
import { limitStoresFor, Limits, TooManyRequests } from './security/limits';
import { healthRoutes } from './pages/routes';
import { seedAboutPage } from './site/pages';
import { defaultSettings } from './site/settings';
import { siteAdminRoutes, sitePageRoutes } from './site/routes';
import { invitationAdminRoutes } from './invitations/routes';
import { notificationRoutes, isOneClickUnsubscribe } from './notifications/routes';
import { readStaticFiles } from './runtime';
import { profileRoutes } from './profiles/routes';
import { seoRoutes } from './seo/routes';
import { searchRoutes } from './search/routes';
import { settingsRoutes } from './settings/routes';
import { sessionRoutes } from './settings/sessions-routes';
import { twoFactorRoutes } from './two-factor/routes';
import { yourDataRoutes } from './your-data/routes';
import { openMediaStore } from './media/open-store';
import { mediaRoutes, uploadBodyLimit } from './media/routes';
import { mediaAdminRoutes } from './media/admin-routes';
import type { MediaStore } from './media/store';

const isApiPath = (path: string) => path === '/api' || path.startsWith('/api/');
/** The page forms with a file field: the editor (its image, its cover, drop and paste) and settings (the avatar). */
const takesUpload = (path: string) => path === '/editor' || path.startsWith('/editor/') || path === '/settings';

/** Form posts can carry a 100 000-character article; multi-byte text triples in urlencoding. */
const MIB = 1024 * 1024;
const FORM_BODY_LIMIT_BYTES = 2 * MIB;

const STATUS_TEXT: Record<number, { heading: string; message: string }> = {
  400: { heading: 'Bad request', message: 'The request could not be understood.' },
  403: { heading: 'Forbidden', message: 'You are not allowed to do that.' },
  404: { heading: 'Not found', message: 'Sorry, this resource does not exist.' },
  410: { heading: 'Gone', message: 'What was at this address has been deleted.' },
  413: { heading: 'Too large', message: 'What you sent is larger than this site accepts.' },
  429: { heading: 'Too many requests', message: 'Please wait a little before trying again.' },
  500: { heading: 'Something went wrong', message: 'An unexpected error happened on our side. It has been logged.' },
};

export type CreateAppOptions = Pick<AppDeps, 'db' | 'env'> & {
  clock?: AppDeps['clock'];
  /** where images are kept; default the one the environment chooses (src/media/open-store.ts) */
  media?: MediaStore;
  limits?: Limits;
  log?: Log;
  assets?: Assets;
  /** global steps after the app's own (an address ban, a private-site switch); see frontDoor below */
  globalSteps?: readonly GlobalStep[];
  /** whether the server is shutting down (SIGTERM): /healthz then says so (src/serve.ts) */
  draining?: () => boolean;
};

declare module 'hono' {
  interface ContextVariableMap {
    secureCookies: boolean;
  }
}

/** The table of contents: every global middleware in order, one route() per feature. */
export function createApp(options: CreateAppOptions) {
  const log = options.log ?? jsonLog;
  const cache = createCache(options.db, { enabled: options.env.CACHE });
  const deps: AppDeps = {
    db: options.db,
    env: options.env,
    clock: options.clock ?? systemClock,
    log,
    limits: options.limits ?? new Limits(options.env, log, limitStoresFor(options.db)),
    reads: cachedReads(sharedReads(options.db, options.env), cache.memo),
    fragment: cache.fragment,
    media: options.media ?? openMediaStore(options.env),
  };
  const { freshness } = cache;
  // /about, seeded once in a site's life (src/site/pages.ts); requests wait for it below
  const seeded = seedAboutPage(deps).then(
    () => undefined,
    (error: unknown) => log({ level: 'error', msg: 'seed.about_failed', error: errorText(error) }),
  );
  const assets = options.assets ?? loadAssets(readStaticFiles());
  const render: RenderOptions = { assets, site: siteOf(deps.env), fragment: cache.fragment, look: () => deps.reads.site() };
  // an error page still comes out when the database does not answer: with the environment's settings
  const errorRender: RenderOptions = {
    ...render,
    look: () => render.look().catch(() => ({ settings: defaultSettings(deps.env), nav: [], footer: [] })),
  };
  const secure = isHttps(deps.env);
  const publicOrigin = new URL(deps.env.PUBLIC_URL).origin;

  const showError = (c: Context, status: number, message?: string) => {
    const text = STATUS_TEXT[status] ?? STATUS_TEXT[400]!;
    c.status(status as 400);
    return renderDocument(
      c,
      errorRender,
      <ErrorPage
        status={status}
        heading={text.heading}
        message={text.message}
        detail={message && message !== text.message ? message : undefined}
        requestId={c.get('requestId')}
      />,
      text.heading,
    );
  };

  const app = new Hono();

  // The front door: what every request passes first, on both ways in (the app, and the listener
  // at the end that answers anonymous cache hits before Hono). A global check (a ban list, a
  // private-site switch) goes in `steps`: an app.use() here would never see those cache hits.
  const door = frontDoor({
    log,
    headers: securityHeaders({ https: secure }),
    trustProxy: deps.env.TRUST_PROXY,
    steps: [
      // one budget per address for everything but static files, pages and API alike
      function limitGlobally(req) {
        deps.limits.enforceGlobal(req.clientIp, deps.clock(), req.requestId);
      },
      // no slug, username or tag holds U+0000 (src/lib/text.ts), and PostgreSQL could not look one up
      function refuseNulInPath(req) {
        if (req.path.includes(NUL)) throw new NotFound('resource', 'Sorry, this resource does not exist.');
      },
      ...(options.globalSteps ?? []),
    ],
  });
  app.use(door.open);
  app.route('/', staticRoutes(assets));
  app.use(async function markCookies(c, next) {
    c.set('secureCookies', secure);
    await next();
  });
  app.use(door.check);
  app.use(async function awaitSeeding(_c, next) {
    await seeded;
    return next();
  });
  // the JSON API: token auth, JSON errors, its own body limit and CORS; it never reads cookies
  app.route('/api', apiRoutes(deps, assets, cache.api, freshness));

  // cross-site posts of any content type are refused before routing; the API authenticates by
  // token, not cookie
  const checkCsrf = refuseCrossSite(publicOrigin);
  app.use(async function csrfOutsideApi(c, next) {
    if (isApiPath(c.req.path)) return next();
    // RFC 8058: a mail provider's one-click unsubscribe POST carries no Origin of ours; the token
    // in the address is its key (src/notifications/routes.tsx)
    if (isOneClickUnsubscribe(c.req.method, c.req.path)) return next();
    return checkCsrf(c, next);
  });
  // forms that can carry an image (the editor, settings) take one upload's worth; others 2 MiB
  const formLimit = limitBody(FORM_BODY_LIMIT_BYTES, (c) => showError(c, 413));
  const uploadFormLimit = limitBody(uploadBodyLimit(deps.env), (c) => showError(c, 413));
  app.use(function limitFormBody(c, next) {
    return (takesUpload(c.req.path) ? uploadFormLimit : formLimit)(c, next);
  });
  // health is the database alone: no session, no cache in front of it
  app.route('/', healthRoutes(deps, options.draining));
  // feeds, the sitemap and robots.txt are the same for everyone: no session, no flash consumed
  app.route('/', feedRoutes(deps));
  // images: the same for everyone, cached for a year by their content-hashed names
  app.route('/', mediaRoutes(deps));
  app.route('/', seoRoutes(deps));
  app.use(loadSession(deps));
  app.use(loadFlash());
  app.use(renderer(render));
  // this cache's hits for cookieless readers are answered before Hono (the listener at the end),
  // past every middleware between door.check and here: a check they must pass is a door step
  app.use(
    httpCache({
      cache: cache.pages,
      ...freshness,
      viewer: (c) => c.get('user')?.id ?? null,
      // a page showing a flash message is that visitor's alone
      shareable: (c) => c.get('flash') === null,
      vary: 'Cookie, Accept-Encoding',
    }),
  );

  app.route('/', articleRoutes(deps));
  app.route('/', searchRoutes(deps));
  app.route('/', commentRoutes(deps));
  app.route('/', profileRoutes(deps));
  app.route('/', authRoutes(deps));
  app.route('/', accountLinkRoutes(deps));
  app.route('/', settingsRoutes(deps));
  app.route('/', sessionRoutes(deps));
  app.route('/', notificationRoutes(deps));
  app.route('/', twoFactorRoutes(deps));
  app.route('/', yourDataRoutes(deps));
  app.route('/', moderationRoutes(deps));
  app.route('/', mediaAdminRoutes(deps));
  app.route('/', adminRoutes(deps));
  app.route('/', siteAdminRoutes(deps));
  app.route('/', invitationAdminRoutes(deps));
  // pages at /SLUG: last, so that no page hides a route
  app.route('/', sitePageRoutes(deps));

  app.notFound((c) => showError(c, 404));
  app.onError((err, c) => {
    if (err instanceof TooManyRequests) {
      c.header('Retry-After', String(err.retryAfterSeconds));
      if (isApiPath(c.req.path)) return apiErrorResponse(c, 429, { rate: [err.message] });
      return showError(c, 429, err.message);
    }
    if (err instanceof NotFound) {
      // a front-door step's refusal reaches this handler on the API's paths too
      if (isApiPath(c.req.path)) return apiErrorResponse(c, 404, { [err.thing]: ['not found'] });
      return showError(c, 404, err.message);
    }
    if (err instanceof Gone) return showError(c, 410, err.message);
    // the site wants a confirmed address first: say so, with the button that sends the link again
    if (err instanceof EmailNotConfirmed) {
      c.status(403);
      return renderDocument(c, errorRender, <ConfirmFirstPage message={err.message} signedIn={c.get('user') != null} />, 'Please confirm your e-mail address');
    }
    if (err instanceof Forbidden || (err instanceof HTTPException && err.status === 403)) {
      logSecurityEvent(c, log, 'forbidden', { method: c.req.method, path: c.req.path });
      return showError(c, 403, err.message);
    }
    if (err instanceof HTTPException) return showError(c, err.status, err.res ? undefined : err.message);
    logUnhandledError(log, c, err);
    return showError(c, 500);
  });

  // a cached page for an anonymous reader is answered before Hono, header for header the same
  const pages: CachedSection = { cache: cache.pages, current: freshness.current, plain: (req) => req.headers.cookie === undefined };
  // with CORS on, the app adds per-origin headers around the API's cache: those stay with the app
  const api: CachedSection | null = deps.env.CORS_ORIGINS.length > 0 ? null : {
    cache: cache.api,
    current: freshness.current,
    plain: (req) => req.headers.authorization === undefined && req.headers.origin === undefined,
  };
  const answerFromCache = cachedPageListener({ section: (path) => (isApiPath(path) ? api : pages), door });
  // `ready`: /about's seeding done (or failed and logged); the server listens after it
  return Object.assign(app, { answerFromCache, ready: seeded });
}
