/**
 * /settings/data (export one's data as a zip), /settings/delete (delete one's account, after a
 * confirmation page), and /admin/users/:username/export (an admin exports a member's data).
 */
import { Hono, type Context } from 'hono';
import { DeleteAccountPage, YourDataPage } from '../../views/pages/your-data-pages';
import { PLACEHOLDER_USERNAME } from '../accounts/queries';
import { requireAdminPermission } from '../admin/guard';
import type { AppDeps } from '../app-types';
import { deleteSessionCookie, requireUser } from '../auth/middleware';
import { PASSWORD_MAX_LENGTH } from '../auth/password';
import { callerOf } from '../lib/caller';
import { setFlash } from '../lib/flash';
import { errorsFromFields, field, formError, readForm, refusalFormErrors, type FormErrors } from '../lib/form';
import { TooManyRequests } from '../security/limits';
import { deleteOwnAccount, exportAccountData, findOwnAccountToDelete, type AccountExport } from './use-cases';

const LABELS: Record<string, string> = { password: 'Password', code: 'Code' };

/** The zip as a download: streamed, never cached. */
function download(c: Context, exported: AccountExport): Response {
  return c.body(exported.stream, 200, {
    'content-type': 'application/zip',
    'content-disposition': `attachment; filename="${exported.filename}"`,
    'cache-control': 'no-store',
  });
}

export function yourDataRoutes(deps: AppDeps) {
  const app = new Hono();

  const showDataPage = (c: Context, errors?: FormErrors) => c.render(<YourDataPage errors={errors} />, { title: 'Your data' });

  app.get('/settings/data', requireUser(), (c) => showDataPage(c));

  app.post('/settings/data/export', requireUser(), async (c) => {
    try {
      return download(c, await exportAccountData(deps, callerOf(c, 'web')));
    } catch (error) {
      if (!(error instanceof TooManyRequests)) throw error;
      return showDataPage(c, refusalFormErrors(c, error));
    }
  });

  const showDeletePage = async (c: Context, values: { keepContent?: string } = {}, errors?: FormErrors) => {
    const found = await findOwnAccountToDelete(deps, callerOf(c, 'web'));
    return c.render(
      <DeleteAccountPage
        username={found.user.username}
        articles={found.articles}
        comments={found.comments}
        isOwner={found.isOwner}
        twoFactor={found.twoFactor}
        placeholder={PLACEHOLDER_USERNAME}
        keepContent={values.keepContent}
        errors={errors}
      />,
      { title: 'Delete your account' },
    );
  };

  app.get('/settings/delete', requireUser(), (c) => showDeletePage(c));

  app.post('/settings/delete', requireUser(), async (c) => {
    const form = await readForm(c);
    const keepContent = field(form, 'keepContent');
    if (keepContent !== 'yes' && keepContent !== 'no') {
      c.status(422);
      return showDeletePage(c, {}, formError('keepContent', 'Choose whether to delete your articles or keep them.'));
    }
    let result: Awaited<ReturnType<typeof deleteOwnAccount>>;
    try {
      result = await deleteOwnAccount(deps, callerOf(c, 'web'), {
        password: field(form, 'password').slice(0, PASSWORD_MAX_LENGTH),
        code: field(form, 'code').slice(0, 64),
        keepContent: keepContent === 'yes',
      });
    } catch (error) {
      return showDeletePage(c, { keepContent }, refusalFormErrors(c, error));
    }
    if (!result.ok) {
      c.status(422);
      return showDeletePage(c, { keepContent }, errorsFromFields(result.errors, LABELS));
    }
    deleteSessionCookie(c);
    setFlash(
      c,
      result.value.keptContent
        ? `Your account is deleted. Your articles stay, under the name ${PLACEHOLDER_USERNAME}.`
        : 'Your account is deleted, with your articles.',
    );
    return c.redirect('/', 303);
  });

  app.post('/admin/users/:username/export', requireAdminPermission('user:suspend'), async (c) =>
    download(c, await exportAccountData(deps, callerOf(c, 'web'), { username: c.req.param('username') })),
  );

  return app;
}
