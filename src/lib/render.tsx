import type { Context, MiddlewareHandler } from 'hono';
import type { Child } from 'hono/jsx';
import { raw } from 'hono/html';
import { Layout } from '../../views/layout';
import type { PageContext } from '../../views/view-types';
import type { Assets } from './assets';

declare module 'hono' {
  interface ContextRenderer {
    (content: Child, props: { title: string }): Response | Promise<Response>;
  }
}

export type RenderOptions = { siteName: string; assets: Assets };

/** The path and query of this request: where forms on the page send the reader back to. */
export function herePath(c: Context): string {
  const url = new URL(c.req.url);
  return url.pathname + url.search;
}

export function pageContext(c: Context, options: RenderOptions, title: string): PageContext {
  const user = c.var.user;
  return {
    title,
    viewer: user ? { id: user.id, username: user.username, image: user.image } : null,
    flash: c.var.flash ?? null,
    path: c.req.path,
    here: herePath(c),
    siteName: options.siteName,
    asset: (name) => options.assets.url(name),
    requestId: c.var.requestId,
  };
}

/** A whole HTML document: the layout around a page. Usable outside the renderer (onError). */
export function renderDocument(c: Context, options: RenderOptions, content: Child, title: string) {
  return c.html(
    <>
      {raw('<!DOCTYPE html>')}
      <Layout page={pageContext(c, options, title)}>{content}</Layout>
    </>,
  );
}

/** Makes c.render(<Page/>, { title }) wrap pages in the layout. */
export function renderer(options: RenderOptions): MiddlewareHandler {
  return async function renderer(c, next) {
    c.setRenderer((content, props) => renderDocument(c, options, content, props.title));
    await next();
  };
}
