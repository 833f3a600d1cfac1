/**
 * What a person does to articles: write one (publishing it or saving a draft), change it, delete
 * it, favorite it and take the favorite back. Each use case finds the article by its slug, as the
 * caller may see it (src/articles/visibility.ts) and may act on it (src/articles/policy.ts), and
 * answers the article as the caller now sees it. Comments are in src/comments/use-cases.ts.
 */
import { Forbidden, Gone, NotFound, type Caller, type Core } from '../core';
import { transaction } from '../db/transaction';
import { runOffThread } from '../lib/offthread';
import { requireConfirmedEmail } from '../account-links/email-confirmation';
import { enforceNewAccountLimit } from '../site/spam';
import { activeSignedInUser, signedInUser } from '../users/use-cases';
import { recordAudit } from '../audit/log';
import { actsOnOthers, canDeleteArticle, canEditArticle } from './policy';
import * as queries from './queries';
import type { ArticleDetail, ArticleInput } from './queries';
import { canSeeArticle, viewerOf } from './visibility';
import { notify, takeBackNotification } from '../notifications/use-cases';
import { checkCover } from './cover';

export const NO_SUCH_ARTICLE = 'There is no article at this address.';
export const ONLY_THE_AUTHOR = 'Only the author can change this article.';
export const NOT_YOURS_TO_DELETE = 'Only its author or a moderator can delete this article.';
export const HIDDEN_ARTICLE_IS_CLOSED = 'This article is hidden by a moderator: it takes no comments or favorites until it is restored.';

/**
 * A hidden article can be read by its author and moderators, but only moderators may act on it
 * (comment, favorite): its author sees why it is hidden and waits for a moderator.
 */
export function refuseIfHiddenFor(caller: Caller, article: { hidden: unknown }): void {
  if (article.hidden !== null && !viewerOf(caller)?.seesHidden) throw new Forbidden('article', HIDDEN_ARTICLE_IS_CLOSED);
}


/**
 * The article at `slug` as the caller sees it; someone else's draft does not exist for them. Also
 * the read of the doors that show an article, so that they refuse it in the same words.
 */
export async function findArticleToRead(core: Pick<Core, 'db'>, caller: Caller, slug: string): Promise<ArticleDetail> {
  const article = await queries.findArticleBySlug(core.db, slug, caller.userId);
  if (!article || !canSeeArticle(viewerOf(caller), article)) throw new NotFound('article', NO_SUCH_ARTICLE);
  return article;
}

export const ARTICLE_DELETED = 'The article that was at this address has been deleted.';

/**
 * What a reader asking for `slug` gets: the article, or, when `slug` is an address an article had
 * before it was renamed, the address it has now (its doors answer 301 there, forever). A deleted
 * article's address is Gone (410); an address no article the caller may see ever had, NotFound.
 */
export async function findArticleOrItsAddress(
  core: Pick<Core, 'db'>,
  caller: Caller,
  slug: string,
): Promise<{ article: ArticleDetail } | { movedTo: string }> {
  try {
    return { article: await findArticleToRead(core, caller, slug) };
  } catch (error) {
    if (!(error instanceof NotFound)) throw error;
    const former = await queries.findRetiredSlug(core.db, slug);
    if (former === 'gone') throw new Gone('article', ARTICLE_DELETED);
    if (former === null) throw error;
    // the new address of an article the caller may not see would tell them it exists
    const article = await queries.findArticleBySlug(core.db, former.slug, caller.userId);
    if (!article || !canSeeArticle(viewerOf(caller), article)) throw error;
    return { movedTo: former.slug };
  }
}

/**
 * The article at `slug` if the caller may change or delete it (its author). Doors that read a form
 * or a body after finding the article call it first, so that a 404 or 403 comes before any
 * complaint about what was sent, as it always has.
 */
export async function findArticleToEdit(core: Pick<Core, 'db'>, caller: Caller, slug: string): Promise<ArticleDetail> {
  const article = await findArticleToRead(core, caller, slug);
  if (!canEditArticle(viewerOf(caller), article)) throw new Forbidden('article', ONLY_THE_AUTHOR);
  return article;
}

