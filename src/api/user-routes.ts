import { Hono } from 'hono';
import type { AppDeps } from '../app-types';
import { hashPassword, verifyPassword, verifyPasswordAgainstNobody } from '../auth/password';
import { weakPasswordMessage } from '../auth/password-strength';
import { createSession, invalidateUserSessions } from '../auth/session';
import { loggableEmail, logSecurityEvent } from '../security/audit';
import { findProfile, followUser, unfollowUser } from '../profiles/queries';
import {
  createUser,
  findUserByEmail,
  findUserById,
  isEmailTaken,
  isUsernameTaken,
  updateUser,
  type UserChanges,
} from '../users/queries';
import { apiUser, requireApiUser } from './auth';
import { ApiError, notFound, unprocessable, type ApiErrors } from './errors';
import { readJson } from './json';
import { LoginBody, RegisterBody, UpdateUserBody } from './schemas';
import { profileJson, userJson } from './serialize';

export function userApiRoutes(deps: AppDeps) {
  const { db, clock } = deps;
  const app = new Hono();

  const conflicts = (username: string | undefined, email: string | undefined, exceptId?: number) => {
    const errors: ApiErrors = {};
    if (username !== undefined && isUsernameTaken(db, username, exceptId)) errors['username'] = ['has already been taken'];
    if (email !== undefined && isEmailTaken(db, email, exceptId)) errors['email'] = ['has already been taken'];
    if (Object.keys(errors).length > 0) throw new ApiError(409, errors);
  };

  /** 422 for a common password, as on the web forms, unless BLOCK_COMMON_PASSWORDS=false. */
  const refuseWeakPassword = async (password: string, context: string[]) => {
    const weak = await weakPasswordMessage(password, context, deps.env.BLOCK_COMMON_PASSWORDS);
    if (weak) throw unprocessable({ password: [weak] });
  };

  app.post('/users/login', async (c) => {
    const { user: input } = await readJson(c, LoginBody);
    // the same back-off as the sign-in form, before any password work
    deps.limits.checkSignin(c.get('clientIp'), input.email, clock(), c.get('requestId'));
    const user = findUserByEmail(db, input.email);
    const valid = user
      ? await verifyPassword(user.passwordHash, input.password)
      : await verifyPasswordAgainstNobody(input.password);
    deps.limits.recordSignin(c.get('clientIp'), input.email, Boolean(user && valid), clock());
    if (!user || !valid) {
      logSecurityEvent(c, deps.log, 'signin.failure', { email: loggableEmail(input.email), knownEmail: Boolean(user), via: 'api' });
      throw new ApiError(401, { credentials: ['invalid'] });
    }
    logSecurityEvent(c, deps.log, 'signin.success', { userId: user.id, via: 'api' });
    const { token } = createSession(db, user.id, { now: clock(), userAgent: c.req.header('user-agent') });
    return c.json(userJson(user, token));
  });

  app.post('/users', async (c) => {
    const { user: input } = await readJson(c, RegisterBody);
    await refuseWeakPassword(input.password, [input.username, input.email]);
    conflicts(input.username, input.email);
    deps.limits.enforce('signup', c.get('clientIp'), clock(), c.get('requestId'));
    const user = createUser(
      db,
      { username: input.username, email: input.email, passwordHash: await hashPassword(input.password) },
      clock(),
    );
    const { token } = createSession(db, user.id, { now: clock(), userAgent: c.req.header('user-agent') });
    logSecurityEvent(c, deps.log, 'signup', { userId: user.id, via: 'api' });
    return c.json(userJson(user, token), 201);
  });

  app.get('/user', requireApiUser(), (c) => {
    const { token, id } = apiUser(c);
    return c.json(userJson(findUserById(db, id)!, token));
  });

  /**
   * Unlike the web settings form, this changes email or password with the token alone, as
   * RealWorld specifies; other sessions end when the password changes, the presented one stays.
   */
  app.put('/user', requireApiUser(), async (c) => {
    const current = apiUser(c);
    const { user: input } = await readJson(c, UpdateUserBody);
    if (input.password !== undefined) {
      await refuseWeakPassword(input.password, [input.username ?? current.username, input.email ?? current.email]);
    }
    conflicts(input.username, input.email, current.id);
    const changes: UserChanges = {};
    if (input.username !== undefined) changes.username = input.username;
    if (input.email !== undefined) changes.email = input.email;
    if (input.bio !== undefined) changes.bio = input.bio;
    if (input.image !== undefined) changes.image = input.image;
    if (input.password !== undefined) changes.passwordHash = await hashPassword(input.password);
    const updated = updateUser(db, current.id, changes, clock());
    if (input.password !== undefined) {
      invalidateUserSessions(db, current.id, c.get('session')?.id);
      logSecurityEvent(c, deps.log, 'password.changed', { via: 'api' });
    }
    return c.json(userJson(updated, current.token));
  });

  app.get('/profiles/:username', (c) => {
    const profile = findProfile(db, c.req.param('username'), c.get('user')?.id ?? null);
    if (!profile) throw notFound('profile');
    return c.json({ profile: profileJson(profile) });
  });

  app.post('/profiles/:username/follow', requireApiUser(), (c) => {
    const user = apiUser(c);
    const profile = findProfile(db, c.req.param('username'), user.id);
    if (!profile) throw notFound('profile');
    deps.limits.enforce('follows', user.id, clock(), c.get('requestId'));
    followUser(db, user.id, profile.id, clock());
    return c.json({ profile: profileJson({ ...profile, following: profile.id !== user.id }) });
  });

  app.delete('/profiles/:username/follow', requireApiUser(), (c) => {
    const user = apiUser(c);
    const profile = findProfile(db, c.req.param('username'), user.id);
    if (!profile) throw notFound('profile');
    unfollowUser(db, user.id, profile.id);
    return c.json({ profile: profileJson({ ...profile, following: false }) });
  });

  /** Beyond RealWorld: the public identity of a user by id. */
  app.get('/users/:id', (c) => {
    const id = c.req.param('id');
    const user = /^[1-9][0-9]{0,15}$/.test(id) ? findUserById(db, Number(id)) : null;
    if (!user) throw notFound('user');
    return c.json({ id: user.id, username: user.username, bio: user.bio ?? null, image: user.image ?? null });
  });

  return app;
}
