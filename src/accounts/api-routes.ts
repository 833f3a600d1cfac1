/**
 * /api/admin/users: account administration for API clients, over the same use cases as
 * /admin/users and `quire user` (src/accounts/use-cases.ts). Errors are RealWorld's shape:
 * 401 without a token, 403 `{"errors":{"user":["forbidden"]}}` for what the token's role may not
 * do, 404 for no such account, 422 for a body that does not fit.
 */
import { Hono, type Context } from 'hono';
import { z } from 'zod';
import type { AppDeps } from '../app-types';
import { requireApiUser } from '../api/auth';
import { ApiError, unprocessable } from '../api/errors';
import { readJson } from '../api/json';
import type { Outcome } from '../core';
import type { User } from '../db/schema';
import { callerOf } from '../lib/caller';
import { isOwner } from '../roles/permissions';
import type { AccountRow } from './queries';
import { NOT_A_DATE, ReasonSchema, RoleSchema, UntilSchema } from './schemas';
import { changeRole, deleteUser, listAccountsFor, suspendUser, transferOwnership, unsuspendUser } from './use-cases';

const RoleBody = z.object({ role: RoleSchema }, { error: 'must be a JSON object with a role' });
const SuspendBody = z.object({ until: z.string({ error: NOT_A_DATE }).nullish().transform((v) => v ?? undefined).pipe(UntilSchema), reason: ReasonSchema }, {
  error: 'must be a JSON object with a reason',
});
const ListQuery = z.object({
  q: z.string().max(254, 'is too long (maximum is 254 characters)').optional(),
  role: RoleSchema.optional(),
  page: z.string().regex(/^[1-9][0-9]{0,6}$/, 'must be a whole number, 1 or more').transform(Number).optional(),
});

/** An account as the API shows it to admins: never its password hash or sessions. */
export function accountJson(user: AccountRow | User) {
  return {
    username: user.username,
    email: user.email,
    role: user.role,
    createdAt: user.createdAt.toISOString(),
    suspension:
      user.suspendedAt === null
        ? null
        : { since: user.suspendedAt.toISOString(), until: user.suspendedUntil?.toISOString() ?? null, reason: user.suspensionReason },
  };
}

function answer<T>(outcome: Outcome<T>): T {
  if (!outcome.ok) throw unprocessable(outcome.errors);
  return outcome.value;
}

export function accountApiRoutes(deps: AppDeps) {
  const app = new Hono();
  const caller = (c: Context) => callerOf(c, 'api');
  const username = (c: Context) => c.req.param('username') ?? '';

  app.use('/admin/users', requireApiUser());
  app.use('/admin/users/*', requireApiUser());

  app.get('/admin/users', async (c) => {
    const parsed = ListQuery.safeParse(c.req.query());
    if (!parsed.success) throw unprocessable(Object.fromEntries(parsed.error.issues.map((issue) => [String(issue.path[0] ?? 'query'), [issue.message]])));
    const { q, role, page = 1 } = parsed.data;
    const search = q?.trim();
    const list = await listAccountsFor(deps, caller(c), { page, ...(search && { search }), ...(role && { role }) });
    return c.json({ users: list.accounts.map(accountJson), usersCount: list.total, page, pages: list.pages });
  });

  // the owner role is handed over (the old owner becomes an admin); any other is given
  app.put('/admin/users/:username/role', async (c) => {
    const { role } = await readJson(c, RoleBody);
    if (isOwner(role)) {
      const { owner } = await transferOwnership(deps, caller(c), { username: username(c) });
      return c.json({ user: accountJson(owner) });
    }
    const { user } = await changeRole(deps, caller(c), { username: username(c), role });
    return c.json({ user: accountJson(user) });
  });

  app.post('/admin/users/:username/suspend', async (c) => {
    const { until, reason } = await readJson(c, SuspendBody);
    const { user } = answer(await suspendUser(deps, caller(c), { username: username(c), until, reason }));
    return c.json({ user: accountJson(user) });
  });

  app.post('/admin/users/:username/unsuspend', async (c) => {
    const { user } = answer(await unsuspendUser(deps, caller(c), { username: username(c) }));
    return c.json({ user: accountJson(user) });
  });

  app.delete('/admin/users/:username', async (c) => {
    const keep = c.req.query('keepContent');
    if (keep !== undefined && keep !== 'true' && keep !== 'false') throw new ApiError(422, { keepContent: ['must be true or false'] });
    await deleteUser(deps, caller(c), { username: username(c), keepContent: keep === 'true' });
    return c.body(null, 204);
  });

  return app;
}
