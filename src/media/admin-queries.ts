/** What /admin/media lists: recent uploads still live, who uploaded them, and where each is shown. */
import { and, count, desc, eq, inArray, isNull } from 'drizzle-orm';
import type { Db } from '../db/client';
import { tablesOf } from '../db/engine';
import type { MediaType } from './names';

export const MEDIA_PAGE_SIZE = 30;

export type MediaUse = { kind: 'article'; slug: string; title: string } | { kind: 'profile'; username: string } | { kind: 'page'; slug: string; title: string };

export type ListedUpload = {
  key: string;
  url: string;
  width: number;
  height: number;
  type: MediaType;
  bytes: number;
  createdAt: Date;
  owner: string | null;
  uses: MediaUse[];
};

/** A page of live uploads, newest first; `article`: only the images that article (by slug) shows. */
export async function listUploads(db: Db, options: { page: number; article?: string }): Promise<{ uploads: ListedUpload[]; total: number }> {
  const { uploads, users, mediaUses, articles } = tablesOf(db);
  let keys: string[] | null = null;
  if (options.article !== undefined) {
    const rows = await db
      .select({ key: mediaUses.key })
      .from(mediaUses)
      .innerJoin(articles, eq(articles.id, mediaUses.articleId))
      .where(eq(articles.slug, options.article));
    keys = rows.map((row) => row.key);
    if (keys.length === 0) return { uploads: [], total: 0 };
  }
  const where = and(isNull(uploads.removedAt), keys === null ? undefined : inArray(uploads.key, keys));
  const [rows, [total]] = await Promise.all([
    db
      .select({
        key: uploads.key,
        url: uploads.url,
        width: uploads.width,
        height: uploads.height,
        type: uploads.type,
        bytes: uploads.bytes,
        createdAt: uploads.createdAt,
        owner: users.username,
      })
      .from(uploads)
      .leftJoin(users, eq(users.id, uploads.ownerId))
      .where(where)
      .orderBy(desc(uploads.createdAt), desc(uploads.id))
      .limit(MEDIA_PAGE_SIZE)
      .offset((options.page - 1) * MEDIA_PAGE_SIZE),
    db.select({ n: count() }).from(uploads).where(where),
  ]);
  const uses = await usesOf(db, rows.map((row) => row.key));
  return {
    uploads: rows.map((row) => ({ ...row, type: row.type as MediaType, uses: uses.get(row.key) ?? [] })),
    total: Number(total?.n ?? 0),
  };
}

/** Where each of `keys` is shown: articles (body or cover), profiles (avatar), site pages. */
async function usesOf(db: Db, keys: string[]): Promise<Map<string, MediaUse[]>> {
  const { mediaUses, articles, users, sitePages } = tablesOf(db);
  const uses = new Map<string, MediaUse[]>();
  if (keys.length === 0) return uses;
  const found = await db
    .select({
      key: mediaUses.key,
      articleSlug: articles.slug,
      articleTitle: articles.title,
      username: users.username,
      pageSlug: sitePages.slug,
      pageTitle: sitePages.title,
    })
    .from(mediaUses)
    .leftJoin(articles, eq(articles.id, mediaUses.articleId))
    .leftJoin(users, eq(users.id, mediaUses.userId))
    .leftJoin(sitePages, eq(sitePages.id, mediaUses.pageId))
    .where(inArray(mediaUses.key, [...new Set(keys)]));
  for (const use of found) {
    const list = uses.get(use.key) ?? [];
    if (use.articleSlug !== null) list.push({ kind: 'article', slug: use.articleSlug, title: use.articleTitle ?? use.articleSlug });
    else if (use.username !== null) list.push({ kind: 'profile', username: use.username });
    else if (use.pageSlug !== null) list.push({ kind: 'page', slug: use.pageSlug, title: use.pageTitle ?? use.pageSlug });
    uses.set(use.key, list);
  }
  return uses;
}

/** A live upload of `key`, with where it is shown (the confirmation page's), or null. */
export async function findUpload(db: Db, key: string): Promise<ListedUpload | null> {
  const { uploads, users } = tablesOf(db);
  const [row] = await db
    .select({ key: uploads.key, url: uploads.url, width: uploads.width, height: uploads.height, type: uploads.type, bytes: uploads.bytes, createdAt: uploads.createdAt, owner: users.username })
    .from(uploads)
    .leftJoin(users, eq(users.id, uploads.ownerId))
    .where(and(eq(uploads.key, key), isNull(uploads.removedAt)))
    .orderBy(uploads.id)
    .limit(1);
  if (!row) return null;
  return { ...row, type: row.type as MediaType, uses: (await usesOf(db, [key])).get(key) ?? [] };
}
