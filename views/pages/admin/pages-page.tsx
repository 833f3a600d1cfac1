import type { SitePage } from '../../../src/site/pages';
import { DateTime } from '../../components/date';
import { ErrorList, FieldError, fieldAria } from '../../components/errors';
import { Field } from '../../components/field';
import type { FormErrors } from '../../view-types';
import { AdminLayout, type AdminSection } from './admin-layout';

const PLACEMENT_LABELS: Record<string, string> = { nav: 'the navigation bar', footer: 'the footer', none: 'no menu (linked by hand)' };

export function AdminPagesPage(props: { allowed: readonly AdminSection[]; pages: SitePage[] }) {
  return (
    <AdminLayout current="/admin/pages" heading="Pages" allowed={props.allowed}>
      <p>
        <a class="btn btn-primary" href="/admin/pages/new">
          New page
        </a>
      </p>
      {props.pages.length === 0 ? (
        <p>There are no pages yet.</p>
      ) : (
        <table class="admin-table">
          <thead>
            <tr>
              <th scope="col">Title</th>
              <th scope="col">Address</th>
              <th scope="col">Shown in</th>
              <th scope="col">Changed</th>
              <th scope="col">Actions</th>
            </tr>
          </thead>
          <tbody>
            {props.pages.map((page) => (
              <tr>
                <td>{page.title}</td>
                <td>
                  <a href={`/${page.slug}`}>/{page.slug}</a>
                </td>
                <td>
                  {PLACEMENT_LABELS[page.placement]} ({page.position})
                </td>
                <td>
                  <DateTime date={page.updatedAt} />
                </td>
                <td>
                  <a href={`/admin/pages/${page.id}/edit`}>Edit {page.title}</a>{' '}
                  <a href={`/admin/pages/${page.id}/delete`}>Delete {page.title}</a>
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </AdminLayout>
  );
}

export type PageFormValues = { title: string; slug: string; body: string; placement: string; position: string };

export function AdminPageFormPage(props: {
  allowed: readonly AdminSection[];
  /** null: a new page */
  id: number | null;
  values: PageFormValues;
  errors?: FormErrors;
}) {
  const { values, errors } = props;
  return (
    <AdminLayout current="/admin/pages" heading={props.id === null ? 'New page' : `Edit page: ${values.title}`} allowed={props.allowed}>
      <ErrorList errors={errors} />
      <form method="post" action={props.id === null ? '/admin/pages' : `/admin/pages/${props.id}`} novalidate>
        <Field name="title" label="Title" value={values.title} errors={errors} attributes={{ required: true, maxlength: 100 }} />
        <Field name="slug" label="Address" value={values.slug} errors={errors} attributes={{ required: true, maxlength: 60 }}
          hint={<p class="form-hint">The page is at /address: lowercase letters, digits and hyphens (terms, code-of-conduct).</p>} />
        <Field name="body" label="Text" value={values.body} errors={errors} multiline rows={14}
          hint={<p class="form-hint">Markdown, as in articles.</p>} />
        <fieldset class="form-group">
          <label for="placement">Shown in</label>
          <select id="placement" name="placement" class="form-control" {...fieldAria(errors, 'placement')}>
            {(['nav', 'footer', 'none'] as const).map((value) => (
              <option value={value} selected={values.placement === value}>
                {PLACEMENT_LABELS[value]}
              </option>
            ))}
          </select>
          <FieldError errors={errors} name="placement" />
        </fieldset>
        <Field name="position" label="Position" type="number" value={values.position} errors={errors}
          attributes={{ min: 0, max: 1000 }} hint={<p class="form-hint">Lower comes first among the links.</p>} />
        <button type="submit" class="btn btn-primary">
          {props.id === null ? 'Create page' : 'Save page'}
        </button>
      </form>
    </AdminLayout>
  );
}

export function AdminDeletePagePage(props: { allowed: readonly AdminSection[]; page: SitePage }) {
  return (
    <AdminLayout current="/admin/pages" heading={`Delete page: ${props.page.title}`} allowed={props.allowed}>
      <p>
        Delete the page <strong>{props.page.title}</strong> at <a href={`/${props.page.slug}`}>/{props.page.slug}</a>? Its address will
        answer "not found". This cannot be undone.
      </p>
      <form method="post" action={`/admin/pages/${props.page.id}/delete`}>
        <button type="submit" class="btn btn-danger">
          Delete this page
        </button>{' '}
        <a href="/admin/pages">Keep it</a>
      </form>
    </AdminLayout>
  );
}
