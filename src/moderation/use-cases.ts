/**
 * What moderators do to content and what readers do about it: hide and restore articles and
 * comments (with a reason shown to their authors), report an article, a comment or a profile, and
 * resolve reports. Each checks its permission (src/roles/permissions.ts) and writes its audit entry
 * in the same transaction as the act. Hiding is a change of visibility (./queries.ts): every list,
 * feed, count and cached page follows by itself.
 */
import { type ZodType } from 'zod';
import { deleteArticle, findArticleToRead } from '../articles/use-cases';
import { canSeeComment, viewerOf } from '../articles/visibility';
import { recordAudit } from '../audit/log';
import { COMMENT_ID, deleteComment, NO_SUCH_COMMENT } from '../comments/use-cases';
import { fail, NotFound, succeed, type Caller, type Core, type FieldErrors, type Outcome } from '../core';
import { transaction } from '../db/transaction';
import { violatesUniqueIndex } from '../db/engine';
import { requirePermission } from '../roles/permissions';
import { findUserByUsername } from '../users/queries';
import { signedInUser } from '../users/use-cases';
import { excerpt } from './labels';
import { setArticleHidden, setCommentHidden, type Hiding } from './queries';
import * as reports from './reports';
import type { ModeratedComment, Report, ReportKind } from './reports';
import { NoteSchema, ReasonSchema, RESOLVED_AS, ResolutionSchema, ReportKindSchema, type Resolution } from './schemas';

export const SUSPENSION_HIDES_IT = 'is hidden because its author is suspended: lift the suspension instead';
export const ALREADY_REPORTED = 'You have already reported this; the moderators will look at it.';
export const TOO_MANY_OPEN_REPORTS = 'You have many reports waiting for the moderators; please wait until they have looked at them.';
export const NO_SUCH_REPORT = 'That report does not exist.';
export const NO_SUCH_PROFILE = 'There is no such profile.';

/** A reader may have this many reports open at once, and send this many a day: reporting is no flood. */
export const MAX_OPEN_REPORTS = 20;
export const MAX_REPORTS_PER_DAY = 50;
const DAY_MS = 24 * 60 * 60 * 1000;

/** The value, or the field errors of `field`, in RealWorld's words. */
function parse<T>(schema: ZodType<T>, value: unknown, field: string): { ok: true; value: T } | { ok: false; errors: FieldErrors } {
  const parsed = schema.safeParse(value);
  if (parsed.success) return { ok: true, value: parsed.data };
  return { ok: false, errors: { [field]: [parsed.error.issues[0]?.message ?? 'is invalid'] } };
}

/** A moderator's hiding now: an already hidden item keeps when it was hidden, and takes the new reason. */
const moderation = (caller: Caller, now: number, reason: string, already: { at: Date; cause: string } | null): Hiding => ({
  at: already?.cause === 'moderation' ? already.at : new Date(now),
  cause: 'moderation',
  reason,
  byId: caller.userId,
});

export async function hideArticle(core: Core, caller: Caller, input: { slug: string; reason: unknown }): Promise<Outcome<{ slug: string }>> {
  requirePermission(caller, 'article:hide:any');
  const reason = parse(ReasonSchema, input.reason, 'reason');
  if (!reason.ok) return fail(reason.errors);
  return transaction(core.db, async (tx) => {
    const article = await findArticleToRead({ db: tx }, caller, input.slug);
    const now = core.clock();
    await setArticleHidden(tx, article.id, moderation(caller, now, reason.value, article.hidden));
    await recordAudit(
      tx,
      caller,
      { action: 'article.hide', target: { kind: 'article', id: article.id, label: article.title }, reason: reason.value, details: { author: article.author.username, slug: article.slug } },
      now,
    );
    return succeed({ slug: article.slug });
  });
}

export async function restoreArticle(core: Core, caller: Caller, input: { slug: string }): Promise<Outcome<{ slug: string }>> {
  requirePermission(caller, 'article:hide:any');
  return transaction(core.db, async (tx) => {
    const article = await findArticleToRead({ db: tx }, caller, input.slug);
    if (article.hidden === null) return succeed({ slug: article.slug });
    if (article.hidden.cause === 'suspension') return fail({ article: [SUSPENSION_HIDES_IT] });
    const now = core.clock();
    await setArticleHidden(tx, article.id, null);
    await recordAudit(
      tx,
      caller,
      { action: 'article.restore', target: { kind: 'article', id: article.id, label: article.title }, details: { author: article.author.username, slug: article.slug } },
      now,
    );
    return succeed({ slug: article.slug });
  });
}

/**
 * A comment by its id as addresses give it, under `slug` when the door names its article: one the
 * caller may see (with its article), or not found.
 */
