import { Hono } from 'hono';
import { SessionsPage } from '../../views/pages/sessions-page';
import type { AppDeps } from '../app-types';
import { currentUser, requireUser } from '../auth/middleware';
import { listUserSessions } from '../auth/session';
import { revokeOtherSessions, revokeSession } from '../auth/use-cases';
import { callerOf } from '../lib/caller';
import { setFlash } from '../lib/flash';
import { describeUserAgent } from '../lib/user-agent';

/** The signed-in user's sessions: see them, end one, or end all but this one. */
export function sessionRoutes(deps: AppDeps) {
  const app = new Hono();

  app.get('/settings/sessions', requireUser(), async (c) => {
    const user = currentUser(c);
    const sessions = (await listUserSessions(deps.db, user.id, c.get('session')?.id ?? null, deps.clock())).map((session) => ({
      ...session,
      device: describeUserAgent(session.userAgent),
    }));
    return c.render(<SessionsPage sessions={sessions} />, { title: 'Your sessions' });
  });

  app.post('/settings/sessions/others/delete', requireUser(), async (c) => {
    await revokeOtherSessions(deps, callerOf(c, 'web'), { currentSessionId: c.get('session')?.id ?? null });
    setFlash(c, 'Signed out everywhere else.');
    return c.redirect('/settings/sessions', 303);
  });

  app.post('/settings/sessions/:handle/delete', requireUser(), async (c) => {
    // a handle that is not one of the user's own sessions is a 404 (NotFound, mapped by onError)
    await revokeSession(deps, callerOf(c, 'web'), { handle: c.req.param('handle') });
    setFlash(c, 'That session is signed out.');
    return c.redirect('/settings/sessions', 303);
  });

  return app;
}
