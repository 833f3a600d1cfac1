/**
 * Moderation over the JSON API (issue #16, point 12): hide and restore, report, the report queue
 * and its resolution. Token auth as every endpoint (src/api/auth.ts), RealWorld-style errors; the
 * same use cases as the pages. Documented in src/api/openapi.json.
 */
import { Hono, type Context } from 'hono';
import { z } from 'zod';
import type { AppDeps } from '../app-types';
import type { Outcome } from '../core';
import { requireApiUser } from '../api/auth';
import { ApiError } from '../api/errors';
import { readJson } from '../api/json';
import { callerOf } from '../lib/caller';
import type { ModeratedComment, Report } from './reports';
import { ALREADY_REPORTED, createReport, hideArticle, hideComment, listReportsFor, resolveReport, restoreArticle, restoreComment } from './use-cases';

/** Shapes only: the use cases say what a reason or a resolution may be. */
const ReasonBody = z.object({ reason: z.unknown().optional() }).optional();
const ReportBody = z.object({
  report: z.object({ kind: z.unknown(), target: z.union([z.string(), z.number()]).transform(String), reason: z.unknown() }),
});
const ResolveBody = z.object({ resolution: z.unknown(), reason: z.unknown().optional() });
const PAGE = /^[1-9][0-9]{0,5}$/;

/** A refused outcome as RealWorld's error body: 409 for a second report of the same thing, else 422. */
function valueOf<T>(outcome: Outcome<T>): T {
  if (outcome.ok) return outcome.value;
  const conflict = outcome.errors['report']?.includes(ALREADY_REPORTED);
  throw new ApiError(conflict ? 409 : 422, outcome.errors);
}

const hiddenJson = (hidden: { at: Date; cause: string; reason: string | null } | null) =>
  hidden && { at: hidden.at.toISOString(), cause: hidden.cause, reason: hidden.reason };

const moderatedCommentJson = (comment: ModeratedComment) => ({
  id: comment.id,
  body: comment.body,
  createdAt: comment.createdAt.toISOString(),
  author: comment.authorName,
  article: comment.articleSlug,
  hidden: hiddenJson(comment.hidden),
});

export const reportJson = (report: Report) => ({
  id: report.id,
  kind: report.targetKind,
  targetId: report.targetId,
  target: report.targetLabel,
  targetPath: report.targetPath,
  reason: report.reason,
  reporter: report.reporterName,
  createdAt: report.createdAt.toISOString(),
  resolvedAt: report.resolvedAt?.toISOString() ?? null,
  resolvedBy: report.resolvedByName,
  resolution: report.resolution,
  resolutionNote: report.resolutionNote,
});

export function moderationApiRoutes(deps: AppDeps) {
  const app = new Hono();
  const caller = (c: Context) => callerOf(c, 'api');

  app.post('/admin/articles/:slug/hide', requireApiUser(), async (c) => {
    const body = await readJson(c, ReasonBody);
    const { slug } = valueOf(await hideArticle(deps, caller(c), { slug: c.req.param('slug'), reason: body?.reason ?? '' }));
    return c.json({ article: { slug, hidden: true } });
  });

  app.post('/admin/articles/:slug/restore', requireApiUser(), async (c) => {
    const { slug } = valueOf(await restoreArticle(deps, caller(c), { slug: c.req.param('slug') }));
    return c.json({ article: { slug, hidden: false } });
  });

  app.post('/admin/comments/:id/hide', requireApiUser(), async (c) => {
    const body = await readJson(c, ReasonBody);
    const comment = valueOf(await hideComment(deps, caller(c), { commentId: c.req.param('id'), reason: body?.reason ?? '' }));
    return c.json({ comment: moderatedCommentJson(comment) });
  });

  app.post('/admin/comments/:id/restore', requireApiUser(), async (c) => {
    const comment = valueOf(await restoreComment(deps, caller(c), { commentId: c.req.param('id') }));
    return c.json({ comment: moderatedCommentJson(comment) });
  });

  app.post('/reports', requireApiUser(), async (c) => {
    const { report } = await readJson(c, ReportBody);
    const created = valueOf(await createReport(deps, caller(c), report));
    return c.json({ report: { id: created.id, kind: created.kind, targetId: created.targetId } }, 201);
  });

  app.get('/admin/reports', requireApiUser(), async (c) => {
    const state = c.req.query('state') ?? 'open';
    const page = c.req.query('page') ?? '1';
    if (state !== 'open' && state !== 'resolved') throw new ApiError(422, { state: ['must be open or resolved'] });
    if (!PAGE.test(page)) throw new ApiError(422, { page: ['must be a positive whole number'] });
    const { reports, total } = await listReportsFor(deps, caller(c), { state, page: Number(page) });
    return c.json({ reports: reports.map(reportJson), reportsCount: total });
  });

  app.post('/admin/reports/:id/resolve', requireApiUser(), async (c) => {
    const body = await readJson(c, ResolveBody);
    const report = valueOf(await resolveReport(deps, caller(c), { reportId: c.req.param('id'), resolution: body.resolution, note: body.reason }));
    return c.json({ report: reportJson(report) });
  });

  return app;
}