export async function findCommentToModerate(db: Core['db'], caller: Caller, input: { commentId: string; slug?: string }): Promise<ModeratedComment> {
  const comment = COMMENT_ID.test(input.commentId) ? await reports.findModeratedComment(db, Number(input.commentId)) : null;
  const visible =
    comment !== null &&
    (input.slug === undefined || comment.articleSlug === input.slug) &&
    canSeeComment(viewerOf(caller), { author: { id: comment.authorId }, hidden: comment.hidden });
  if (!visible) throw new NotFound('comment', NO_SUCH_COMMENT);
  // the article must be one the caller may open too (a hidden article's comments are a moderator's)
  await findArticleToRead({ db }, caller, comment.articleSlug);
  return comment;
}

type CommentInput = { commentId: string; slug?: string };

export async function hideComment(core: Core, caller: Caller, input: CommentInput & { reason: unknown }): Promise<Outcome<ModeratedComment>> {
  requirePermission(caller, 'comment:hide:any');
  const reason = parse(ReasonSchema, input.reason, 'reason');
  if (!reason.ok) return fail(reason.errors);
  return transaction(core.db, async (tx) => {
    const comment = await findCommentToModerate(tx, caller, input);
    const now = core.clock();
    await setCommentHidden(tx, comment.id, moderation(caller, now, reason.value, comment.hidden));
    await recordAudit(
      tx,
      caller,
      { action: 'comment.hide', target: { kind: 'comment', id: comment.id, label: excerpt(comment.body) }, reason: reason.value, details: { author: comment.authorName, article: comment.articleSlug } },
      now,
    );
    return succeed((await reports.findModeratedComment(tx, comment.id))!);
  });
}

export async function restoreComment(core: Core, caller: Caller, input: CommentInput): Promise<Outcome<ModeratedComment>> {
  requirePermission(caller, 'comment:hide:any');
  return transaction(core.db, async (tx) => {
    const comment = await findCommentToModerate(tx, caller, input);
    if (comment.hidden === null) return succeed(comment);
    if (comment.hidden.cause === 'suspension') return fail({ comment: [SUSPENSION_HIDES_IT] });
    const now = core.clock();
    await setCommentHidden(tx, comment.id, null);
    await recordAudit(
      tx,
      caller,
      { action: 'comment.restore', target: { kind: 'comment', id: comment.id, label: excerpt(comment.body) }, details: { author: comment.authorName, article: comment.articleSlug } },
      now,
    );
    return succeed((await reports.findModeratedComment(tx, comment.id))!);
  });
}

export type ReportInput = {
  kind: unknown;
  /** an article's slug, a comment's id, a username */
  target: string;
  /** the article a comment is under, when the door names it (the pages do) */
  slug?: string;
  reason: unknown;
};

/** What a report names: the target's id and how the queue labels it, as the reporter may see it. */
async function findReportTarget(db: Core['db'], caller: Caller, kind: ReportKind, input: ReportInput): Promise<{ id: number; label: string; authorId: number }> {
  if (kind === 'article') {
    const article = await findArticleToRead({ db }, caller, input.target);
    return { id: article.id, label: article.title, authorId: article.author.id };
  }
  if (kind === 'comment') {
    const comment = await findCommentToModerate(db, caller, { commentId: input.target, ...(input.slug !== undefined && { slug: input.slug }) });
    return { id: comment.id, label: excerpt(comment.body), authorId: comment.authorId };
  }
  const user = await findUserByUsername(db, input.target);
  if (!user) throw new NotFound('profile', NO_SUCH_PROFILE);
  return { id: user.id, label: user.username, authorId: user.id };
}

/**
 * A signed-in reader reports an article, a comment or a profile, with a reason, for the
 * moderators' queue. One open report per reader and target (a second is answered kindly, also
 * when two arrive at once: the unique index decides); a reader's open and daily reports are capped.
 */
