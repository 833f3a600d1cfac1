import { Hono } from 'hono';
import { HTTPException } from 'hono/http-exception';
import { SessionsPage } from '../../views/pages/sessions-page';
import type { AppDeps } from '../app-types';
import { currentUser, requireUser } from '../auth/middleware';
import { invalidateSessionByHandle, invalidateUserSessions, listUserSessions } from '../auth/session';
import { setFlash } from '../lib/flash';
import { describeUserAgent } from '../lib/user-agent';
import { logSecurityEvent } from '../security/audit';

/** The signed-in user's sessions: see them, end one, or end all but this one. */
export function sessionRoutes(deps: AppDeps) {
  const app = new Hono();

  app.get('/settings/sessions', requireUser(), (c) => {
    const user = currentUser(c);
    const sessions = listUserSessions(deps.db, user.id, c.get('session')?.id ?? null, deps.clock()).map((session) => ({
      ...session,
      device: describeUserAgent(session.userAgent),
    }));
    return c.render(<SessionsPage sessions={sessions} />, { title: 'Your sessions' });
  });

  app.post('/settings/sessions/others/delete', requireUser(), (c) => {
    const user = currentUser(c);
    invalidateUserSessions(deps.db, user.id, c.get('session')?.id);
    logSecurityEvent(c, deps.log, 'session.revoked', { scope: 'others' });
    setFlash(c, 'Signed out everywhere else.');
    return c.redirect('/settings/sessions', 303);
  });

  app.post('/settings/sessions/:handle/delete', requireUser(), (c) => {
    const user = currentUser(c);
    // only one's own sessions can be named; any other handle is simply not found
    if (!invalidateSessionByHandle(deps.db, user.id, c.req.param('handle'))) {
      throw new HTTPException(404, { message: 'That session does not exist (it may already have ended).' });
    }
    logSecurityEvent(c, deps.log, 'session.revoked', { scope: 'one' });
    setFlash(c, 'That session is signed out.');
    return c.redirect('/settings/sessions', 303);
  });

  return app;
}
