/** /admin/content and /admin/reports: hidden content, recent comments, the report queue. */
import type { HiddenArticle, ModeratedComment, Report } from '../../../src/moderation/reports';
import { RedirectTo } from '../../components/article-preview';
import { DateTime } from '../../components/date';
import { ErrorList, FieldError, fieldAria } from '../../components/errors';
import type { FormErrors } from '../../view-types';
import { AdminLayout, AdminPager, type AdminSection } from './admin-layout';

const articleHref = (slug: string) => `/article/${encodeURIComponent(slug)}`;
const commentBase = (comment: ModeratedComment) => `${articleHref(comment.articleSlug)}/comments/${comment.id}`;

function Why(props: { hidden: { cause: string; reason: string | null; at: Date }; by: string | null }) {
  return (
    <>
      {props.hidden.cause === 'suspension' ? 'Its author is suspended' : props.hidden.reason ?? ''}
      <div class="admin-details">
        {props.by ? `by ${props.by}, ` : ''}
        <DateTime date={props.hidden.at} />
      </div>
    </>
  );
}

function RestoreButton(props: { action: string; here: string; label: string; cause: string }) {
  if (props.cause === 'suspension') return <span class="admin-details">Comes back when the suspension is lifted</span>;
  return (
    <form method="post" action={props.action}>
      <RedirectTo here={props.here} />
      <button type="submit" class="btn btn-sm btn-outline-success">
        {props.label}
      </button>
    </form>
  );
}