export async function createReport(core: Core, caller: Caller, input: ReportInput): Promise<Outcome<{ id: number; kind: ReportKind; targetId: number }>> {
  const reporterId = signedInUser(caller);
  const kind = parse(ReportKindSchema, input.kind, 'kind');
  if (!kind.ok) return fail(kind.errors);
  const reason = parse(ReasonSchema, input.reason, 'reason');
  // the target first: one that is not there is a 404 whatever the reason says
  const target = await findReportTarget(core.db, caller, kind.value, input);
  if (!reason.ok) return fail(reason.errors);
  if (target.authorId === reporterId) return fail({ report: [`You cannot report your own ${kind.value === 'user' ? 'profile' : kind.value}.`] });
  try {
    return await transaction(core.db, async (tx) => {
      const found = await findReportTarget(tx, caller, kind.value, input);
      if ((await reports.findOpenReport(tx, reporterId, kind.value, found.id)) !== null) return fail({ report: [ALREADY_REPORTED] });
      const now = core.clock();
      const counts = await reports.countReportsBy(tx, reporterId, new Date(now - DAY_MS));
      if (counts.open >= MAX_OPEN_REPORTS || counts.recent >= MAX_REPORTS_PER_DAY) return fail({ report: [TOO_MANY_OPEN_REPORTS] });
      const id = await reports.insertReport(tx, { reporterId, kind: kind.value, targetId: found.id, targetLabel: found.label, reason: reason.value, now });
      return succeed({ id, kind: kind.value, targetId: found.id });
    });
  } catch (error) {
    // two at once: the other one's insert won
    if (violatesUniqueIndex(error, 'reports_one_open_per_reporter')) return fail({ report: [ALREADY_REPORTED] });
    throw error;
  }
}

export type ResolveInput = { reportId: string; resolution: unknown; note?: unknown };

/**
 * A moderator resolves a report: dismisses it, or hides or deletes what it names (through the use
 * cases above and the delete use cases, in one transaction). Every open report on the same target
 * is resolved with it; who resolved, when and how is recorded on them and in the audit log.
 */
export async function resolveReport(core: Core, caller: Caller, input: ResolveInput): Promise<Outcome<Report>> {
  requirePermission(caller, 'report:resolve');
  const resolution = parse(ResolutionSchema, input.resolution, 'resolution');
  if (!resolution.ok) return fail(resolution.errors);
  const note = parse(resolution.value === 'hide' ? ReasonSchema : NoteSchema, input.note ?? '', 'reason');
  if (!note.ok) return fail(note.errors);
  const id = /^[1-9][0-9]{0,15}$/.test(input.reportId) ? Number(input.reportId) : null;
  return transaction(core.db, async (tx) => {
    const report = id === null ? null : await reports.findReport(tx, id);
    if (!report) throw new NotFound('report', NO_SUCH_REPORT);
    if (report.resolvedAt !== null) return fail({ report: ['has already been resolved'] });
    const acted = await act(core, tx, caller, report, resolution.value, note.value);
    if (!acted.ok) return acted;
    const now = core.clock();
    const closed = await reports.resolveReportsOn(
      tx,
      { kind: report.targetKind, id: report.targetId },
      { byId: caller.userId, as: RESOLVED_AS[resolution.value], note: note.value === '' ? null : note.value, now },
    );
    await recordAudit(
      tx,
      caller,
      {
        action: 'report.resolve',
        target: { kind: 'report', id: report.id, label: `${report.targetKind}: ${report.targetLabel}` },
        reason: note.value === '' ? null : note.value,
        details: { resolution: RESOLVED_AS[resolution.value], reports: closed },
      },
      now,
    );
    return succeed((await reports.findReport(tx, report.id))!);
  });
}

const GONE = (kind: string) => `Its ${kind} no longer exists: dismiss the report.`;

async function act(core: Core, tx: Core['db'], caller: Caller, report: Report, resolution: Resolution, note: string): Promise<Outcome<null>> {
  if (resolution === 'dismiss') return succeed(null);
  const inTx: Core = { ...core, db: tx };
  if (report.targetKind === 'user') {
    return fail({ resolution: ['A reported profile is dismissed here; suspend or delete the account from its page in /admin/users.'] });
  }
  if (report.targetKind === 'article') {
    const slug = await reports.findArticleSlug(tx, report.targetId);
    if (slug === null) return fail({ report: [GONE('article')] });
    if (resolution === 'delete') {
      await deleteArticle(inTx, caller, { slug, reason: note === '' ? null : note });
      return succeed(null);
    }
    const hidden = await hideArticle(inTx, caller, { slug, reason: note });
    return hidden.ok ? succeed(null) : hidden;
  }
  const comment = await reports.findModeratedComment(tx, report.targetId);
  if (comment === null) return fail({ report: [GONE('comment')] });
  if (resolution === 'delete') {
    await deleteComment(inTx, caller, { slug: comment.articleSlug, commentId: String(comment.id), reason: note === '' ? null : note });
    return succeed(null);
  }
  const hidden = await hideComment(inTx, caller, { commentId: String(comment.id), reason: note });
  return hidden.ok ? succeed(null) : hidden;
}

/** The report queue or the resolved reports, for /admin/reports and GET /api/admin/reports. */
export async function listReportsFor(core: Pick<Core, 'db'>, caller: Caller, options: { state: reports.ReportState; page: number }) {
  requirePermission(caller, 'report:resolve');
  return reports.listReports(core.db, options);
}

