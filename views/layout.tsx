import { raw } from 'hono/html';
import type { Child } from 'hono/jsx';
import { avatarSrc } from './components/avatar';
import { escapeHtml, HEAD_START, headMetaHtml, titleTag } from './components/head-meta';
import type { PageContext } from './view-types';

function NavLink(props: { href: string; path: string; children: Child; exact?: boolean }) {
  const active = props.path === props.href;
  return (
    <li class="nav-item">
      <a class={active ? 'nav-link active' : 'nav-link'} href={props.href} aria-current={active ? 'page' : undefined}>
        {props.children}
      </a>
    </li>
  );
}

/** The stylesheet, icon and scripts every page loads. */
function assetTags(asset: PageContext['asset']): string {
  return (
    `<link rel="stylesheet" href="${escapeHtml(asset('style.css'))}"/>` +
    `<link rel="icon" href="${escapeHtml(asset('favicon.svg'))}" type="image/svg+xml"/>` +
    `<script src="${escapeHtml(asset('editor.js'))}" defer=""></script>` +
    `<script src="${escapeHtml(asset('password-strength.js'))}" defer=""></script>`
  );
}

export function Layout(props: { page: PageContext; children: Child }) {
  const { page } = props;
  const { viewer } = page;
  const title = page.title ? `${page.title} — ${page.siteName}` : page.siteName;
  return (
    <html lang="en">
      {/* written as HTML: a JSX <head> makes every element on every later page look up a context */}
      {raw(`<head>${HEAD_START}${titleTag(title)}${headMetaHtml(page.meta)}${assetTags(page.asset)}</head>`)}
      <body>
        <a class="skip-link" href="#main">
          Skip to content
        </a>
        <header>
          <nav class="navbar navbar-light" aria-label="Main">
            <div class="container">
              <a class="navbar-brand" href="/">
                {page.siteName}
              </a>
              {/* no submit button (pages.md): Enter submits a form with a single field */}
              <form class="search-form" role="search" method="get" action="/search" aria-label="Site search">
                <label for="site-search">Search</label>
                <input id="site-search" type="search" name="q" placeholder="Words…" enterkeyhint="search" />
              </form>
              <ul class="nav navbar-nav pull-xs-right">
                <NavLink href="/" path={page.path}>
                  Home
                </NavLink>
                {viewer ? (
                  <>
                    <NavLink href="/editor" path={page.path}>
                      <i class="ion-compose" aria-hidden="true"></i>&nbsp;New Article
                    </NavLink>
                    <NavLink href="/settings" path={page.path}>
                      <i class="ion-gear-a" aria-hidden="true"></i>&nbsp;Settings
                    </NavLink>
                    <NavLink href={`/profile/${encodeURIComponent(viewer.username)}`} path={page.path}>
                      <img class="user-pic" src={avatarSrc(viewer.image)} alt="" width="26" height="26" />
                      {viewer.username}
                    </NavLink>
                  </>
                ) : (
                  <>
                    <NavLink href="/login" path={page.path}>
                      Sign in
                    </NavLink>
                    <NavLink href="/register" path={page.path}>
                      Sign up
                    </NavLink>
                  </>
                )}
              </ul>
            </div>
          </nav>
        </header>
        {page.flash && (
          <div class={`flash flash-${page.flash.kind}`} role="status">
            <div class="container">{page.flash.message}</div>
          </div>
        )}
        <main id="main">{props.children}</main>
        <footer>
          <div class="container">
            <a href="/about" class="logo-font">
              {page.siteName}
            </a>
            <span class="attribution">A self-hosted blog. Powered by Quire.</span>
          </div>
        </footer>
      </body>
    </html>
  );
}
