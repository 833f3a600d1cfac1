/**
 * /admin/users: the accounts, newest first, searchable by name or email, each with what the viewer
 * may do to it (change its role, suspend or unsuspend it, delete it after a confirmation page); the
 * owner also hands the site over from here. For admins and the owner (`user:suspend`); each form
 * calls one use case of src/accounts/use-cases.ts, which checks again.
 */
import { Hono, type Context } from 'hono';
import { AdminDeleteUserPage, AdminHandOverPage, AdminUsersPage, type FailedRowForm } from '../../views/pages/admin/users-page';
import { allowedSections, requireAdminPermission } from '../admin/guard';
import type { AppDeps } from '../app-types';
import { callerOf } from '../lib/caller';
import { setFlash } from '../lib/flash';
import { errorsFromFields, errorsFromZod, field, readForm, type FormErrors } from '../lib/form';
import { parsePage } from '../lib/pagination';
import { safeRedirectPath } from '../lib/redirect';
import { actingRole, assignableRoles, can, requirePermission, ROLE_LABELS, roleOf } from '../roles/permissions';
import { findUserNamed } from '../users/use-cases';
import { PLACEHOLDER_USERNAME } from './queries';
import { ACCOUNT_FIELD_LABELS, ROLE_IN_A_SENTENCE, RoleSchema, SuspendSchema } from './schemas';
import {
  canManage,
  changeRole,
  deleteUser,
  findAccountToDelete,
  listAccountsFor,
  suspendUser,
  transferOwnership,
  unsuspendUser,
} from './use-cases';

const USERS = '/admin/users';

/** Where a row's form returns: the list as it was (its search and page), never elsewhere. */
function backToList(form: Record<string, string | string[]>): string {
  const back = safeRedirectPath(field(form, 'redirectTo'));
  return back && (back === USERS || back.startsWith(`${USERS}?`)) ? back : USERS;
}

