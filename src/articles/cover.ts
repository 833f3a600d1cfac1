/**
 * An article's cover: one of this site's uploaded images, nothing else. The editor and the API
 * both send what they were given; the use cases (src/articles/use-cases.ts) check it here.
 */
import { and, eq, isNull } from 'drizzle-orm';
import type { Core } from '../core';
import { tablesOf } from '../db/engine';
import { mediaPath, parseMediaUrl } from '../media/names';

export const COVER_NOT_OURS = 'must be an image uploaded here';

/** A cover that is not one of this site's images: each door answers it as a 422 on `coverImage`. */
export class CoverRefused extends Error {
  override name = 'CoverRefused';
  constructor() {
    super(`Cover ${COVER_NOT_OURS}`);
  }
}

/**
 * The cover as stored: its relative address (`/media/KEY-WxH.ext`, whether it came relative or
 * under PUBLIC_URL, as the API answers it), null for none, undefined to keep the one there is.
 * Throws CoverRefused for any other address, or an image that was never uploaded or was removed.
 */
export async function checkCover(core: Pick<Core, 'db' | 'env'>, cover: string | null | undefined): Promise<string | null | undefined> {
  if (cover === undefined || cover === null) return cover;
  if (cover.trim() === '') return null;
  const image = parseMediaUrl(cover, new URL(core.env.PUBLIC_URL).origin);
  if (!image) throw new CoverRefused();
  const path = mediaPath(image);
  const { uploads } = tablesOf(core.db);
  const [row] = await core.db
    .select({ id: uploads.id })
    .from(uploads)
    .where(and(eq(uploads.key, image.key), eq(uploads.url, path), isNull(uploads.removedAt)))
    .limit(1);
  if (!row) throw new CoverRefused();
  return path;
}
