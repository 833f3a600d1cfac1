/**
 * What a person does with comments: write one on an article they can see, and delete their own.
 */
import { NO_SUCH_ARTICLE } from '../articles/use-cases';
import { canDeleteComment } from '../articles/policy';
import { canSeeArticle, viewerOf } from '../articles/visibility';
import { Forbidden, NotFound, type Caller, type Core } from '../core';
import { transaction } from '../db/transaction';
import { signedInUser } from '../users/use-cases';
import * as queries from './queries';
import type { CommentedArticle, CommentView } from './queries';

export const NO_SUCH_COMMENT = 'That comment does not exist.';
export const ONLY_ITS_AUTHOR = 'Only its author can delete a comment.';

/** A comment's id as addresses write it: what is not one is no comment's. */
const COMMENT_ID = /^[1-9][0-9]{0,15}$/;

/**
 * The article at `slug` whose comments the caller may read and add to: one they can see, read
 * without its body, tags or counts (which no comment act needs). Doors that read a body after
 * finding the article call it first, so that a 404 comes before any complaint about the body.
 */
export async function findArticleToComment(core: Pick<Core, 'db'>, caller: Caller, slug: string): Promise<CommentedArticle> {
  const article = await queries.findArticleForComments(core.db, slug);
  if (!article || !canSeeArticle(viewerOf(caller), article)) throw new NotFound('article', NO_SUCH_ARTICLE);
  return article;
}

/**
 * The signed-in user comments on an article they can see. Spends the per-user comment limit:
 * only on a comment that will be saved (its body has passed the door, its article is there).
 */
export async function addComment(core: Core, caller: Caller, input: { slug: string; body: string }): Promise<CommentView> {
  const { db, clock, limits } = core;
  const authorId = signedInUser(caller);
  // a missing article answers 404 before the limit is spent; the limit is spent before the
  // transaction (see Limits.enforce), once, however many times the transaction runs
  await findArticleToComment(core, caller, input.slug);
  await limits.enforce('comments', authorId, clock(), caller.requestId ?? undefined);
  // checked again inside: the article cannot go between the check and the write
  return transaction(db, async (tx) => {
    const article = await findArticleToComment({ db: tx }, caller, input.slug);
    const id = await queries.addComment(tx, article.id, authorId, input.body, clock());
    return (await queries.findComment(tx, article.id, id, authorId))!;
  });
}

/**
 * The signed-in user deletes their own comment; no one else may, the article's author included.
 * `commentId` is as the address gives it: an id of no comment on this article is not found.
 */
export async function deleteComment(core: Core, caller: Caller, input: { slug: string; commentId: string }): Promise<void> {
  const userId = signedInUser(caller);
  await transaction(core.db, async (tx) => {
    const article = await findArticleToComment({ db: tx }, caller, input.slug);
    const comment = COMMENT_ID.test(input.commentId)
      ? await queries.findComment(tx, article.id, Number(input.commentId), userId)
      : null;
    if (!comment) throw new NotFound('comment', NO_SUCH_COMMENT);
    if (!canDeleteComment({ id: userId }, comment)) throw new Forbidden('comment', ONLY_ITS_AUTHOR);
    await queries.deleteComment(tx, article.id, comment.id);
  });
}
