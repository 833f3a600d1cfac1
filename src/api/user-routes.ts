import { Hono } from 'hono';
import type { AppDeps } from '../app-types';
import { resendEmailConfirmation } from '../account-links/email-confirmation';
import { RegistrationClosed, signIn, signUp } from '../auth/use-cases';
import type { FieldErrors } from '../core';
import { callerOf } from '../lib/caller';
import { can } from '../roles/permissions';
import { TAKEN } from '../lib/messages';
import { findProfileNamed, followUser, unfollowUser } from '../profiles/use-cases';
import { findUserById } from '../users/queries';
import { changeSettings } from '../users/use-cases';
import { apiUser, requireApiUser } from './auth';
import { ApiError, notFound, unprocessable } from './errors';
import { readJson } from './json';
import { LoginBody, RegisterBody, UpdateUserBody } from './schemas';
import { profileJson, userJson } from './serialize';

/**
 * A use case's field errors as RealWorld answers them: a name taken by someone else is a 409; a
 * too-easy password comes first, as a 422 of just that, since the client must change it anyway.
 */
function refusal(errors: FieldErrors): ApiError {
  const invalid = Object.entries(errors).filter(([, messages]) => messages.some((message) => message !== TAKEN));
  return invalid.length > 0 ? unprocessable(Object.fromEntries(invalid)) : new ApiError(409, errors);
}

export function userApiRoutes(deps: AppDeps) {
  const { db } = deps;
  const app = new Hono();

  app.post('/users/login', async (c) => {
    const { user: input } = await readJson(c, LoginBody);
    const result = await signIn(deps, callerOf(c, 'api'), input);
    // a suspended account, once its password is right, is told why and until when; an account
    // with a second factor, once its password is right, needs `code` too (401 without or wrong)
    if (!result.ok) {
      if (result.errors['account']) throw new ApiError(403, { account: result.errors['account'] });
      if (result.errors['code']) throw new ApiError(401, { code: result.errors['code'] });
      throw new ApiError(401, { credentials: ['invalid'] });
    }
    return c.json(userJson(result.value.user, result.value.session.token));
  });

  app.post('/users', async (c) => {
    const { user: input } = await readJson(c, RegisterBody);
    let result: Awaited<ReturnType<typeof signUp>>;
    try {
      result = await signUp(deps, callerOf(c, 'api'), input);
    } catch (error) {
      // RealWorld's shape, saying why: {"errors":{"registration":["is closed on this site"]}}
      if (error instanceof RegistrationClosed) {
        throw new ApiError(403, { registration: [error.mode === 'closed' ? 'is closed on this site' : 'needs an invitation on this site'] });
      }
      throw error;
    }
    if (!result.ok) throw refusal(result.errors);
    const { user, session } = result.value;
    // a person who signs up is signed in at once; only the operator's sign-up (the CLI) is not
    return c.json(userJson(user, session!.token), 201);
  });

  app.get('/user', requireApiUser(), async (c) => {
    const { token, id } = apiUser(c);
    return c.json(userJson((await findUserById(db, id))!, token));
  });

  /**
   * Unlike the web settings form, this changes email or password with the token alone, as
   * RealWorld specifies; other sessions end when the password changes, the presented one stays.
   * A new email is not applied at once: the answer keeps the current one, and a confirmation link
   * goes to the new address (the change applies when it is followed).
   */
  app.put('/user', requireApiUser(), async (c) => {
    const { user: changes } = await readJson(c, UpdateUserBody);
    const result = await changeSettings(deps, callerOf(c, 'api'), {
      changes,
      requireCurrentPassword: false,
      currentSessionId: c.get('session')?.id ?? null,
    });
    if (!result.ok) throw refusal(result.errors);
    return c.json(userJson(result.value.user, apiUser(c).token));
  });

  /** Beyond RealWorld: sends the confirmation link again (to an address waiting to replace the account's, else to its own). */
  app.post('/user/confirmation', requireApiUser(), async (c) => {
    const result = await resendEmailConfirmation(deps, callerOf(c, 'api'));
    if (!result.ok) throw unprocessable(result.errors);
    return c.json({ confirmation: { sentTo: result.value.address } }, 202);
  });

  app.get('/profiles/:username', async (c) => {
    const profile = await findProfileNamed(deps, callerOf(c, 'api'), c.req.param('username'));
    return c.json({ profile: profileJson(profile) });
  });

  app.post('/profiles/:username/follow', requireApiUser(), async (c) => {
    const profile = await followUser(deps, callerOf(c, 'api'), { username: c.req.param('username') });
    return c.json({ profile: profileJson(profile) });
  });

  app.delete('/profiles/:username/follow', requireApiUser(), async (c) => {
    const profile = await unfollowUser(deps, callerOf(c, 'api'), { username: c.req.param('username') });
    return c.json({ profile: profileJson(profile) });
  });

  /** Beyond RealWorld: the public identity of a user by id. */
  app.get('/users/:id', async (c) => {
    const id = c.req.param('id');
    const user = /^[1-9][0-9]{0,15}$/.test(id) ? await findUserById(db, Number(id)) : null;
    // a suspended account's identity is gone with its profile (src/profiles/use-cases.ts)
    if (!user || (user.suspendedAt !== null && !can(callerOf(c, 'api'), 'content:see-hidden'))) throw notFound('user');
    return c.json({ id: user.id, username: user.username, bio: user.bio ?? null, image: user.image ?? null });
  });

  return app;
}
