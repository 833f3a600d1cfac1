import { raw } from 'hono/html';
import type { Child } from 'hono/jsx';
import { Avatar } from './components/avatar';
import { escapeHtml } from '../src/lib/html';
import { profilePath } from '../src/paths';
import { HEAD_START, headMetaHtml, titleTag, voidTag } from './components/head-meta';
import { ELLIPSIS } from './components/typography';
import type { Fragment, PageContext, SiteLink, Viewer } from './view-types';

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

/** The shown count stops here ("99+"): the session's query counts no further (src/notifications/queries.ts). */
const UNREAD_SHOWN_MAX = 99;

/** "Notifications (3)": the count is in the link's accessible name, said in words. */
function NotificationsLink(props: { path: string; unread: number }) {
  const { unread } = props;
  const shown = unread > UNREAD_SHOWN_MAX ? `${UNREAD_SHOWN_MAX}+` : String(unread);
  const label = unread === 0 ? 'Notifications' : `Notifications, ${shown} unread`;
  const active = props.path === '/notifications';
  return (
    <li class="nav-item">
      <a class={active ? 'nav-link active' : 'nav-link'} href="/notifications" aria-current={active ? 'page' : undefined} aria-label={label}>
        Notifications{unread > 0 && <span class="notification-count"> ({shown})</span>}
      </a>
    </li>
  );
}

/** The stylesheet, icon and scripts every page loads. */
function assetTags(asset: PageContext['asset']): string {
  return (
    voidTag('link', [['rel', 'stylesheet'], ['href', asset('style.css')]]) +
    voidTag('link', [['rel', 'icon'], ['href', asset('favicon.svg')], ['type', 'image/svg+xml']]) +
    `<script src="${escapeHtml(asset('editor.js'))}" defer=""></script>` +
    `<script src="${escapeHtml(asset('password-strength.js'))}" defer=""></script>`
  );
}

function SiteHeader(props: { siteName: string; viewer: Viewer | null; path: string; nav: SiteLink[] }) {
  return (
    <>
      <a class="skip-link" href="#main">
        Skip to content
      </a>
      <header>
        <nav class="navbar navbar-light" aria-label="Main">
          <div class="container">
            <a class="navbar-brand" href="/">
              {props.siteName}
            </a>
            {/* no submit button (pages.md): Enter submits a form with a single field */}
            <form class="search-form" role="search" method="get" action="/search" aria-label="Site search">
              <label for="site-search">Search</label>
              <input id="site-search" type="search" name="q" placeholder={raw(`Words${ELLIPSIS}`)} enterkeyhint="search" />
            </form>
            <ul class="nav navbar-nav pull-xs-right">
              <NavLink href="/" path={props.path}>
                Home
              </NavLink>
              {props.nav.map((link) => (
                <NavLink href={link.href} path={props.path}>
                  {link.label}
                </NavLink>
              ))}
              {props.viewer ? (
                <>
                  <NavLink href="/editor" path={props.path}>
                    <i class="ion-compose" aria-hidden="true"></i>&nbsp;New Article
                  </NavLink>
                  <NotificationsLink path={props.path} unread={props.viewer.unreadNotifications ?? 0} />
                  <NavLink href="/settings" path={props.path}>
                    <i class="ion-gear-a" aria-hidden="true"></i>&nbsp;Settings
                  </NavLink>
                  <NavLink href={profilePath(props.viewer.username)} path={props.path}>
                    <Avatar image={props.viewer.image} class="user-pic" size={26} />
                    {props.viewer.username}
                  </NavLink>
                </>
              ) : (
                <>
                  <NavLink href="/login" path={props.path}>
                    Sign in
                  </NavLink>
                  <NavLink href="/register" path={props.path}>
                    Sign up
                  </NavLink>
                </>
              )}
            </ul>
          </div>
        </nav>
      </header>
    </>
  );
}

function SiteFooter(props: { siteName: string; links: SiteLink[] }) {
  return (
    <footer>
      <div class="container">
        <a href="/" class="logo-font">
          {props.siteName}
        </a>
        <span class="attribution">A self-hosted blog. Powered by Quire.</span>
        {props.links.length > 0 && (
          <nav class="footer-links" aria-label="Footer links">
            <ul>
              {props.links.map((link) => (
                <li>
                  <a href={link.href}>{link.label}</a>
                </li>
              ))}
            </ul>
          </nav>
        )}
      </div>
    </footer>
  );
}

/** The navbar shows one of a few links as the current page; any other path marks none. */
const NAV_PATHS: ReadonlySet<string> = new Set(['/', '/editor', '/notifications', '/settings', '/login', '/register']);

/*
 * The skip link, navbar and footer depend only on the site's name, the viewer and which nav link
 * is current, so each variant is a fragment, rendered once by the app and placed as HTML:
 * rendering their twenty-odd elements was a fair part of a signed-in list page's CPU.
 */
function siteHeader(fragment: Fragment, siteName: string, viewer: Viewer | null, path: string, nav: SiteLink[]) {
  const ownProfile = viewer && profilePath(viewer.username);
  const current = NAV_PATHS.has(path) || path === ownProfile || nav.some((link) => link.href === path) ? path : '';
  const key = JSON.stringify(['header', siteName, viewer?.username, viewer?.image, viewer?.unreadNotifications, current, nav]);
  return fragment(key, () => <SiteHeader siteName={siteName} viewer={viewer} path={current} nav={nav} />);
}

function siteFooter(fragment: Fragment, siteName: string, links: SiteLink[]) {
  return fragment(JSON.stringify(['footer', siteName, links]), () => <SiteFooter siteName={siteName} links={links} />);
}

export function Layout(props: { page: PageContext; children: Child }) {
  const { page } = props;
  const { viewer } = page;
  return (
    <html lang="en">
      {/* written as HTML: a JSX <head> makes every element on every later page look up a context */}
      {raw(`<head>${HEAD_START}${titleTag(page.title ? [page.title, page.siteName] : [page.siteName])}${headMetaHtml(page.meta)}${assetTags(page.asset)}</head>`)}
      <body>
        {siteHeader(page.fragment, page.siteName, viewer, page.path, page.nav)}
        {page.flash && (
          <div class={`flash flash-${page.flash.kind}`} role="status">
            <div class="container">{page.flash.message}</div>
          </div>
        )}
        <main id="main">{props.children}</main>
        {siteFooter(page.fragment, page.siteName, page.footer)}
      </body>
    </html>
  );
}
