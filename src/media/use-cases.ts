/**
 * Uploading an image, for every door: the editor's "Upload image" (with or without JavaScript), a
 * cover, an avatar, and POST /api/uploads. The act's rules are here: a signed-in, active account;
 * the per-account rate limit and quota; a picture a moderator removed stays removed.
 */
import { and, eq, sql } from 'drizzle-orm';
import { type Caller, type Core, type FieldErrors } from '../core';
import { tablesOf, readRow } from '../db/engine';
import { activeSignedInUser } from '../users/use-cases';
import { formatBytes, mediaPath, type MediaImage, type MediaType } from './names';
import { ImageRefused, processImage, type ImageShape } from './process';

/** What an upload answers (POST /api/uploads answers it as `{ "upload": ... }`). */
export type UploadedImage = {
  /** the original's address, relative to the site: /media/KEY-WxH.ext */
  url: string;
  width: number;
  height: number;
  type: MediaType;
  /** every stored file of the image together: what it counts in the quota */
  bytes: number;
  image: MediaImage;
};

/** A refused upload: the status a door answers (413, 415 or 422) and the message, under `file`. */
export type UploadOutcome = { ok: true; value: UploadedImage } | { ok: false; status: 413 | 415 | 422; errors: FieldErrors };

export type UploadInput = {
  bytes: Buffer;
  /** 'avatar' crops it square; 'image' keeps its shape (articles, covers) */
  purpose: 'image' | 'avatar';
};

export const REMOVED_BY_MODERATOR = 'was removed from this site by a moderator and cannot be uploaded again';

const refuse = (status: 413 | 415 | 422, message: string): UploadOutcome => ({ ok: false, status, errors: { file: [message] } });

/** The bytes of images an account has now (removed ones no longer count). */
export async function quotaUsed(db: Core['db'], userId: number): Promise<number> {
  const { uploads } = tablesOf(db);
  const row = await readRow<{ used: number | string | null }>(
    db,
    sql`select coalesce(sum(${uploads.bytes}), 0) as used from ${uploads} where ${uploads.ownerId} = ${userId} and ${uploads.removedAt} is null`,
  );
  return Number(row?.used ?? 0);
}

function quotaMessage(core: Core, used: number): string {
  const days = Math.round(core.env.MEDIA_UNUSED_GRACE_MS / 3_600_000);
  return `would take your images past this site's quota of ${formatBytes(core.env.MEDIA_QUOTA)} (you have ${formatBytes(used)}); images no article or profile shows are removed after ${days} hours`;
}

/**
 * The signed-in user uploads an image. The rate limit is spent before any work; the file is
 * checked and processed off the serving thread (src/media/process.ts); its files are written to
 * the media store before its row, so a row never names a missing file.
 */
export async function uploadImage(core: Core, caller: Caller, input: UploadInput): Promise<UploadOutcome> {
  const { db, clock, limits, env, media } = core;
  const userId = await activeSignedInUser(db, caller);
  await limits.enforce('uploads', userId, clock(), caller.requestId ?? undefined);
  const used = await quotaUsed(db, userId);
  if (used >= env.MEDIA_QUOTA) return refuse(413, quotaMessage(core, used));
  const shape: ImageShape = input.purpose === 'avatar' ? 'square' : 'as-is';
  let processed;
  try {
    processed = await processImage(input.bytes, { maxBytes: env.MEDIA_MAX_BYTES, maxPixels: env.MEDIA_MAX_PIXELS, shape });
  } catch (error) {
    if (error instanceof ImageRefused) return refuse(error.status, error.message);
    throw error;
  }
  const { image } = processed;
  const { uploads } = tablesOf(db);
  const [removed] = await db
    .select({ id: uploads.id })
    .from(uploads)
    .where(and(eq(uploads.key, image.key), eq(uploads.removedCause, 'moderation')))
    .limit(1);
  if (removed) return refuse(422, REMOVED_BY_MODERATOR);
  // the same picture again is the same row: it counts once
  const [mine] = await db
    .select({ id: uploads.id, removedAt: uploads.removedAt })
    .from(uploads)
    .where(and(eq(uploads.ownerId, userId), eq(uploads.key, image.key)))
    .limit(1);
  if (!mine || mine.removedAt !== null) {
    if (used + processed.bytes > env.MEDIA_QUOTA) return refuse(413, quotaMessage(core, used));
  }
  for (const file of processed.files) await media.put(file.name, file.bytes, file.contentType);
  const url = mediaPath(image);
  const now = new Date(clock());
  // two uploads of one picture at once: the unique index keeps one row, and the second finds it
  await db
    .insert(uploads)
    .values({ key: image.key, ownerId: userId, type: image.type, width: image.width, height: image.height, bytes: processed.bytes, url, createdAt: now })
    .onConflictDoUpdate({
      target: [uploads.ownerId, uploads.key],
      set: { removedAt: null, removedCause: null, createdAt: now },
      where: sql`${uploads.removedCause} is null or ${uploads.removedCause} <> 'moderation'`,
    });
  return { ok: true, value: { url, width: image.width, height: image.height, type: image.type, bytes: processed.bytes, image } };
}
