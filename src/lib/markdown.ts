import type { HLJSApi } from 'highlight.js';
import type MarkdownIt from 'markdown-it';
import { imgAttributes } from '../media/picture';
import { parseMediaUrl } from '../media/names';

const SAFE_LINK = /^(https?:|mailto:)/i;
const SAFE_IMAGE = /^https?:/i;
const HAS_SCHEME = /^[a-z][a-z0-9+.-]*:/i;

/** Normalises what browsers ignore (whitespace, control characters) before a scheme is checked. */
function normaliseUrl(url: string): string {
  // eslint-disable-next-line no-control-regex
  return url.replace(/[\u0000-\u0020\u007f-\u009f]/g, '');
}

/** Links may point to http(s), mailto, a relative path or a `#` anchor; nothing else. */
export function isSafeLink(url: string): boolean {
  const clean = normaliseUrl(url);
  if (SAFE_LINK.test(clean)) return true;
  if (clean.startsWith('//')) return false;
  return !HAS_SCHEME.test(clean);
}

/** Images only from http(s): no data:, no relative paths that could hit our own endpoints. */
export function isSafeImage(url: string): boolean {
  return SAFE_IMAGE.test(normaliseUrl(url));
}

function createRenderer(MarkdownItClass: typeof MarkdownIt, hljs: HLJSApi) {
  // raw HTML off: nothing a user writes becomes a tag or attribute we did not choose
  const md = new MarkdownItClass({
    html: false,
    linkify: true,
    typographer: false,
    // fenced code that names a known language is highlighted here, on the server: no client script
    highlight: (code, language) => {
      if (!language || !hljs.getLanguage(language)) return '';
      return hljs.highlight(code, { language, ignoreIllegals: true }).value;
    },
  });

  md.validateLink = isSafeLink;

  const defaultImage = md.renderer.rules.image!;
  md.renderer.rules.image = (tokens, idx, options, env, self) => {
    const token = tokens[idx]!;
    const src = String(token.attrGet('src') ?? '');
    // one of this site's uploads (`/media/KEY-WxH.ext`, a name Quire made): its size is in the
    // name, so it gets width, height and srcset and never shifts the page. Exactly these attributes.
    // written relative, or under the site's address (as POST /api/uploads answers it): kept as written
    const origin = (env as RenderEnv | undefined)?.siteUrl;
    const ours = parseMediaUrl(src, origin);
    if (ours) {
      const base = origin !== undefined && src.trim().startsWith(`${origin}/`) ? origin : '';
      const title = token.attrGet('title');
      const attributes: Array<[string, string]> = [
        ...Object.entries(imgAttributes(ours, 'article', { base })).map(([name, value]): [string, string] => [name, String(value)]),
        ['alt', self.renderInlineAsText(token.children ?? [], options, env)],
        ...(title ? [['title', title] as [string, string]] : []),
      ];
      return `<img ${attributes.map(([name, value]) => `${name}="${md.utils.escapeHtml(value)}"`).join(' ')}>`;
    }
    if (!isSafeImage(src)) {
      // an unsafe image becomes its alt text
      return md.utils.escapeHtml(token.content);
    }
    return defaultImage(tokens, idx, options, env, self);
  };

  const defaultLinkOpen =
    md.renderer.rules.link_open ??
    ((tokens, idx, options, _env, self) => self.renderToken(tokens, idx, options));
  md.renderer.rules.link_open = (tokens, idx, options, env, self) => {
    const token = tokens[idx]!;
    const href = String(token.attrGet('href') ?? '');
    if (/^(https?:)?\/\//i.test(href)) token.attrSet('rel', 'nofollow ugc noopener');
    return defaultLinkOpen(tokens, idx, options, env, self);
  };
  return md;
}

const WORDS_PER_MINUTE = 230;

export type Markdown = {
  /**
   * Renders user Markdown to HTML that is safe to insert into a page as is. `siteUrl` (PUBLIC_URL)
   * lets images of this site written with its address get their sizes and srcset too.
   */
  render(source: string, siteUrl?: string): string;
  /** Minutes to read a Markdown text at an adult's silent-reading pace, at least 1. */
  readingMinutes(source: string): number;
  /** The words of a Markdown text without its syntax (for search and descriptions). */
  toText(source: string): string;
};

function createMarkdown(MarkdownItClass: typeof MarkdownIt, hljs: HLJSApi): Markdown {
  const renderer = createRenderer(MarkdownItClass, hljs);
  const toText = (source: string): string => {
    const words: string[] = [];
    const walk = (tokens: ReturnType<typeof renderer.parse>) => {
      for (const token of tokens) {
        if (token.children) walk(token.children);
        else if (token.type === 'text' || token.type === 'code_inline' || token.type === 'fence' || token.type === 'code_block') {
          words.push(token.content);
        }
      }
    };
    walk(renderer.parse(source, {}));
    return words.join(' ').replace(/\s+/g, ' ').trim();
  };
  return {
    render: (source, siteUrl) => renderer.render(source, { siteUrl } satisfies RenderEnv),
    readingMinutes: (source) => Math.max(1, Math.round(toText(source).split(/\s+/).filter(Boolean).length / WORDS_PER_MINUTE)),
    toText,
  };
}

/** What is stored of a body besides its Markdown, worked out before any transaction opens. */
export type RenderedBody = { bodyHtml: string; readingMinutes: number; text: string };

/** What a render knows of the site: its address (PUBLIC_URL), for its own images written in full. */
type RenderEnv = { siteUrl?: string | undefined };

/** A body's HTML, reading time and plain text: run in the worker thread (src/lib/offthread.ts). */
export function renderBody(markdown: Markdown, body: string, siteUrl?: string): RenderedBody {
  return { bodyHtml: markdown.render(body, siteUrl), readingMinutes: markdown.readingMinutes(body), text: markdown.toText(body) };
}

let loading: Promise<Markdown> | null = null;

/**
 * The Markdown renderer, loaded on first use. Bodies are rendered when they are saved, never when
 * they are read, so a server that only serves pages never loads markdown-it and highlight.js
 * (about 3 MB resident).
 */
export function loadMarkdown(): Promise<Markdown> {
  loading ??= Promise.all([import('markdown-it'), import('highlight.js/lib/common')]).then(([markdownIt, hljs]) =>
    createMarkdown(markdownIt.default, hljs.default),
  );
  return loading;
}
