import type { Context, MiddlewareHandler } from 'hono';
import type { Child } from 'hono/jsx';
import { raw } from 'hono/html';
import { Layout } from '../../views/layout';
import type { Fragment, PageContext, PageMeta } from '../../views/view-types';
import { feedLink } from '../feeds/links';
import type { Assets } from './assets';
import { absoluteUrl, type Site } from './site';
import type { SiteLook } from '../site/settings';

declare module 'hono' {
  interface ContextRenderer {
    (content: Child, props: { title: string; meta?: PageMetaInput }): Response | Promise<Response>;
  }
}

/**
 * `look` is the live site (title, description, navbar and footer links: src/site/settings.ts),
 * read once per page through the shared reads, which the cache keeps per content version.
 */
export type RenderOptions = { assets: Assets; site: Site; fragment: Fragment; look: () => Promise<SiteLook> };

/** What a route says about its page; the rest (canonical, description, site feed) has defaults. */
export type PageMetaInput = Partial<Omit<PageMeta, 'canonical'>> & {
  /** the page's own path and query when the request's may differ (case, encoding, ?page=1) */
  canonicalPath?: string;
};

/** Query parameters that change what a page shows; any other is left out of its canonical URL. */
const CANONICAL_QUERY = ['feed', 'q', 'page'];

/** This request's path with only the meaningful query (?page=1 is the page itself). */
export function canonicalPath(c: Context): string {
  const url = new URL(c.req.url);
  const query = new URLSearchParams();
  for (const name of CANONICAL_QUERY) {
    const value = url.searchParams.get(name);
    if (value !== null && !(name === 'page' && value === '1')) query.set(name, value);
  }
  const search = query.toString();
  return search ? `${url.pathname}?${search}` : url.pathname;
}

function resolveMeta(c: Context, site: Site, input: PageMetaInput = {}): PageMeta {
  return {
    canonical: absoluteUrl(site, input.canonicalPath ?? canonicalPath(c)),
    description: input.description || site.description,
    // the site's feed is offered everywhere, after the page's own
    feeds: [...(input.feeds ?? []), feedLink(site, { kind: 'site' })],
    properties: input.properties ?? [],
    names: input.names ?? [],
    jsonLd: input.jsonLd,
  };
}

/** The path and query of this request: where forms on the page send the reader back to. */
export function herePath(c: Context): string {
  const url = new URL(c.req.url);
  return url.pathname + url.search;
}

export function pageContext(c: Context, options: RenderOptions, look: SiteLook, title: string, meta?: PageMetaInput): PageContext {
  const user = c.get('user');
  const site: Site = { ...options.site, title: look.settings.title, description: look.settings.description };
  return {
    title,
    viewer: user ? { id: user.id, username: user.username, image: user.image, unreadNotifications: user.unreadNotifications } : null,
    flash: c.get('flash') ?? null,
    path: c.req.path,
    here: herePath(c),
    siteName: look.settings.title,
    nav: look.nav,
    footer: look.footer,
    asset: (name) => options.assets.url(name),
    requestId: c.get('requestId'),
    meta: resolveMeta(c, site, meta),
    fragment: options.fragment,
  };
}

/** A whole HTML document: the layout around a page. Usable outside the renderer (onError). */
export async function renderDocument(c: Context, options: RenderOptions, content: Child, title: string, meta?: PageMetaInput) {
  const look = await options.look();
  const document = (
    <>
      {raw('<!DOCTYPE html>')}
      <Layout page={pageContext(c, options, look, title, meta)}>{content}</Layout>
    </>
  );
  const html = String(await document.toString());
  // the cache middleware takes the page from here: reading it back out of the Response would
  // turn node-server's light response into a full one
  c.set('renderedHtml', html);
  return c.html(html);
}

/** Makes c.render(<Page/>, { title }) wrap pages in the layout. */
export function renderer(options: RenderOptions): MiddlewareHandler {
  return async function renderer(c, next) {
    c.setRenderer((content, props) => renderDocument(c, options, content, props.title, props.meta));
    await next();
  };
}
