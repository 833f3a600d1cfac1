/**
 * A moderator removes an image everywhere it appears (issue #18, point 8): every upload of the
 * picture (whoever uploaded it) is marked removed, so it cannot be uploaded again; every article
 * body and site page that shows it has the image replaced by a short text, and is rendered again;
 * covers and avatars that are it become none; then its files leave the store. One transaction for
 * the rows, with the audit entry; the bodies are rendered before it, in the worker thread, as
 * updateArticle does. The article and user writes move the cache version (their triggers), and
 * articles change through the query that re-indexes them for search.
 */
import { eq, inArray } from 'drizzle-orm';
import { recordAudit } from '../audit/log';
import * as articleQueries from '../articles/queries';
import { fail, NotFound, succeed, type Caller, type Core, type Outcome } from '../core';
import type { Db } from '../db/client';
import { tablesOf } from '../db/engine';
import { transaction } from '../db/transaction';
import type { RenderedBody } from '../lib/markdown';
import { runOffThread } from '../lib/offthread';
import { ReasonSchema } from '../moderation/schemas';
import { requirePermission } from '../roles/permissions';
import { deleteFilesAfterRemoval } from './cleanup';
import { mediaImageNamed, MEDIA_KEY_LENGTH, mediaPath, parseFileName, type MediaImage } from './names';
import { recordMediaUses } from './uses';

/** What a removed image's Markdown becomes, in every body that showed it. */
export const IMAGE_REMOVED_TEXT = '(image removed by a moderator)';
export const NO_SUCH_IMAGE = 'There is no such image on this site.';
const KEY = new RegExp(`^[0-9a-f]{${MEDIA_KEY_LENGTH}}$`);
/** Times the bodies are read, rendered and written before giving up (an author editing meanwhile). */
const ATTEMPTS = 3;

const escape = (text: string) => text.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&');

/** `text` without image `key`: its Markdown and HTML images become IMAGE_REMOVED_TEXT, and so does any other address of it. */
export function stripImage(text: string, key: string): string {
  const address = `(?:[a-z][a-z0-9+.-]*:\\/\\/[^\\s()"'<>]*)?\\/media\\/${escape(key)}-\\d{1,5}x\\d{1,5}(?:-\\d{1,5})?\\.[a-z]{3,4}`;
  const markdownImage = new RegExp(`!\\[(?:[^\\[\\]\\\\]|\\\\.|\\[[^\\]]*\\])*\\]\\(\\s*<?${address}>?(?:\\s+(?:"[^"]*"|'[^']*'|\\([^)]*\\)))?\\s*\\)`, 'gi');
  const htmlImage = new RegExp(`<img\\b[^>]*${address}[^>]*>`, 'gi');
  return text.replace(markdownImage, IMAGE_REMOVED_TEXT).replace(htmlImage, IMAGE_REMOVED_TEXT).replace(new RegExp(address, 'gi'), IMAGE_REMOVED_TEXT);
}

export type RemovedImage = { key: string; articles: number; covers: number; avatars: number; pages: number; files: number };

type Shown = {
  articles: { id: number; slug: string; body: string; coverImage: string | null }[];
  pages: { id: number; body: string }[];
  users: number[];
};

async function whereShown(db: Db, key: string): Promise<Shown> {
  const { mediaUses, articles, sitePages } = tablesOf(db);
  const uses = await db.select({ articleId: mediaUses.articleId, userId: mediaUses.userId, pageId: mediaUses.pageId }).from(mediaUses).where(eq(mediaUses.key, key));
  const articleIds = uses.flatMap((use) => (use.articleId === null ? [] : [use.articleId]));
  const pageIds = uses.flatMap((use) => (use.pageId === null ? [] : [use.pageId]));
  return {
    articles:
      articleIds.length === 0
        ? []
        : await db.select({ id: articles.id, slug: articles.slug, body: articles.body, coverImage: articles.coverImage }).from(articles).where(inArray(articles.id, articleIds)),
    pages: pageIds.length === 0 ? [] : await db.select({ id: sitePages.id, body: sitePages.body }).from(sitePages).where(inArray(sitePages.id, pageIds)),
    users: uses.flatMap((use) => (use.userId === null ? [] : [use.userId])),
  };
}

