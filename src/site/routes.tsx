/**
 * /admin/settings and /admin/pages (JS-off forms), and the pages themselves at /SLUG: the
 * catch-all, mounted after every other route (src/app.tsx) so that it never hides one.
 */
import { Hono, type Context } from 'hono';
import { AdminDeletePagePage, AdminPageFormPage, AdminPagesPage, type PageFormValues } from '../../views/pages/admin/pages-page';
import { AdminSettingsPage, type SettingsFormValues } from '../../views/pages/admin/settings-page';
import { SiteCounts, SitePage } from '../../views/pages/site-page';
import type { AppDeps } from '../app-types';
import { allowedSections, requireAdminPermission } from '../admin/guard';
import { countListed } from '../articles/queries';
import { NotFound } from '../core';
import { callerOf } from '../lib/caller';
import { can } from '../roles/permissions';
import { setFlash } from '../lib/flash';
import { errorsFromFields, field, formError, readForm, type FormErrors } from '../lib/form';
import { createPage, deletePage, findPageById, findPageBySlug, listPages, NO_SUCH_PAGE, PAGE_FIELD_LABELS, updatePage, type SitePage as Page } from './pages';
import { changeSiteSettings, SETTING_LABELS, type SettingsChanges, type SiteSettings } from './settings';

/** The links setting as the form's textarea shows it: "Label | address", one a line. */
export const navLinksText = (links: SiteSettings['navLinks']) => links.map((link) => `${link.label} | ${link.url}`).join('\n');

/** The textarea back to links; a line that is not "Label | address" is left for the schema to refuse. */
export function parseNavLinksText(text: string): Array<{ label: string; url: string }> | string {
  const links: Array<{ label: string; url: string }> = [];
  const lines = text.split(/\r?\n/).map((line) => line.trim()).filter(Boolean);
  for (const [index, line] of lines.entries()) {
    const bar = line.lastIndexOf('|');
    if (bar < 0) return `line ${index + 1} must be "Label | address"`;
    links.push({ label: line.slice(0, bar).trim(), url: line.slice(bar + 1).trim() });
  }
  return links;
}

const formValuesOf = (settings: SiteSettings): SettingsFormValues => ({
  title: settings.title,
  description: settings.description,
  navLinks: navLinksText(settings.navLinks),
  registration: settings.registration,
  comments: settings.comments ? 'on' : 'off',
  newAccountArticlesPerDay: String(settings.newAccountArticlesPerDay),
  newAccountCommentsPerDay: String(settings.newAccountCommentsPerDay),
  requireStaffTwoFactor: settings.requireStaffTwoFactor ? 'on' : 'off',
  unconfirmedMayWrite: settings.unconfirmedMayWrite ? 'on' : 'off',
});

/** "on"/"off" as a boolean; nothing sent keeps the setting; anything else for the schema to refuse. */
const onOff = (text: string): boolean | string | undefined => (text === 'on' ? true : text === 'off' ? false : text === '' ? undefined : text);

/** A whole number as typed, or the text itself for the schema to refuse ("must be a whole number"). */
const wholeNumber = (text: string): number | string => (/^\s*\d{1,9}\s*$/.test(text) ? Number(text) : text);

