import type { HtmlEscapedString } from 'hono/utils/html';
import type { Flash } from '../src/lib/flash';
import type { FormErrors } from '../src/lib/form';

/** A link the site's owner put in the navbar or footer. */
export type SiteLink = { label: string; href: string };

/** The signed-in person as the layout needs them. */
export type Viewer = {
  id: number;
  username: string;
  image: string | null;
  /** unread notifications, up to UNREAD_COUNT_CAP (src/notifications/queries.ts); none when not said */
  unreadNotifications?: number;
};

/** Everything the layout needs besides the page itself. */
export type PageContext = {
  title: string;
  viewer: Viewer | null;
  flash: Flash | null;
  /** the request path, to mark the active nav link */
  path: string;
  /** the full path and query of this page, for forms that come back here */
  here: string;
  siteName: string;
  /** the navbar's links of the site (settings' links, then pages placed there) and the footer's */
  nav: SiteLink[];
  footer: SiteLink[];
  asset: (name: string) => string;
  requestId?: string;
  /** what the <head> tells search engines, link previews and feed readers */
  meta: PageMeta;
  fragment: Fragment;
};

type Html = HtmlEscapedString | Promise<HtmlEscapedString>;

/**
 * Renders a part of a page whose whole input is `key`: the app's cache (src/cache/) places it as
 * HTML rendered once per key; views never keep anything themselves.
 */
export type Fragment = (key: string, render: () => Html) => Html;

/**
 * A fragment's key from everything it shows. Each part is written with its length, so no two
 * different inputs give one key (a title cannot pass for a title and a description).
 */
export function fragmentKey(kind: string, parts: ReadonlyArray<string | number | boolean | null>): string {
  let key = kind;
  for (const part of parts) {
    const text = String(part);
    key += `|${text.length}:${text}`;
  }
  return key;
}

/** Renders every time: for views rendered outside the app (tests, e-mails). */
export const renderEveryTime: Fragment = (_key, render) => render();

/** A feed a reader can subscribe to from a page (absolute URLs). */
export type FeedLink = { titleParts: string[]; atom: string; json: string };

/** A page's metadata for machines; every URL in it is absolute. */
export type PageMeta = {
  canonical: string;
  description: string;
  /** most specific first */
  feeds: FeedLink[];
  /** OpenGraph and its article:/profile: extensions, as <meta property> pairs in order */
  properties: Array<[string, string]>;
  /** <meta name> pairs besides the description (twitter:card, robots) */
  names: Array<[string, string]>;
  /** schema.org data, written as a JSON-LD block */
  jsonLd?: Record<string, unknown>;
};

export type { FormErrors };