/** The key a door names: a key, or an address of one of the image's files (relative or under PUBLIC_URL). */
function keyOf(input: { key?: string | undefined; url?: string | undefined }): string | null {
  if (input.key !== undefined) return KEY.test(input.key) ? input.key : null;
  if (input.url === undefined) return null;
  // the original's address or a WebP copy's, relative or under PUBLIC_URL: the key is all it needs
  const name = /\/media\/([^/?#\s]+)$/.exec(input.url.trim())?.[1];
  return (name && parseFileName(name)?.image.key) || null;
}

class Changed extends Error {}

/**
 * Removes image `key` (or the one at `url`) everywhere, for a moderator or above ('media:remove').
 * NotFound when no upload of it and no page showing it is known.
 */
export async function removeImage(
  core: Core,
  caller: Caller,
  input: { key?: string; url?: string; reason: unknown },
): Promise<Outcome<RemovedImage>> {
  requirePermission(caller, 'media:remove');
  const key = keyOf(input);
  if (key === null) throw new NotFound('image', NO_SUCH_IMAGE);
  const reason = ReasonSchema.safeParse(input.reason);
  if (!reason.success) return fail({ reason: [reason.error.issues[0]?.message ?? 'is invalid'] });
  const { uploads, users, sitePages } = tablesOf(core.db);
  for (let attempt = 1; ; attempt++) {
    // read and rendered outside the transaction, which holds the database while open
    const shown = await whereShown(core.db, key);
    const known = await core.db.select({ id: uploads.id }).from(uploads).where(eq(uploads.key, key)).limit(1);
    if (known.length === 0 && shown.articles.length + shown.pages.length + shown.users.length === 0) throw new NotFound('image', NO_SUCH_IMAGE);
    const bodies = new Map<number, { body: string; rendered: RenderedBody }>();
    for (const article of shown.articles) {
      const body = stripImage(article.body, key);
      if (body !== article.body) bodies.set(article.id, { body, rendered: await runOffThread({ kind: 'renderBody', body, siteUrl: core.env.PUBLIC_URL }) });
    }
    const pageBodies = new Map<number, { body: string; bodyHtml: string }>();
    for (const page of shown.pages) {
      const body = stripImage(page.body, key);
      if (body !== page.body) pageBodies.set(page.id, { body, bodyHtml: (await runOffThread({ kind: 'renderBody', body, siteUrl: core.env.PUBLIC_URL })).bodyHtml });
    }
    try {
      const outcome = await transaction(core.db, async (tx) => {
        const now = core.clock();
        const current = await whereShown(tx, key);
        // an author saved meanwhile: what was rendered is stale, so read and render again
        const same =
          current.articles.length === shown.articles.length &&
          current.articles.every((a) => shown.articles.some((b) => b.id === a.id && b.body === a.body && b.coverImage === a.coverImage)) &&
          current.pages.length === shown.pages.length &&
          current.pages.every((a) => shown.pages.some((b) => b.id === a.id && b.body === a.body));
        if (!same) throw new Changed();
        const rows = await tx
          .select({ id: uploads.id, key: uploads.key, width: uploads.width, height: uploads.height, type: uploads.type, url: uploads.url })
          .from(uploads)
          .where(eq(uploads.key, key));
        let covers = 0;
        for (const article of current.articles) {
          const detail = await articleQueries.findArticleBySlug(tx, article.slug, null);
          if (!detail) continue;
          const stripped = bodies.get(article.id);
          const coverGoes = article.coverImage !== null && stripImage(article.coverImage, key) !== article.coverImage;
          if (coverGoes) covers += 1;
          if (!stripped && !coverGoes) continue;
          // through the query every edit takes: media uses, search index, and the cache version move with it
          await articleQueries.updateArticle(tx, detail, { ...(stripped && { body: stripped.body }), ...(coverGoes && { coverImage: null }) }, stripped?.rendered ?? null, now);
        }
        for (const [id, page] of pageBodies) {
          await tx.update(sitePages).set({ body: page.body, bodyHtml: page.bodyHtml, updatedAt: new Date(now) }).where(eq(sitePages.id, id));
          await recordMediaUses(tx, { pageId: id }, page.body);
        }
        for (const userId of current.users) {
          await tx.update(users).set({ image: null, updatedAt: new Date(now) }).where(eq(users.id, userId));
          await recordMediaUses(tx, { userId });
        }
        if (rows.length > 0) {
          await tx.update(uploads).set({ removedAt: new Date(now), removedCause: 'moderation' }).where(eq(uploads.key, key));
        } else {
          // shown but never uploaded here (its row purged): a row of no one's, so the picture stays refused
          const image = imageShown(key, current);
          if (image) {
            await tx.insert(uploads).values({ key, ownerId: null, type: image.type, width: image.width, height: image.height, bytes: 0, url: mediaPath(image), createdAt: new Date(now), removedAt: new Date(now), removedCause: 'moderation' });
          }
        }
        const label = rows[0]?.url ?? `/media/${key}`;
        await recordAudit(
          tx,
          caller,
          {
            action: 'image.remove',
            target: { kind: 'image', id: rows[0]?.id ?? null, label },
            reason: reason.data,
            details: { key, articles: bodies.size, covers, avatars: current.users.length, pages: pageBodies.size },
          },
          now,
        );
        return { rows, covers, avatars: current.users.length };
      });
      // after the commit: a reader never meets a page showing a file that is gone
      const files = await deleteFilesAfterRemoval(core, outcome.rows);
      return succeed({ key, articles: bodies.size, covers: outcome.covers, avatars: outcome.avatars, pages: pageBodies.size, files });
    } catch (error) {
      if (!(error instanceof Changed)) throw error;
      // authors kept saving while it was rendered: a refusal to try again, never a 500
      if (attempt >= ATTEMPTS) return fail({ image: ['was changed by an author while it was being removed: try again'] });
    }
  }
}

/** The image's size and format, from an address a body, cover or avatar holds. */
function imageShown(key: string, shown: Shown): MediaImage | null {
  const texts = [...shown.articles.flatMap((a) => [a.body, a.coverImage ?? '']), ...shown.pages.map((p) => p.body)];
  for (const text of texts) {
    const image = mediaImageNamed(text, key);
    if (image) return image;
  }
  return null;
}