export function accountAdminRoutes(deps: AppDeps) {
  const app = new Hono();
  const caller = (c: Context) => callerOf(c, 'web');
  const username = (c: Context) => c.req.param('username') ?? '';

  app.use(USERS, requireAdminPermission('user:suspend'));
  app.use(`${USERS}/*`, requireAdminPermission('user:suspend'));

  /** The list; also shown again (422) by a row's form that failed, with what was typed. */
  const showList = async (c: Context, query: { search: string; page: number }, failed?: FailedRowForm) => {
    const who = caller(c);
    const { accounts, total, pages } = await listAccountsFor(deps, who, { page: query.page, ...(query.search && { search: query.search }) });
    if (query.page > pages) return c.notFound();
    const handsOver = can(who, 'owner:transfer');
    const items = accounts.map((account) => ({
      ...account,
      roleLabel: ROLE_LABELS[roleOf(account.role)],
      manageable: canManage(who, account),
      canHandOver: handsOver && account.id !== who.userId && account.username !== PLACEHOLDER_USERNAME && account.suspendedAt === null,
    }));
    const assignable = assignableRoles(actingRole(who)).map((role) => ({ value: role, label: ROLE_LABELS[role] }));
    const back = `${USERS}?${new URLSearchParams({ ...(query.search && { q: query.search }), page: String(query.page) })}`;
    return c.render(
      <AdminUsersPage
        allowed={allowedSections(c)}
        accounts={items}
        total={total}
        page={query.page}
        pages={pages}
        search={query.search}
        assignable={assignable}
        back={back}
        failed={failed}
      />,
      { title: 'Users' },
    );
  };

  /** The list again, as the failed form's redirectTo named it, with the row's errors. */
  const showFailure = async (c: Context, form: Record<string, string | string[]>, failed: FailedRowForm) => {
    const back = new URL(backToList(form), 'http://x');
    const page = Number(back.searchParams.get('page') ?? '1');
    c.status(422);
    return showList(c, { search: (back.searchParams.get('q') ?? '').trim(), page: Number.isInteger(page) && page > 0 ? page : 1 }, failed);
  };

  app.get(USERS, async (c) => {
    const search = (c.req.query('q') ?? '').trim().slice(0, 254);
    return showList(c, { search, page: parsePage(c) });
  });

  app.post(`${USERS}/:username/role`, async (c) => {
    const form = await readForm(c);
    const parsed = RoleSchema.safeParse(field(form, 'role'));
    if (!parsed.success) {
      const errors = errorsFromFields({ role: [parsed.error.issues[0]!.message] }, ACCOUNT_FIELD_LABELS);
      return showFailure(c, form, { username: username(c), form: 'role', values: {}, errors });
    }
    const change = await changeRole(deps, caller(c), { username: username(c), role: parsed.data });
    setFlash(
      c,
      change.changed
        ? `${change.user.username} is now ${ROLE_IN_A_SENTENCE[change.to]}.`
        : `${change.user.username} is already ${ROLE_IN_A_SENTENCE[change.to]}: nothing changed.`,
    );
    return c.redirect(backToList(form), 303);
  });

  app.post(`${USERS}/:username/suspend`, async (c) => {
    const form = await readForm(c);
    const values = { until: field(form, 'until'), reason: field(form, 'reason') };
    const parsed = SuspendSchema.safeParse(values);
    const failure = (errors: FormErrors) => showFailure(c, form, { username: username(c), form: 'suspend', values, errors });
    if (!parsed.success) return failure(errorsFromZod(parsed.error, ACCOUNT_FIELD_LABELS));
    const outcome = await suspendUser(deps, caller(c), { username: username(c), ...parsed.data });
    if (!outcome.ok) return failure(errorsFromFields(outcome.errors, ACCOUNT_FIELD_LABELS));
    setFlash(c, `${outcome.value.user.username} is suspended; their sessions have ended and their articles and comments are hidden.`);
    return c.redirect(backToList(form), 303);
  });

  app.post(`${USERS}/:username/unsuspend`, async (c) => {
    const form = await readForm(c);
    const outcome = await unsuspendUser(deps, caller(c), { username: username(c) });
    if (!outcome.ok) {
      // "alice is not suspended"
      const errors = errorsFromFields(outcome.errors, { user: username(c) });
      return showFailure(c, form, { username: username(c), form: 'unsuspend', values: {}, errors });
    }
    setFlash(c, `${outcome.value.user.username} is no longer suspended; their articles and comments are back.`);
    return c.redirect(backToList(form), 303);
  });

  app.get(`${USERS}/:username/delete`, async (c) => {
    const { user, articles, comments } = await findAccountToDelete(deps, caller(c), username(c));
    return c.render(
      <AdminDeleteUserPage allowed={allowedSections(c)} username={user.username} articles={articles} comments={comments} placeholder={PLACEHOLDER_USERNAME} />,
      { title: `Delete ${user.username}?` },
    );
  });

  app.post(`${USERS}/:username/delete`, async (c) => {
    const form = await readForm(c);
    const keep = field(form, 'keepContent');
    if (keep !== 'yes' && keep !== 'no') {
      const { user, articles, comments } = await findAccountToDelete(deps, caller(c), username(c));
      c.status(422);
      return c.render(
        <AdminDeleteUserPage
          allowed={allowedSections(c)}
          username={user.username}
          articles={articles}
          comments={comments}
          placeholder={PLACEHOLDER_USERNAME}
          errors={{ list: ['Choose whether to keep what the account wrote.'], fields: {} }}
        />,
        { title: `Delete ${user.username}?` },
      );
    }
    const deleted = await deleteUser(deps, caller(c), { username: username(c), keepContent: keep === 'yes' });
    setFlash(
      c,
      deleted.keptContent
        ? `${deleted.username} is deleted; their articles and comments are kept under ${PLACEHOLDER_USERNAME}.`
        : `${deleted.username} is deleted, with their articles and comments.`,
    );
    return c.redirect(USERS, 303);
  });

  app.get(`${USERS}/:username/ownership`, async (c) => {
    requirePermission(caller(c), 'owner:transfer');
    // the name as the account spells it, or the 404 of a name nobody has; the handover checks the rest
    const user = await findUserNamed(deps.db, username(c));
    return c.render(<AdminHandOverPage allowed={allowedSections(c)} username={user.username} />, { title: 'Hand over ownership' });
  });

  app.post(`${USERS}/:username/ownership`, async (c) => {
    const { owner } = await transferOwnership(deps, caller(c), { username: username(c) });
    setFlash(c, `${owner.username} is now the owner; you are an admin.`);
    return c.redirect(USERS, 303);
  });

  return app;
}
