/*
 * Images no one shows are removed after a grace period (MEDIA_UNUSED_GRACE, a day by default): a
 * clean-up task (src/ops/cleanups.ts: every CLEANUP_INTERVAL_MS, on one node at a time).
 *
 * Each step does, in bounded batches:
 * 1. marks removed (cause 'unused') the uploads older than the grace whose key no media_uses row
 *    names: no article body or cover (drafts included), no avatar, no site page shows it;
 * 2. purges the removed rows whose key no live row (removed_at null) keeps: deletes the key's
 *    files from the store, then the rows. A moderator's removal stays as a row (it is what refuses
 *    the same picture uploaded again); its files are deleted by the removal itself, or by the sweep.
 *
 * Then `sweepStrayFiles` deletes the files no live row names (a crash between writing an image's
 * files and inserting its row, a removal whose file deletion failed), when they are older than the
 * grace period. Both stores date a file (`modifiedAt`: a stat of the file; S3's HeadObject says
 * LastModified), and only a file no live row names is dated. A store that cannot leaves strays.
 */
import { and, asc, eq, gt, inArray, isNotNull, isNull, lt, ne, notExists, or } from 'drizzle-orm';
import type { Db } from '../db/client';
import { tablesOf } from '../db/engine';
import { errorText, type Log } from '../lib/logger';
import type { CleanupTask } from '../ops/cleanups';
import { fileNames, parseFileName, type MediaImage, type MediaType } from './names';
import type { MediaStore } from './store';

/** Rows marked or purged in one step. */
export const MEDIA_CLEANUP_STEP = 100;
/** Files the sweep deletes in one run at most (the rest wait for the next run). */
export const STRAY_SWEEP_MAX = 1000;

type ImageRow = { key: string; width: number; height: number; type: string };

const imageOf = (row: ImageRow): MediaImage => ({ key: row.key, width: row.width, height: row.height, type: row.type as MediaType });

/**
 * Deletes the files of each image whose key no live upload row keeps (another account may have
 * uploaded the same picture: it keeps its files). Run after the transaction that removed the rows;
 * a file that is already gone is no error. Answers the number of files deleted.
 */
export async function deleteUnkeptFiles(db: Db, media: MediaStore, images: readonly ImageRow[]): Promise<number> {
  if (images.length === 0) return 0;
  const { uploads } = tablesOf(db);
  const keys = [...new Set(images.map((image) => image.key))];
  const kept = new Set(
    (await db.select({ key: uploads.key }).from(uploads).where(and(inArray(uploads.key, keys), isNull(uploads.removedAt)))).map((row) => row.key),
  );
  let deleted = 0;
  const done = new Set<string>();
  for (const image of images) {
    const name = fileNames(imageOf(image))[0]!;
    if (kept.has(image.key) || done.has(name)) continue;
    done.add(name);
    for (const file of fileNames(imageOf(image))) {
      await media.delete(file);
      deleted += 1;
    }
  }
  return deleted;
}

/**
 * deleteUnkeptFiles after an act's transaction has committed: a store that fails then is logged,
 * not thrown (the act is done; the clean-up's purge or sweep deletes the files later).
 */
export async function deleteFilesAfterRemoval(core: { db: Db; media: MediaStore; log: Log }, images: readonly ImageRow[]): Promise<number> {
  try {
    return await deleteUnkeptFiles(core.db, core.media, images);
  } catch (error) {
    core.log({ level: 'error', msg: 'media.delete-failed', error: errorText(error), keys: [...new Set(images.map((image) => image.key))] });
    return 0;
  }
}

/**
 * Inside an account's deletion, before its row goes: marks its uploads removed (cause 'account').
 * With `keepShownByItsArticles` (its articles stay, under deleted.author), the images those articles
 * show stay too, owned by no one (the clean-up removes them once nothing shows them). Answers the
 * rows marked, whose files go once the transaction has committed (deleteFilesAfterRemoval).
 */
export async function removeImagesOfAccount(tx: Db, userId: number, now: number, keepShownByItsArticles: boolean): Promise<ImageRow[]> {
  const { uploads, mediaUses, articles } = tablesOf(tx);
  const shown = keepShownByItsArticles
    ? new Set(
        (
          await tx
            .select({ key: mediaUses.key })
            .from(mediaUses)
            .innerJoin(articles, eq(articles.id, mediaUses.articleId))
            .where(eq(articles.authorId, userId))
        ).map((row) => row.key),
      )
    : new Set<string>();
  const rows = await tx
    .select({ id: uploads.id, key: uploads.key, width: uploads.width, height: uploads.height, type: uploads.type })
    .from(uploads)
    .where(and(eq(uploads.ownerId, userId), isNull(uploads.removedAt)));
  const going = rows.filter((row) => !shown.has(row.key));
  if (going.length > 0) {
    await tx.update(uploads).set({ removedAt: new Date(now), removedCause: 'account' }).where(inArray(uploads.id, going.map((row) => row.id)));
  }
  return going;
}

