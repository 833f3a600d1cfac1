/**
 * Moderation's pages: confirming a delete, hiding and restoring articles and comments, reporting
 * an article, a comment or a profile, and /admin/content and /admin/reports. Every one is a form
 * that works with JavaScript off, over the use cases of ./use-cases.ts (and the delete use cases).
 */
import { Hono, type Context } from 'hono';
import type { Child } from 'hono/jsx';
import { Quoted } from '../../views/components/typography';
import { HTTPException } from 'hono/http-exception';
import { AdminContentPage, AdminReportPage, AdminReportsPage } from '../../views/pages/admin/moderation-pages';
import { ConfirmDeletePage, ReasonFormPage } from '../../views/pages/moderation-pages';
import type { AppDeps } from '../app-types';
import { findArticleToDelete, findArticleToRead } from '../articles/use-cases';
import { requireUser } from '../auth/middleware';
import { findCommentToDelete } from '../comments/use-cases';
import type { FieldErrors, Outcome } from '../core';
import { allowedSections, requireAdminPermission } from '../admin/guard';
import { backTo } from '../lib/back';
import { callerOf } from '../lib/caller';
import { setFlash } from '../lib/flash';
import { errorsFromFields, field, readForm, type FormErrors } from '../lib/form';
import { parsePage } from '../lib/pagination';
import { safeRedirectPath } from '../lib/redirect';
import { herePath } from '../lib/render';
import { articlePath, profilePath } from '../paths';
import { findUserByUsername } from '../users/queries';
import { excerpt } from './labels';
import { CONTENT_PAGE_SIZE, findReport, listHiddenArticles, listHiddenComments, listRecentComments, REPORTS_PAGE_SIZE } from './reports';
import {
  ALREADY_REPORTED,
  createReport,
  findCommentToModerate,
  hideArticle,
  hideComment,
  listReportsFor,
  NO_SUCH_PROFILE,
  NO_SUCH_REPORT,
  resolveReport,
  restoreArticle,
  restoreComment,
} from './use-cases';
import { NotFound } from '../core';

const LABELS = { reason: 'Reason', resolution: 'Resolution', kind: 'Kind' };
export const REPORT_THANKS = 'Thanks, the moderators will look at it.';

const pages = (total: number, size: number) => Math.max(1, Math.ceil(total / size));

/** A refusal no form field can fix (restoring what a suspension hides): a 422 page saying why. */
function refuse(errors: FieldErrors): never {
  const message = Object.entries(errors)
    .map(([thing, messages]) => `This ${thing} ${messages.join(', ')}.`)
    .join(' ');
  throw new HTTPException(422, { message });
}

/** The redirectTo of a GET (a form's hidden field carried over to the confirmation page). */
const redirectQuery = (c: Context) => safeRedirectPath(c.req.query('redirectTo')) ?? undefined;