export function AdminContentPage(props: {
  allowed: readonly AdminSection[];
  hiddenArticles: HiddenArticle[];
  hiddenComments: ModeratedComment[];
  recent: ModeratedComment[];
  page: number;
  pages: number;
  here: string;
}) {
  return (
    <AdminLayout current="/admin/content" heading="Content" allowed={props.allowed}>
      <h2>Hidden articles</h2>
      {props.hiddenArticles.length === 0 ? (
        <p>No article is hidden.</p>
      ) : (
        <table class="admin-table">
          <thead>
            <tr>
              <th scope="col">Article</th>
              <th scope="col">Author</th>
              <th scope="col">Why</th>
              <th scope="col">Action</th>
            </tr>
          </thead>
          <tbody>
            {props.hiddenArticles.map((article) => (
              <tr>
                <td>
                  <a href={articleHref(article.slug)}>{article.title}</a>
                </td>
                <td>{article.authorName}</td>
                <td>
                  <Why hidden={article.hidden} by={article.hiddenByName} />
                </td>
                <td>
                  <RestoreButton action={`${articleHref(article.slug)}/restore`} here={props.here} label={`Restore ${article.title}`} cause={article.hidden.cause} />
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      <h2>Hidden comments</h2>
      {props.hiddenComments.length === 0 ? (
        <p>No comment is hidden.</p>
      ) : (
        <table class="admin-table">
          <thead>
            <tr>
              <th scope="col">Comment</th>
              <th scope="col">Author</th>
              <th scope="col">Why</th>
              <th scope="col">Action</th>
            </tr>
          </thead>
          <tbody>
            {props.hiddenComments.map((comment) => (
              <tr>
                <td>
                  <a href={`${articleHref(comment.articleSlug)}#comment-${comment.id}`}>{comment.body}</a>
                  <div class="admin-details">on {comment.articleTitle}</div>
                </td>
                <td>{comment.authorName}</td>
                <td>
                  <Why hidden={comment.hidden!} by={comment.hiddenByName} />
                </td>
                <td>
                  <RestoreButton action={`${commentBase(comment)}/restore`} here={props.here} label="Restore comment" cause={comment.hidden!.cause} />
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      <h2>Recent comments</h2>
      {props.recent.length === 0 ? (
        <p>No comments yet.</p>
      ) : (
        <table class="admin-table">
          <thead>
            <tr>
              <th scope="col">Comment</th>
              <th scope="col">Author</th>
              <th scope="col">When</th>
              <th scope="col">Action</th>
            </tr>
          </thead>
          <tbody>
            {props.recent.map((comment) => (
              <tr id={`recent-${comment.id}`}>
                <td>
                  <a href={`${articleHref(comment.articleSlug)}#comment-${comment.id}`}>{comment.body}</a>
                  <div class="admin-details">on {comment.articleTitle}</div>
                </td>
                <td>{comment.authorName}</td>
                <td>
                  <DateTime date={comment.createdAt} />
                </td>
                <td>
                  {comment.hidden ? (
                    <span class="admin-details">Hidden</span>
                  ) : (
                    <form method="post" action={`${commentBase(comment)}/hide`} class="moderate-form">
                      <RedirectTo here={props.here} />
                      <label for={`hide-${comment.id}`}>Reason</label>{' '}
                      <input id={`hide-${comment.id}`} type="text" name="reason" required maxlength={500} />{' '}
                      <button type="submit" class="btn btn-sm btn-outline-warning">
                        Hide
                      </button>
                    </form>
                  )}
                  <form method="get" action={`${commentBase(comment)}/delete`}>
                    <RedirectTo here={props.here} />
                    <button type="submit" class="btn btn-sm btn-outline-danger">
                      Delete
                    </button>
                  </form>
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      <AdminPager page={props.page} pages={props.pages} href={(page) => `/admin/content?page=${page}`} />
    </AdminLayout>
  );
}

const KIND_LABEL: Record<string, string> = { article: 'Article', comment: 'Comment', user: 'Profile' };

function Target(props: { report: Report }) {
  const { report } = props;
  return (
    <>
      {KIND_LABEL[report.targetKind]}:{' '}
      {report.targetPath ? <a href={report.targetPath}>{report.targetLabel}</a> : <span>{report.targetLabel} (gone)</span>}
    </>
  );
}

/** The resolve form of one report: dismiss, hide with a reason, or delete (the target's kind allowing). */
export function ResolveForm(props: { report: Report; here: string; errors?: FormErrors; values?: { resolution: string; reason: string } }) {
  const { report } = props;
  const id = `resolve-${report.id}`;
  const actsOnContent = report.targetKind !== 'user' && report.targetPath !== null;
  const chosen = props.values?.resolution ?? 'dismiss';
  return (
    <form method="post" action={`/admin/reports/${report.id}/resolve`} class="resolve-form">
      <RedirectTo here={props.here} />
      <fieldset>
        <legend class="visually-hidden">Resolve report {report.id}</legend>
        <label>
          <input type="radio" name="resolution" value="dismiss" checked={chosen === 'dismiss'} /> Dismiss
        </label>{' '}
        {actsOnContent && (
          <>
            <label>
              <input type="radio" name="resolution" value="hide" checked={chosen === 'hide'} /> Hide it
            </label>{' '}
            <label>
              <input type="radio" name="resolution" value="delete" checked={chosen === 'delete'} /> Delete it
            </label>
          </>
        )}
      </fieldset>
      <label for={`${id}-reason`}>Reason or note (required to hide)</label>{' '}
      <input id={`${id}-reason`} type="text" name="reason" maxlength={500} value={props.values?.reason ?? ''} {...fieldAria(props.errors, 'reason')} />
      <FieldError errors={props.errors} name="reason" />{' '}
      <button type="submit" class="btn btn-sm btn-primary">
        Resolve
      </button>
    </form>
  );
}

export function AdminReportsPage(props: {
  allowed: readonly AdminSection[];
  state: 'open' | 'resolved';
  reports: Report[];
  page: number;
  pages: number;
  here: string;
}) {
  const open = props.state === 'open';
  return (
    <AdminLayout current="/admin/reports" heading="Reports" allowed={props.allowed}>
      <ul class="nav nav-pills outline-active admin-tabs">
        <li class="nav-item">
          <a class={open ? 'nav-link active' : 'nav-link'} href="/admin/reports" aria-current={open ? 'page' : undefined}>
            Open
          </a>
        </li>
        <li class="nav-item">
          <a class={open ? 'nav-link' : 'nav-link active'} href="/admin/reports?state=resolved" aria-current={open ? undefined : 'page'}>
            Resolved
          </a>
        </li>
      </ul>
      {props.reports.length === 0 ? (
        <p>{open ? 'No report is waiting.' : 'No report has been resolved yet.'}</p>
      ) : (
        <table class="admin-table">
          <thead>
            <tr>
              <th scope="col">Reported</th>
              <th scope="col">By</th>
              <th scope="col">Reason</th>
              <th scope="col">{open ? 'Resolve' : 'Resolved'}</th>
            </tr>
          </thead>
          <tbody>
            {props.reports.map((report) => (
              <tr id={`report-${report.id}`}>
                <td>
                  <Target report={report} />
                </td>
                <td>
                  {report.reporterName ?? 'a deleted account'}
                  <div class="admin-details">
                    <DateTime date={report.createdAt} />
                  </div>
                </td>
                <td>{report.reason}</td>
                <td>
                  {open ? (
                    <ResolveForm report={report} here={props.here} />
                  ) : (
                    <>
                      {report.resolution} by {report.resolvedByName ?? 'the operator'}
                      {report.resolutionNote && <div>{report.resolutionNote}</div>}
                      <div class="admin-details">{report.resolvedAt && <DateTime date={report.resolvedAt} />}</div>
                    </>
                  )}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      <AdminPager page={props.page} pages={props.pages} href={(page) => `/admin/reports?${open ? '' : 'state=resolved&'}page=${page}`} />
    </AdminLayout>
  );
}

/** One report, with its resolve form: where a refused resolution comes back with what was chosen. */
export function AdminReportPage(props: {
  allowed: readonly AdminSection[];
  report: Report;
  here: string;
  errors?: FormErrors;
  values?: { resolution: string; reason: string };
}) {
  const { report } = props;
  return (
    <AdminLayout current="/admin/reports" heading={`Report ${report.id}`} allowed={props.allowed}>
      <ErrorList errors={props.errors} />
      <p>
        <Target report={report} />
      </p>
      <p>
        Reported by {report.reporterName ?? 'a deleted account'} on <DateTime date={report.createdAt} />: {report.reason}
      </p>
      {report.resolvedAt === null ? (
        <ResolveForm report={report} here={props.here} errors={props.errors} values={props.values} />
      ) : (
        <p>
          Resolved ({report.resolution}) by {report.resolvedByName ?? 'the operator'}
          {report.resolutionNote ? `: ${report.resolutionNote}` : ''}.
        </p>
      )}
      {report.targetKind === 'article' && report.targetPath?.startsWith('/article/') && (
        <p>
          <a href={`/admin/media?article=${report.targetPath.slice('/article/'.length)}`}>Images in this article</a> (to remove one everywhere)
        </p>
      )}
      <p>
        <a href="/admin/reports">Back to the queue</a>
      </p>
    </AdminLayout>
  );
}
