/*
 * How a page shows one of this site's images: pure, importable from views and from the Markdown
 * renderer in the worker thread. The original's name carries its size, so width, height and
 * srcset are written without a database read, and nothing shifts as images load.
 */
import { mediaPath, parseMediaUrl, srcsetOf, type MediaImage } from './names';

/**
 * `sizes` for each place an image is shown: the width it takes on the page. The article column is
 * the container (1140px, 1rem padding each side); previews show a cover beside the text at 200px
 * on wide screens and across the column on phones (static/style.css, section 14).
 */
export const IMAGE_SIZES = {
  article: '(min-width: 1140px) 1108px, calc(100vw - 2rem)',
  preview: '(min-width: 768px) 200px, calc(100vw - 2rem)',
} as const;

export type ImagePlace = keyof typeof IMAGE_SIZES;

export type ImgAttributes = {
  src: string;
  srcset: string;
  sizes: string;
  width: number;
  height: number;
  decoding: 'async';
  loading?: 'lazy';
  fetchpriority?: 'high';
};

/**
 * The attributes of an `<img>` of this site's image. `first`: the first thing a page shows (an
 * article's cover) is fetched at once, with high priority, as the page's largest paint; every
 * other image waits until it is near the screen.
 */
export function imgAttributes(image: MediaImage, place: ImagePlace, options: { first?: boolean; base?: string } = {}): ImgAttributes {
  const base = options.base ?? '';
  return {
    src: `${base}${mediaPath(image)}`,
    srcset: srcsetOf(image, base),
    sizes: IMAGE_SIZES[place],
    width: image.width,
    height: image.height,
    decoding: 'async',
    ...(options.first ? { fetchpriority: 'high' as const } : { loading: 'lazy' as const }),
  };
}

/** The image a stored address (a cover, an avatar) names, relative or under the site's address. */
export const mediaImageOf = (url: string | null | undefined, origin?: string): MediaImage | null =>
  url ? parseMediaUrl(url, origin) : null;

/** This site's images a Markdown text shows (`![alt](/media/NAME)`), in order, once each: the editor's cover choices. */
export function mediaImagesIn(markdown: string): Array<{ url: string; alt: string }> {
  const found = new Map<string, string>();
  for (const match of markdown.matchAll(/!\[([^\]\n]*)\]\((\/media\/[^\s)]+)/g)) {
    const url = match[2]!;
    if (parseMediaUrl(url) && !found.has(url)) found.set(url, match[1]!.trim());
  }
  return [...found].map(([url, alt]) => ({ url, alt }));
}

/** The Markdown of an uploaded image: brackets in the alt text would end it early. */
export const imageMarkdown = (alt: string, url: string) => `![${alt.replace(/[[\]\\]/g, '\\$&').replace(/\s+/g, ' ').trim()}](${url})`;

/**
 * The body with `markdown` inserted at `cursor` (a position in the body, as the browser counts it
 * with line breaks as one character), or at its end when there is none; either way as a paragraph
 * of its own (blank lines around it as needed). Answers the body and the position just after it.
 * static/editor.js does the same in the browser.
 */
export function insertAt(body: string, markdown: string, cursor: number | null): { body: string; cursor: number } {
  const at = cursor === null || cursor < 0 || cursor > body.length ? null : cursor;
  const before = at === null ? body.replace(/\s+$/, '') : body.slice(0, at);
  const after = at === null ? '' : body.slice(at);
  const lead = before === '' || before.endsWith('\n\n') ? '' : before.endsWith('\n') ? '\n' : '\n\n';
  const trail = after === '' ? '\n' : after.startsWith('\n\n') ? '' : after.startsWith('\n') ? '\n' : '\n\n';
  const inserted = `${lead}${markdown}${trail}`;
  return { body: before + inserted + after, cursor: before.length + inserted.length };
}