export function moderationRoutes(deps: AppDeps) {
  const app = new Hono();
  const web = (c: Context) => callerOf(c, 'web');
  const slugOf = (c: Context) => c.req.param('slug') ?? '';
  const commentOf = (c: Context) => ({ slug: slugOf(c), commentId: c.req.param('id') ?? '' });

  // -- confirmation before a delete (issue #16, point 10); the POSTs are the articles' and comments' own

  app.get('/article/:slug/delete', requireUser(), async (c) => {
    const article = await findArticleToDelete(deps, web(c), slugOf(c));
    return c.render(
      <ConfirmDeletePage heading="Delete this article?" action={`${articlePath(article.slug)}/delete`} button="Delete Article" cancel={articlePath(article.slug)}>
        <p>
          <Quoted>{article.title}</Quoted> by {article.author.username}, with its comments.
        </p>
      </ConfirmDeletePage>,
      { title: 'Delete article' },
    );
  });

  app.get('/article/:slug/comments/:id/delete', requireUser(), async (c) => {
    const { article, comment } = await findCommentToDelete(deps, web(c), commentOf(c));
    const back = redirectQuery(c) ?? articlePath(article.slug);
    return c.render(
      <ConfirmDeletePage
        heading="Delete this comment?"
        action={`${articlePath(article.slug)}/comments/${comment.id}/delete`}
        button="Delete comment"
        cancel={back}
        redirectTo={back}
      >
        <p>{comment.author.username} wrote:</p>
        <blockquote>{comment.body}</blockquote>
      </ConfirmDeletePage>,
      { title: 'Delete comment' },
    );
  });

  // -- hiding and restoring an article

  const hideArticlePage = async (c: Context, values?: { reason: string; errors: FormErrors; back?: string }) => {
    const article = await findArticleToRead(deps, web(c), slugOf(c));
    return c.render(
      <ReasonFormPage
        heading="Hide this article"
        action={`${articlePath(article.slug)}/hide`}
        label="Reason (shown to its author)"
        button="Hide article"
        cancel={articlePath(article.slug)}
        value={values?.reason}
        errors={values?.errors}
        redirectTo={values?.back}
      >
        <p>
          <Quoted>{article.title}</Quoted> by {article.author.username}. Only its author and moderators will see it until it is restored.
        </p>
      </ReasonFormPage>,
      { title: 'Hide article' },
    );
  };

  app.get('/article/:slug/hide', requireAdminPermission('article:hide:any'), (c) => hideArticlePage(c));

  app.post('/article/:slug/hide', requireUser(), async (c) => {
    const form = await readForm(c);
    const outcome = await hideArticle(deps, web(c), { slug: slugOf(c), reason: field(form, 'reason') });
    if (!outcome.ok) {
      c.status(422);
      return hideArticlePage(c, { reason: field(form, 'reason'), errors: errorsFromFields(outcome.errors, LABELS), back: backTo(form, '') || undefined });
    }
    setFlash(c, 'Article hidden.');
    return c.redirect(backTo(form, articlePath(outcome.value.slug)), 303);
  });

  app.post('/article/:slug/restore', requireUser(), async (c) => {
    const form = await readForm(c);
    const outcome = await restoreArticle(deps, web(c), { slug: slugOf(c) });
    if (!outcome.ok) refuse(outcome.errors);
    setFlash(c, 'Article restored.');
    return c.redirect(backTo(form, articlePath(outcome.value.slug)), 303);
  });

  // -- hiding and restoring a comment

  const hideCommentPage = async (c: Context, values?: { reason: string; errors: FormErrors; back?: string }) => {
    const comment = await findCommentToModerate(deps.db, web(c), commentOf(c));
    const back = values?.back ?? redirectQuery(c);
    return c.render(
      <ReasonFormPage
        heading="Hide this comment"
        action={`${articlePath(comment.articleSlug)}/comments/${comment.id}/hide`}
        label="Reason (shown to its author)"
        button="Hide comment"
        cancel={back ?? articlePath(comment.articleSlug)}
        value={values?.reason}
        errors={values?.errors}
        redirectTo={back}
      >
        <p>
          {comment.authorName} wrote, on <Quoted>{comment.articleTitle}</Quoted>:
        </p>
        <blockquote>{comment.body}</blockquote>
      </ReasonFormPage>,
      { title: 'Hide comment' },
    );
  };

  app.get('/article/:slug/comments/:id/hide', requireAdminPermission('comment:hide:any'), (c) => hideCommentPage(c));

  app.post('/article/:slug/comments/:id/hide', requireUser(), async (c) => {
    const form = await readForm(c);
    const outcome = await hideComment(deps, web(c), { ...commentOf(c), reason: field(form, 'reason') });
    if (!outcome.ok) {
      c.status(422);
      return hideCommentPage(c, { reason: field(form, 'reason'), errors: errorsFromFields(outcome.errors, LABELS), back: backTo(form, '') || undefined });
    }
    setFlash(c, 'Comment hidden.');
    return c.redirect(backTo(form, articlePath(outcome.value.articleSlug)), 303);
  });

  app.post('/article/:slug/comments/:id/restore', requireUser(), async (c) => {
    const form = await readForm(c);
    const outcome = await restoreComment(deps, web(c), commentOf(c));
    if (!outcome.ok) refuse(outcome.errors);
    setFlash(c, 'Comment restored.');
    return c.redirect(backTo(form, articlePath(outcome.value.articleSlug)), 303);
  });

  // -- reports: a form page for each kind of target; 303 back to it with thanks

  type ReportTarget = { kind: 'article' | 'comment' | 'user'; target: string; slug?: string; heading: string; what: Child; back: string };

  const reportTargetOf = async (c: Context, kind: ReportTarget['kind']): Promise<ReportTarget> => {
    const caller = web(c);
    if (kind === 'article') {
      const article = await findArticleToRead(deps, caller, slugOf(c));
      return { kind, target: article.slug, heading: 'Report this article', what: <><Quoted>{article.title}</Quoted> by {article.author.username}</>, back: articlePath(article.slug) };
    }
    if (kind === 'comment') {
      const comment = await findCommentToModerate(deps.db, caller, commentOf(c));
      return {
        kind,
        target: String(comment.id),
        slug: comment.articleSlug,
        heading: 'Report this comment',
        what: <>{comment.authorName} wrote: <Quoted>{excerpt(comment.body, 200)}</Quoted></>,
        back: articlePath(comment.articleSlug),
      };
    }
    const user = await findUserByUsername(deps.db, c.req.param('username') ?? '');
    if (!user) throw new NotFound('profile', NO_SUCH_PROFILE);
    return { kind, target: user.username, heading: 'Report this profile', what: `The profile of ${user.username}`, back: profilePath(user.username) };
  };

  const reportPage = (c: Context, target: ReportTarget, action: string, values?: { reason: string; errors: FormErrors }) =>
    c.render(
      <ReasonFormPage
        heading={target.heading}
        action={action}
        label="What is wrong with it?"
        button="Send report"
        cancel={target.back}
        value={values?.reason}
        errors={values?.errors}
      >
        <p>{target.what}</p>
        <p>The moderators will see your report, with your username.</p>
      </ReasonFormPage>,
      { title: target.heading },
    );

  const reportRoutes = (path: string, kind: ReportTarget['kind']) => {
    app.get(path, requireUser(), async (c) => reportPage(c, await reportTargetOf(c, kind), c.req.path));
    app.post(path, requireUser(), async (c) => {
      const target = await reportTargetOf(c, kind);
      const form = await readForm(c);
      const outcome: Outcome<unknown> = await createReport(deps, web(c), {
        kind,
        target: target.target,
        ...(target.slug !== undefined && { slug: target.slug }),
        reason: field(form, 'reason'),
      });
      if (!outcome.ok) {
        c.status(outcome.errors['report']?.includes(ALREADY_REPORTED) ? 409 : 422);
        return reportPage(c, target, c.req.path, { reason: field(form, 'reason'), errors: errorsFromFields(outcome.errors, LABELS) });
      }
      setFlash(c, REPORT_THANKS);
      return c.redirect(target.back, 303);
    });
  };
  reportRoutes('/article/:slug/report', 'article');
  reportRoutes('/article/:slug/comments/:id/report', 'comment');
  reportRoutes('/profile/:username/report', 'user');

  // -- /admin/content and /admin/reports

  app.get('/admin/content', requireAdminPermission('admin:view'), async (c) => {
    const page = parsePage(c);
    const [hiddenArticles, hiddenComments, recent] = await Promise.all([
      listHiddenArticles(deps.db),
      listHiddenComments(deps.db),
      listRecentComments(deps.db, page),
    ]);
    const count = pages(recent.total, CONTENT_PAGE_SIZE);
    if (page > count) return c.notFound();
    return c.render(
      <AdminContentPage
        allowed={allowedSections(c)}
        hiddenArticles={hiddenArticles}
        hiddenComments={hiddenComments}
        recent={recent.comments}
        page={page}
        pages={count}
        here={herePath(c)}
      />,
      { title: 'Content' },
    );
  });

  app.get('/admin/reports', requireAdminPermission('report:resolve'), async (c) => {
    const page = parsePage(c);
    const state = c.req.query('state') === 'resolved' ? 'resolved' : 'open';
    const { reports, total } = await listReportsFor(deps, web(c), { state, page });
    const count = pages(total, REPORTS_PAGE_SIZE);
    if (page > count) return c.notFound();
    return c.render(
      <AdminReportsPage allowed={allowedSections(c)} state={state} reports={reports} page={page} pages={count} here={herePath(c)} />,
      { title: 'Reports' },
    );
  });

  const reportPageOf = async (c: Context, values?: { resolution: string; reason: string; errors: FormErrors }) => {
    const id = c.req.param('id') ?? '';
    const report = /^[1-9][0-9]{0,15}$/.test(id) ? await findReport(deps.db, Number(id)) : null;
    if (!report) throw new NotFound('report', NO_SUCH_REPORT);
    return c.render(
      <AdminReportPage allowed={allowedSections(c)} report={report} here="/admin/reports" errors={values?.errors} values={values} />,
      { title: `Report ${report.id}` },
    );
  };

  app.get('/admin/reports/:id', requireAdminPermission('report:resolve'), (c) => reportPageOf(c));

  app.post('/admin/reports/:id/resolve', requireAdminPermission('report:resolve'), async (c) => {
    const form = await readForm(c);
    const values = { resolution: field(form, 'resolution'), reason: field(form, 'reason') };
    const outcome = await resolveReport(deps, web(c), { reportId: c.req.param('id') ?? '', resolution: values.resolution, note: values.reason });
    if (!outcome.ok) {
      c.status(422);
      return reportPageOf(c, { ...values, errors: errorsFromFields(outcome.errors, LABELS) });
    }
    setFlash(c, 'Report resolved.');
    return c.redirect(backTo(form, '/admin/reports'), 303);
  });

  return app;
}