/** The article as the caller sees it right after their own write (so it exists for them). */
const reread = async (core: Core, caller: Caller, slug: string): Promise<ArticleDetail> =>
  (await queries.findArticleBySlug(core.db, slug, caller.userId))!;

export type CreateArticleInput = {
  article: ArticleInput;
  /**
   * The editor's "Publish Article" (true) or "Save draft" (false); RealWorld's POST /api/articles
   * knows no drafts and always publishes.
   */
  publish: boolean;
};

/**
 * A new article by the signed-in user, under the first free slug made from its title. Spends the
 * per-user article limit: only on an article that will be saved (its fields have passed the door).
 * The body is rendered in the worker thread (src/lib/offthread.ts).
 */
export async function createArticle(core: Core, caller: Caller, input: CreateArticleInput): Promise<ArticleDetail> {
  const { db, clock, limits } = core;
  const authorId = await activeSignedInUser(db, caller);
  const now = clock();
  // a draft may be saved unconfirmed; publishing may need a confirmed address (site settings)
  if (input.publish) await requireConfirmedEmail(core, caller, 'publish');
  // a new account's first day: fewer articles (site settings; src/site/spam.ts)
  await enforceNewAccountLimit(core, caller, 'articles');
  // only this site's uploads: before the limit is spent, as a field error would be
  const coverImage = await checkCover(core, input.article.coverImage);
  await limits.enforce('articles', authorId, now, caller.requestId ?? undefined);
  const rendered = await runOffThread({ kind: 'renderBody', body: input.article.body, siteUrl: core.env.PUBLIC_URL });
  const article = { ...input.article, coverImage: coverImage ?? null };
  const { slug } = await queries.createArticle(db, rendered, authorId, article, now, { publish: input.publish });
  return await reread(core, caller, slug);
}

export type UpdateArticleInput = {
  slug: string;
  /**
   * Only what is given changes: the editor sends every field (its tag list replaces the tags, an
   * empty one clears them), PUT /api/articles/:slug only those to change (no tagList keeps them).
   */
  changes: Partial<ArticleInput>;
  /**
   * Whether a draft is published with these changes (a published article stays published either
   * way): the editor's "Publish Article" on a draft; false for "Save draft" and for the API, whose
   * PUT changes fields only.
   */
  publish: boolean;
};

/**
 * The author changes their article. A new title gives it a new slug (the old address then
 * answers 404, as RealWorld has it); publishing a draft dates it now. `published` says whether
 * this change published it. Publishing is this act's option rather than a publishArticle of its
 * own: the editor publishes a draft with the edits in the same form, as one change in one
 * transaction (docs/decisions/006-use-cases.md).
 */
export async function updateArticle(
  core: Core,
  caller: Caller,
  input: UpdateArticleInput,
): Promise<{ article: ArticleDetail; published: boolean }> {
  const { db, clock, limits } = core;
  const { body, title } = input.changes;
  // a missing or someone else's article answers 404/403 before the limit is spent (every door
  // alike); the transaction below checks again, since it may go or change while the body renders
  const current = await findArticleToEdit(core, caller, input.slug);
  if (input.publish && current.publishedAt === null) await requireConfirmedEmail(core, caller, 'publish');
  // the cover it has already is kept as it is, even one removed since (that is moderation's work)
  const keepsCover = input.changes.coverImage === undefined || input.changes.coverImage === current.coverImage;
  const coverImage = keepsCover ? undefined : await checkCover(core, input.changes.coverImage);
  const { coverImage: _given, ...rest } = input.changes;
  const changes = coverImage === undefined ? rest : { ...rest, coverImage };
  // spent before the body is rendered: a save costs the worker thread up to 1.2 s of CPU
  await limits.enforce('articleUpdates', await activeSignedInUser(db, caller), clock(), caller.requestId ?? undefined);
  // rendered in the worker thread, before the transaction, which holds the database while it is open
  const rendered = body === undefined ? null : await runOffThread({ kind: 'renderBody', body, siteUrl: core.env.PUBLIC_URL });
  // the checks and the write in one transaction: the article cannot go or change in between
  return transaction(db, async (tx) => {
    const article = await findArticleToEdit({ db: tx }, caller, input.slug);
    const newSlugFrom = title !== undefined && title !== article.title ? title : undefined;
    const { slug } = await queries.updateArticle(tx, article, changes, rendered, clock(), {
      publish: input.publish,
      ...(newSlugFrom !== undefined && { newSlugFrom }),
    });
    const updated = await reread({ ...core, db: tx }, caller, slug);
    return { article: updated, published: article.publishedAt === null && updated.publishedAt !== null };
  });
}

