import { raw } from 'hono/html';
import { escapeHtml } from '../../src/lib/html';
import type { PageMeta } from '../view-types';
import { TITLE_SEPARATOR } from './typography';

/*
 * The <head> is written as HTML, not JSX. In hono/jsx a <head> element creates a namespace context
 * that every element rendered afterwards, on any page, looks up; and <meta>, <link>, <title> and
 * <script> each go through hono's head-hoisting components. Inside a <head> those render as plain
 * tags in order, which is what these helpers write, escaped by hono's own escaper.
 */

/** `<tag a="1" b="2"/>`, as hono/jsx writes an element without children. */
export function voidTag(tag: string, attributes: Array<[string, string]>): string {
  let html = `<${tag}`;
  for (const [name, value] of attributes) html += ` ${name}="${escapeHtml(value)}"`;
  return `${html}/>`;
}

/** A title of several parts, most specific first ("Your Feed — Conduit"), as HTML. */
const titleHtml = (parts: string[]) => raw(parts.map(escapeHtml).join(TITLE_SEPARATOR));

/** What every document's head starts with. */
export const HEAD_START = '<meta charset="utf-8"/><meta name="viewport" content="width=device-width, initial-scale=1"/>';

/** `<title>` of the parts, most specific first. */
export function titleTag(parts: string[]): string {
  return `<title>${titleHtml(parts)}</title>`;
}

/**
 * JSON for a <script type="application/ld+json"> block. The HTML parser ends the block at the
 * first "</script" whatever the JSON means, so every "<" (and ">", "&" for good measure) becomes a
 * JSON escape: user text such as a title "</script><script>…" stays data.
 */
export function jsonForScript(value: unknown): string {
  return JSON.stringify(value)
    .replace(/</g, '\\u003c')
    .replace(/>/g, '\\u003e')
    .replace(/&/g, '\\u0026')
    .replace(/\u2028/g, '\\u2028')
    .replace(/\u2029/g, '\\u2029');
}

/** Canonical address, description, feeds, link-preview tags and structured data, for <head>. */
export function headMetaHtml(meta: PageMeta): string {
  let html = voidTag('meta', [['name', 'description'], ['content', meta.description]]);
  html += voidTag('link', [['rel', 'canonical'], ['href', meta.canonical]]);
  for (const [name, content] of meta.names) html += voidTag('meta', [['name', name], ['content', content]]);
  for (const [property, content] of meta.properties) html += voidTag('meta', [['property', property], ['content', content]]);
  for (const feed of meta.feeds) {
    html += voidTag('link', [['rel', 'alternate'], ['type', 'application/atom+xml'], ['title', titleHtml(feed.titleParts)], ['href', feed.atom]]);
    html += voidTag('link', [['rel', 'alternate'], ['type', 'application/feed+json'], ['title', titleHtml(feed.titleParts)], ['href', feed.json]]);
  }
  // a data block, never executed, so script-src 'self' does not apply to it
  if (meta.jsonLd) html += `<script type="application/ld+json">${jsonForScript(meta.jsonLd)}</script>`;
  return html;
}