export function siteAdminRoutes(deps: AppDeps) {
  const app = new Hono();

  const renderSettings = (c: Context, values: SettingsFormValues, errors?: FormErrors) =>
    c.render(
      <AdminSettingsPage
        allowed={allowedSections(c)}
        values={values}
        errors={errors}
        ownerOnlyEditable={can(callerOf(c, 'web'), 'settings:staff-two-factor')}
      />,
      { title: 'Site settings' },
    );

  app.get('/admin/settings', requireAdminPermission('settings:edit'), async (c) =>
    renderSettings(c, formValuesOf((await deps.reads.site()).settings)),
  );

  app.post('/admin/settings', requireAdminPermission('settings:edit'), async (c) => {
    const form = await readForm(c);
    const values: SettingsFormValues = {
      title: field(form, 'title'),
      description: field(form, 'description'),
      navLinks: field(form, 'navLinks'),
      registration: field(form, 'registration'),
      comments: field(form, 'comments'),
      newAccountArticlesPerDay: field(form, 'newAccountArticlesPerDay'),
      newAccountCommentsPerDay: field(form, 'newAccountCommentsPerDay'),
      // the owner's alone: an admin's form has it disabled, and a form without it changes nothing
      requireStaffTwoFactor: field(form, 'requireStaffTwoFactor'),
      unconfirmedMayWrite: field(form, 'unconfirmedMayWrite'),
    };
    const links = parseNavLinksText(values.navLinks);
    if (typeof links === 'string') {
      c.status(422);
      return renderSettings(c, values, formError('navLinks', `Navigation links: ${links}`));
    }
    const changes: Partial<Record<keyof SettingsChanges, unknown>> = {
      title: values.title,
      description: values.description,
      navLinks: links,
      registration: values.registration,
      comments: values.comments === 'on' ? true : values.comments === 'off' ? false : values.comments,
      newAccountArticlesPerDay: wholeNumber(values.newAccountArticlesPerDay),
      newAccountCommentsPerDay: wholeNumber(values.newAccountCommentsPerDay),
      ...(values.requireStaffTwoFactor !== '' && {
        requireStaffTwoFactor: values.requireStaffTwoFactor === 'on' ? true : values.requireStaffTwoFactor === 'off' ? false : values.requireStaffTwoFactor,
      }),
      // a form from before this setting existed leaves it as it is
      unconfirmedMayWrite: onOff(values.unconfirmedMayWrite),
    };
    const result = await changeSiteSettings(deps, callerOf(c, 'web'), { changes: changes as SettingsChanges });
    if (!result.ok) {
      c.status(422);
      // a form that could not change the owner's setting shows it as it is
      const shown = values.requireStaffTwoFactor === '' ? { ...values, requireStaffTwoFactor: formValuesOf((await deps.reads.site()).settings).requireStaffTwoFactor } : values;
      return renderSettings(c, shown, errorsFromFields(labelled(result.errors), {}));
    }
    setFlash(c, result.value.changed.length === 0 ? 'Nothing to change.' : 'Settings saved.');
    return c.redirect('/admin/settings', 303);
  });

  const renderPageForm = (c: Context, id: number | null, values: PageFormValues, errors?: FormErrors) =>
    c.render(<AdminPageFormPage allowed={allowedSections(c)} id={id} values={values} errors={errors} />, {
      title: id === null ? 'New page' : 'Edit page',
    });

  const pageFormValues = (form: Awaited<ReturnType<typeof readForm>>): PageFormValues => ({
    title: field(form, 'title'),
    slug: field(form, 'slug'),
    body: field(form, 'body'),
    placement: field(form, 'placement'),
    position: field(form, 'position') || '0',
  });
  const pageInput = (values: PageFormValues) => ({ ...values, position: wholeNumber(values.position) });
  const pageErrors = (errors: Record<string, string[]>) => errorsFromFields(errors, PAGE_FIELD_LABELS);

  const requirePageAt = async (c: Context): Promise<Page> => {
    const page = await findPageById(deps.db, c.req.param('id')!);
    if (!page) throw new NotFound('page', NO_SUCH_PAGE);
    return page;
  };

  app.get('/admin/pages', requireAdminPermission('page:edit'), async (c) =>
    c.render(<AdminPagesPage allowed={allowedSections(c)} pages={await listPages(deps.db)} />, { title: 'Pages' }),
  );

  app.get('/admin/pages/new', requireAdminPermission('page:edit'), (c) =>
    renderPageForm(c, null, { title: '', slug: '', body: '', placement: 'footer', position: '0' }),
  );

  app.post('/admin/pages', requireAdminPermission('page:edit'), async (c) => {
    const values = pageFormValues(await readForm(c));
    const result = await createPage(deps, callerOf(c, 'web'), pageInput(values));
    if (!result.ok) {
      c.status(422);
      return renderPageForm(c, null, values, pageErrors(result.errors));
    }
    setFlash(c, `Page "${result.value.title}" created at /${result.value.slug}.`);
    return c.redirect('/admin/pages', 303);
  });

  app.get('/admin/pages/:id/edit', requireAdminPermission('page:edit'), async (c) => {
    const page = await requirePageAt(c);
    return renderPageForm(c, page.id, { ...page, position: String(page.position) });
  });

  app.post('/admin/pages/:id', requireAdminPermission('page:edit'), async (c) => {
    const page = await requirePageAt(c);
    const values = pageFormValues(await readForm(c));
    const result = await updatePage(deps, callerOf(c, 'web'), { id: page.id, page: pageInput(values) });
    if (!result.ok) {
      c.status(422);
      return renderPageForm(c, page.id, values, pageErrors(result.errors));
    }
    setFlash(c, `Page "${result.value.title}" saved.`);
    return c.redirect('/admin/pages', 303);
  });

  // the confirmation a click on "Delete" leads to, without JavaScript
  app.get('/admin/pages/:id/delete', requireAdminPermission('page:edit'), async (c) =>
    c.render(<AdminDeletePagePage allowed={allowedSections(c)} page={await requirePageAt(c)} />, { title: 'Delete page' }),
  );

  app.post('/admin/pages/:id/delete', requireAdminPermission('page:edit'), async (c) => {
    const page = await deletePage(deps, callerOf(c, 'web'), { id: c.req.param('id') });
    setFlash(c, `Page "${page.title}" deleted.`);
    return c.redirect('/admin/pages', 303);
  });

  return app;
}

/** Setting errors keyed by the form's field, with the setting's label in front. */
function labelled(errors: Record<string, string[]>): Record<string, string[]> {
  const out: Record<string, string[]> = {};
  for (const [key, messages] of Object.entries(errors)) {
    const label = SETTING_LABELS[key as keyof typeof SETTING_LABELS];
    out[key] = messages.map((message) => (label ? `${label} ${message}` : message));
  }
  return out;
}

/** The pages at /SLUG: mounted last, before the app's not-found answer. */
export function sitePageRoutes(deps: AppDeps) {
  const app = new Hono();
  app.get('/:slug{[a-z0-9]+(?:-[a-z0-9]+)*}', async (c) => {
    const page = await findPageBySlug(deps.db, c.req.param('slug'));
    if (!page) return c.notFound();
    // /about keeps the line it always had: how many people write here
    const counts = page.slug === 'about' ? await countListed(deps.db) : null;
    return c.render(
      <SitePage title={page.title} html={page.bodyHtml}>
        {counts && <SiteCounts counts={counts} />}
      </SitePage>,
      { title: page.title, meta: { description: firstParagraph(page.bodyHtml) } },
    );
  });
  return app;
}

/** A page's meta description: its first paragraph as text (the layout falls back to the site's). */
function firstParagraph(html: string): string {
  const match = /<p>([\s\S]*?)<\/p>/.exec(html);
  if (!match) return '';
  const text = match[1]!
    .replace(/<[^>]*>/g, '')
    .replace(/&lt;/g, '<')
    .replace(/&gt;/g, '>')
    .replace(/&quot;/g, '"')
    .replace(/&#39;/g, "'")
    .replace(/&amp;/g, '&')
    .replace(/\s+/g, ' ')
    .trim();
  return text.length > 300 ? `${text.slice(0, 297)}...` : text;
}
