import { Hono } from 'hono';
import type { AppDeps } from '../app-types';
import { requireApiUser } from '../api/auth';
import { unprocessable } from '../api/errors';
import { callerOf } from '../lib/caller';
import { countUnread } from './queries';
import { listMyNotifications, markNotificationsRead } from './use-cases';

const PAGE = /^[1-9][0-9]{0,6}$/;

/** The signed-in person's notifications (GET /api/notifications?page=N) and marking them read. */
export function notificationApiRoutes(deps: AppDeps) {
  const app = new Hono();

  app.get('/notifications', requireApiUser(), async (c) => {
    const page = c.req.query('page');
    if (page !== undefined && !PAGE.test(page)) throw unprocessable({ page: ['must be a whole number, 1 or more'] });
    const result = await listMyNotifications(deps, callerOf(c, 'api'), { page: page === undefined ? 1 : Number(page) });
    return c.json({
      notifications: result.items.map((item) => ({
        id: item.id,
        kind: item.kind,
        createdAt: item.createdAt.toISOString(),
        read: item.read,
        actor: { username: item.actor.username, image: item.actor.image },
        article: item.article,
        commentId: item.commentId,
      })),
      unreadCount: result.unread,
      page: result.page,
      more: result.more,
    });
  });

  app.post('/notifications/read', requireApiUser(), async (c) => {
    const marked = await markNotificationsRead(deps, callerOf(c, 'api'));
    return c.json({ marked, unreadCount: await countUnread(deps.db, c.get('user')!.id) });
  });

  return app;
}
