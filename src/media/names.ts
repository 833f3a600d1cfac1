/*
 * The names of stored images, in one place. Pure and dependency-free (like src/paths.ts), so the
 * views, the Markdown renderer, feeds and the media routes read the same spelling.
 *
 * An image's address carries what a page needs to show it without a database read: the hash of
 * its stored bytes (so a new image is a new name, and a name is cached for a year), its size, and
 * its format. `/media/3f9a0c1d2e4b5a6f7081-1600x1200.jpg` is the original; each narrower WebP copy
 * is `/media/3f9a0c1d2e4b5a6f7081-1600x1200-960.webp`. Every name is made here, never by a user.
 */

export const MEDIA_PATH_PREFIX = '/media/';

/** The widths of the WebP copies, where narrower than the image; the original keeps its own width. */
export const MEDIA_WIDTHS = [480, 960, 1600] as const;

export const MEDIA_TYPES = ['jpeg', 'png', 'webp', 'gif', 'avif'] as const;
export type MediaType = (typeof MEDIA_TYPES)[number];

const EXTENSIONS: Record<MediaType, string> = { jpeg: 'jpg', png: 'png', webp: 'webp', gif: 'gif', avif: 'avif' };
const TYPES_BY_EXTENSION = new Map(Object.entries(EXTENSIONS).map(([type, ext]) => [ext, type as MediaType]));

export const MEDIA_CONTENT_TYPES: Record<MediaType, string> = {
  jpeg: 'image/jpeg',
  png: 'image/png',
  webp: 'image/webp',
  gif: 'image/gif',
  avif: 'image/avif',
};

/** 20 hex digits (80 bits) of SHA-256 */
export const MEDIA_KEY_LENGTH = 20;

export type MediaImage = { key: string; width: number; height: number; type: MediaType };

/** A stored file: the original (`variant` null) or the WebP copy of that width. */
export type MediaFile = { image: MediaImage; variant: number | null };

const NAME = /^([0-9a-f]{20})-([1-9]\d{0,4})x([1-9]\d{0,4})(?:-([1-9]\d{0,4})\.webp|\.(jpg|png|webp|gif|avif))$/;

/** The file name of the original. */
export function originalName(image: MediaImage): string {
  return `${image.key}-${image.width}x${image.height}.${EXTENSIONS[image.type]}`;
}

/** The file name of the WebP copy `width` wide. */
export function variantName(image: MediaImage, width: number): string {
  return `${image.key}-${image.width}x${image.height}-${width}.webp`;
}

/** The widths of an image's WebP copies: MEDIA_WIDTHS narrower than it. */
export function variantWidths(image: Pick<MediaImage, 'width'>): number[] {
  return MEDIA_WIDTHS.filter((width) => width < image.width);
}

/** Every file name an image is stored under. */
export function fileNames(image: MediaImage): string[] {
  return [originalName(image), ...variantWidths(image).map((width) => variantName(image, width))];
}

/** The address of the original: what Markdown, covers and avatars hold. */
export const mediaPath = (image: MediaImage) => `${MEDIA_PATH_PREFIX}${originalName(image)}`;

/** What a stored file's name says, or null for a name Quire never makes. */
export function parseFileName(name: string): MediaFile | null {
  const match = NAME.exec(name);
  if (!match) return null;
  const [, key, width, height, variant, ext] = match;
  const image: MediaImage = {
    key: key!,
    width: Number(width),
    height: Number(height),
    type: variant ? TYPES_BY_EXTENSION.get('webp')! : TYPES_BY_EXTENSION.get(ext!)!,
  };
  if (!variant) return { image, variant: null };
  // a copy's name says the original's size, not its format: the original's format is unknown here
  const widths = variantWidths(image);
  return widths.includes(Number(variant)) ? { image, variant: Number(variant) } : null;
}

/**
 * The image an address names, if it is one of this site's originals: `/media/NAME`, or the same
 * after `origin` (the site's PUBLIC_URL), as an API client may send it back.
 */
export function parseMediaUrl(url: string, origin?: string): MediaImage | null {
  let path = url.trim();
  if (origin && path.startsWith(`${origin}${MEDIA_PATH_PREFIX}`)) path = path.slice(origin.length);
  if (!path.startsWith(MEDIA_PATH_PREFIX)) return null;
  const file = parseFileName(path.slice(MEDIA_PATH_PREFIX.length));
  return file && file.variant === null ? file.image : null;
}

/** `srcset` for an image: its WebP copies, then the original at its own width. */
export function srcsetOf(image: MediaImage, base = ''): string {
  return [
    ...variantWidths(image).map((width) => `${base}${MEDIA_PATH_PREFIX}${variantName(image, width)} ${width}w`),
    `${base}${mediaPath(image)} ${image.width}w`,
  ].join(', ');
}

/** Every key of this site's images named in `text` (Markdown, a cover, an avatar), once each. */
export function mediaKeysIn(...texts: (string | null | undefined)[]): string[] {
  const keys = new Set<string>();
  const pattern = /\/media\/([0-9a-f]{20})-\d{1,5}x\d{1,5}/g;
  for (const text of texts) {
    if (!text) continue;
    for (const match of text.matchAll(pattern)) keys.add(match[1]!);
  }
  return [...keys];
}

/** A size for people: "812 bytes", "34 KB", "2.5 MB". */
export function formatBytes(bytes: number): string {
  if (bytes >= 1024 * 1024) return `${(bytes / (1024 * 1024)).toFixed(1).replace(/\.0$/, '')} MB`;
  if (bytes >= 1024) return `${Math.round(bytes / 1024)} KB`;
  return `${bytes} bytes`;
}

/** The original of image `key` that `text` names (its size and format), or null. */
export function mediaImageNamed(text: string, key: string): MediaImage | null {
  for (const match of text.matchAll(/\/media\/([0-9a-f]{20}-[^\s()"'<>?#/]+)/g)) {
    const file = parseFileName(match[1]!);
    if (file && file.variant === null && file.image.key === key) return file.image;
  }
  return null;
}
