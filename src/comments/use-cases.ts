/**
 * What a person does with comments: write one on an article they can see, and delete one they may
 * (their own, one under their article, or any if they moderate: src/articles/policy.ts).
 */
import { NO_SUCH_ARTICLE, refuseIfHiddenFor } from '../articles/use-cases';
import { actsOnOthers, canDeleteComment } from '../articles/policy';
import { canSeeArticle, canSeeComment, viewerOf } from '../articles/visibility';
import { recordAudit } from '../audit/log';
import { excerpt } from '../moderation/labels';
import { Forbidden, NotFound, type Caller, type Core } from '../core';
import { transaction } from '../db/transaction';
import { requireConfirmedEmail } from '../account-links/email-confirmation';
import { enforceNewAccountLimit, refuseFilledHoneypot, SpamRefused } from '../site/spam';
import { activeSignedInUser, signedInUser } from '../users/use-cases';
import { notify } from '../notifications/use-cases';
import * as queries from './queries';
import type { CommentedArticle, CommentView } from './queries';

export const COMMENTS_OFF = 'Comments are turned off on this site.';

/** The site's owner turned comments off (site settings): every door answers 403 with why. */
export class CommentsOff extends Forbidden {
  constructor() {
    super('comments', COMMENTS_OFF);
  }
}

export const NO_SUCH_COMMENT = 'That comment does not exist.';
export const ONLY_ITS_AUTHOR = 'Only its author, the author of the article or a moderator can delete a comment.';

/** A comment's id as addresses write it: what is not one is no comment's. */
export const COMMENT_ID = /^[1-9][0-9]{0,15}$/;

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
export async function addComment(
  core: Core,
  caller: Caller,
  input: { slug: string; body: string; /** the form's honeypot field (src/site/spam.ts) */ honeypot?: string },
): Promise<CommentView> {
  const { db, clock, limits } = core;
  const authorId = await activeSignedInUser(db, caller);
  if (!(await core.reads.site()).settings.comments) throw new CommentsOff();
  // a missing article answers 404 before the limit is spent; the limit is spent before the
  // transaction (see Limits.enforce), once, however many times the transaction runs
  refuseIfHiddenFor(caller, await findArticleToComment(core, caller, input.slug));
  if (await refuseFilledHoneypot(core, caller, { honeypot: input.honeypot, form: 'comment' })) throw new SpamRefused();
  await requireConfirmedEmail(core, caller, 'comment');
  await enforceNewAccountLimit(core, caller, 'comments');
  await limits.enforce('comments', authorId, clock(), caller.requestId ?? undefined);
  // checked again inside: the article cannot go between the check and the write
  return transaction(db, async (tx) => {
    const article = await findArticleToComment({ db: tx }, caller, input.slug);
    refuseIfHiddenFor(caller, article);
    const now = clock();
    const id = await queries.addComment(tx, article.id, authorId, input.body, now);
    // the article's author is told (not of their own comment: recordNotification's rule)
    await notify(core, tx, { recipientId: article.author.id, kind: 'comment', actorId: authorId, articleId: article.id, commentId: id }, now);
    return (await queries.findComment(tx, article.id, id, authorId))!;
  });
}

/**
 * The comment `commentId` under the article at `slug`, as the caller may see it: an id of no
 * comment on this article, or a hidden comment they may not see, is not found.
 */
export async function findCommentToRead(
  core: Pick<Core, 'db'>,
  caller: Caller,
  input: { slug: string; commentId: string },
): Promise<{ article: CommentedArticle; comment: CommentView }> {
  const article = await findArticleToComment(core, caller, input.slug);
  const comment = COMMENT_ID.test(input.commentId)
    ? await queries.findComment(core.db, article.id, Number(input.commentId), caller.userId)
    : null;
  if (!comment || !canSeeComment(viewerOf(caller), comment)) throw new NotFound('comment', NO_SUCH_COMMENT);
  return { article, comment };
}

/** The same, if the caller may delete it (also the read of the confirmation page). */
export async function findCommentToDelete(
  core: Pick<Core, 'db'>,
  caller: Caller,
  input: { slug: string; commentId: string },
): Promise<{ article: CommentedArticle; comment: CommentView }> {
  signedInUser(caller);
  const found = await findCommentToRead(core, caller, input);
  if (!canDeleteComment(caller, found.comment, found.article)) throw new Forbidden('comment', ONLY_ITS_AUTHOR);
  return found;
}

/**
 * The signed-in user deletes a comment they may delete: their own, one under their own article, or
 * any if they moderate. Deleting someone else's goes to the audit log in the same transaction.
 */
export async function deleteComment(
  core: Core,
  caller: Caller,
  input: { slug: string; commentId: string; reason?: string | null },
): Promise<void> {
  await transaction(core.db, async (tx) => {
    const { article, comment } = await findCommentToDelete({ db: tx }, caller, input);
    await queries.deleteComment(tx, article.id, comment.id);
    if (actsOnOthers(caller, comment)) {
      await recordAudit(
        tx,
        caller,
        {
          action: 'comment.delete',
          target: { kind: 'comment', id: comment.id, label: excerpt(comment.body) },
          reason: input.reason ?? null,
          details: { author: comment.author.username, article: article.slug },
        },
        core.clock(),
      );
    }
  });
}