/**
 * The article at `slug` if the caller may delete it (its author, or a moderator: src/articles/policy.ts).
 * Also the read of the confirmation page, so it refuses in the same words.
 */
export async function findArticleToDelete(core: Pick<Core, 'db'>, caller: Caller, slug: string): Promise<ArticleDetail> {
  const article = await findArticleToRead(core, caller, slug);
  if (!canDeleteArticle(caller, article)) throw new Forbidden('article', NOT_YOURS_TO_DELETE);
  return article;
}

/**
 * The author (or a moderator) deletes an article, with its comments, favorites and tags. Deleting
 * someone else's is a moderation act: it goes to the audit log in the same transaction.
 */
export async function deleteArticle(core: Core, caller: Caller, input: { slug: string; reason?: string | null }): Promise<void> {
  await transaction(core.db, async (tx) => {
    const article = await findArticleToDelete({ db: tx }, caller, input.slug);
    await queries.deleteArticle(tx, article.id, core.clock());
    if (actsOnOthers(caller, article)) {
      await recordAudit(
        tx,
        caller,
        {
          action: 'article.delete',
          target: { kind: 'article', id: article.id, label: article.title },
          reason: input.reason ?? null,
          details: { author: article.author.username, slug: article.slug },
        },
        core.clock(),
      );
    }
  });
}

/**
 * The signed-in user favorites an article they can see (their own too). Spends the per-user
 * favorite limit, also when the article was already a favorite.
 */
export async function favoriteArticle(core: Core, caller: Caller, input: { slug: string }): Promise<ArticleDetail> {
  const { db, clock, limits } = core;
  const userId = await activeSignedInUser(db, caller);
  // an article the caller cannot see answers 404 before the limit is spent; spent before the
  // transaction (see Limits.enforce), once, however many times the transaction runs
  refuseIfHiddenFor(caller, await findArticleToRead(core, caller, input.slug));
  await limits.enforce('favorites', userId, clock(), caller.requestId ?? undefined);
  // checked again inside: the article cannot go between the check and the write
  return transaction(db, async (tx) => {
    const article = await findArticleToRead({ db: tx }, caller, input.slug);
    refuseIfHiddenFor(caller, article);
    const now = clock();
    if (await queries.favoriteArticle(tx, userId, article.id, now)) {
      // its author is told (not of favoriting their own: recordNotification's rule)
      await notify(core, tx, { recipientId: article.author.id, kind: 'favorite', actorId: userId, articleId: article.id, commentId: null }, now);
    }
    return await reread({ ...core, db: tx }, caller, article.slug);
  });
}

/** The signed-in user takes back a favorite (nothing happens if it was not one). */
export async function unfavoriteArticle(core: Core, caller: Caller, input: { slug: string }): Promise<ArticleDetail> {
  const userId = signedInUser(caller);
  return transaction(core.db, async (tx) => {
    const article = await findArticleToRead({ db: tx }, caller, input.slug);
    if (await queries.unfavoriteArticle(tx, userId, article.id)) {
      await takeBackNotification(tx, { recipientId: article.author.id, kind: 'favorite', actorId: userId, articleId: article.id });
    }
    return await reread({ ...core, db: tx }, caller, article.slug);
  });
}
