import { raw } from 'hono/html';
import type { HtmlEscapedString } from 'hono/utils/html';
import { Lru } from '../../src/lib/lru';

/**
 * A part of a page rendered to HTML now, to be placed as it is in later pages (a sidebar that only
 * changes with the content). Only for synchronous components.
 */
export function renderFragment(node: HtmlEscapedString | Promise<HtmlEscapedString>): HtmlEscapedString {
  const html: unknown = node.toString();
  if (typeof html !== 'string') throw new Error('renderFragment() needs synchronous components');
  return raw(html);
}

/**
 * Fragments rendered once per key, for parts of the page that depend on a few per-process or
 * per-viewer values (the navbar, the pagination): a lookup costs far less than rendering their
 * elements again. Keeps the `limit` most recently rendered, so per-viewer keys stay bounded.
 */
export function createFragmentMemo(limit: number) {
  const fragments = new Lru<HtmlEscapedString>(limit);
  return function fragmentFor(key: string, render: () => HtmlEscapedString | Promise<HtmlEscapedString>): HtmlEscapedString {
    let html = fragments.get(key);
    if (html === undefined) {
      html = renderFragment(render());
      fragments.set(key, html);
    }
    return html;
  };
}