/** Marks removed (cause 'unused') up to a step's worth of uploads past the grace that nothing shows; answers how many. */
export async function markUnusedUploads(db: Db, now: number, graceMs: number): Promise<number> {
  const { uploads, mediaUses } = tablesOf(db);
  const unused = notExists(db.select({ one: mediaUses.id }).from(mediaUses).where(eq(mediaUses.key, uploads.key)));
  const due = await db
    .select({ id: uploads.id })
    .from(uploads)
    .where(and(isNull(uploads.removedAt), lt(uploads.createdAt, new Date(now - graceMs)), unused))
    .orderBy(asc(uploads.id))
    .limit(MEDIA_CLEANUP_STEP);
  if (due.length === 0) return 0;
  // asked again in the write: an article saved meanwhile may show one of them now
  const marked = await db
    .update(uploads)
    .set({ removedAt: new Date(now), removedCause: 'unused' })
    .where(and(inArray(uploads.id, due.map((row) => row.id)), isNull(uploads.removedAt), unused))
    .returning({ id: uploads.id });
  return marked.length;
}

/**
 * Deletes the files, then the rows, of up to a step's worth of removed uploads (not a moderator's:
 * those rows stay) whose key no live row keeps; answers the rows deleted.
 */
export async function purgeRemovedUploads(db: Db, media: MediaStore, after = 0): Promise<{ purged: number; last: number | null }> {
  const { uploads } = tablesOf(db);
  const rows = await db
    .select({ id: uploads.id, key: uploads.key, width: uploads.width, height: uploads.height, type: uploads.type })
    .from(uploads)
    .where(and(gt(uploads.id, after), isNotNull(uploads.removedAt), or(isNull(uploads.removedCause), ne(uploads.removedCause, 'moderation'))))
    .orderBy(asc(uploads.id))
    .limit(MEDIA_CLEANUP_STEP);
  if (rows.length === 0) return { purged: 0, last: null };
  await deleteUnkeptFiles(db, media, rows);
  const gone = await db
    .delete(uploads)
    .where(and(inArray(uploads.id, rows.map((row) => row.id)), isNotNull(uploads.removedAt)))
    .returning({ id: uploads.id });
  return { purged: gone.length, last: rows.length < MEDIA_CLEANUP_STEP ? null : rows[rows.length - 1]!.id };
}

type DatedMediaStore = MediaStore & Required<Pick<MediaStore, 'modifiedAt'>>;

const isDated = (media: MediaStore): media is DatedMediaStore => typeof media.modifiedAt === 'function';

/**
 * Deletes files older than the grace period whose key no live upload row names; answers how many
 * (at most STRAY_SWEEP_MAX). Nothing on a store that cannot date its files.
 */
export async function sweepStrayFiles(db: Db, media: MediaStore, now: number, graceMs: number): Promise<number> {
  if (!isDated(media)) return 0;
  const { uploads } = tablesOf(db);
  let deleted = 0;
  let batch: string[] = [];
  const flush = async () => {
    const keys = [...new Set(batch.map((name) => parseFileName(name)!.image.key))];
    const live = new Set(
      (await db.select({ key: uploads.key }).from(uploads).where(and(inArray(uploads.key, keys), isNull(uploads.removedAt)))).map((row) => row.key),
    );
    for (const name of batch) {
      if (deleted >= STRAY_SWEEP_MAX || live.has(parseFileName(name)!.image.key)) continue;
      const written = await media.modifiedAt(name);
      // a file younger than the grace may be an upload whose row is being written now
      if (written === null || written > now - graceMs) continue;
      await media.delete(name);
      deleted += 1;
    }
    batch = [];
  };
  for await (const name of media.list()) {
    if (parseFileName(name) === null) continue;
    batch.push(name);
    if (batch.length >= MEDIA_CLEANUP_STEP) await flush();
    if (deleted >= STRAY_SWEEP_MAX) break;
  }
  if (batch.length > 0 && deleted < STRAY_SWEEP_MAX) await flush();
  return deleted;
}

/**
 * The clean-up task: marks, then purges, a step at a time; the sweep once the rows are done. Its
 * count is the uploads removed and the stray files deleted.
 */
export function mediaCleanup(deps: { media: MediaStore; env: { MEDIA_UNUSED_GRACE_MS: number } }): CleanupTask {
  const grace = deps.env.MEDIA_UNUSED_GRACE_MS;
  return {
    name: 'media',
    step: async (db, now, after) => {
      // `after`: 'mark' while marking, then 'purge:ID' while purging from ID
      if (after === null || after === 'mark') {
        const marked = await markUnusedUploads(db, now, grace);
        return { deleted: marked, next: marked === MEDIA_CLEANUP_STEP ? 'mark' : 'purge:0' };
      }
      const { last } = await purgeRemovedUploads(db, deps.media, Number(after.slice('purge:'.length)));
      if (last !== null) return { deleted: 0, next: `purge:${last}` };
      return { deleted: await sweepStrayFiles(db, deps.media, now, grace), next: null };
    },
  };
}
