import { raw } from 'hono/html';
import type { HtmlEscapedString } from 'hono/utils/html';
import type { Fragment } from '../../views/view-types';
import { Lru } from '../lib/lru';
import type { Versions } from './versions';

/**
 * Values computed from what every reader sees (a list page's articles, a count, the tags in use),
 * kept with the content version read before computing them, and used while that version is
 * current: a write anywhere moves it, so nothing stale is ever returned. The most recently used
 * are kept while their total weight is within `maxWeight`.
 */
export class ContentMemo {
  private readonly kept: Lru<{ version: number; value: unknown }>;

  constructor(
    private readonly versions: Versions,
    /** resolves when no other caller's transaction is open: its version may yet be rolled back */
    private readonly ready: () => Promise<void>,
    maxWeight: number,
    private readonly enabled = true,
  ) {
    this.kept = new Lru(maxWeight);
  }

  async get<T>(key: string, compute: () => Promise<T>, weight: (value: T) => number = () => 1): Promise<T> {
    if (!this.enabled) return compute();
    await this.ready();
    // read before computing: a write in between leaves an entry that is already stale, never a wrong one
    const version = await this.versions.content();
    const hit = this.kept.get(key);
    if (hit && hit.version === version) return hit.value as T;
    const value = await compute();
    this.kept.set(key, { version, value }, weight(value));
    return value;
  }
}

export type { Fragment };

/** A part of a page rendered to HTML now, to be placed as it is in later pages (synchronous components only). */
function renderFragment(node: HtmlEscapedString | Promise<HtmlEscapedString>): HtmlEscapedString {
  const html: unknown = node.toString();
  if (typeof html !== 'string') throw new Error('fragments need synchronous components');
  return raw(html);
}

/**
 * Parts of pages (the navbar, pagination, a preview) rendered once per key and placed as HTML.
 * The key is the part's whole input, so an entry can never be stale, only unused; the `limit`
 * most recently used are kept, so per-viewer keys stay bounded.
 */
export function fragmentMemo(limit: number, enabled = true): Fragment {
  const fragments = new Lru<HtmlEscapedString>(limit);
  return function fragment(key, render) {
    if (!enabled) return renderFragment(render());
    let html = fragments.get(key);
    if (html === undefined) {
      html = renderFragment(render());
      fragments.set(key, html);
    }
    return html;
  };
}
