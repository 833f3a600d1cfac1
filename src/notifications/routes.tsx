import { Hono, type Context } from 'hono';
import { HTTPException } from 'hono/http-exception';
import { z } from 'zod';
import {
  NotificationSettingsPage,
  NotificationsPage,
  UnsubscribePage,
  type PreferenceValues,
} from '../../views/pages/notifications-page';
import type { AppDeps } from '../app-types';
import { requireUser } from '../auth/middleware';
import { callerOf } from '../lib/caller';
import { setFlash } from '../lib/flash';
import { field, readForm } from '../lib/form';
import { parsePage } from '../lib/pagination';
import {
  changeNotificationPreferences,
  findMyNotificationPreferences,
  findUnsubscribeLink,
  listMyNotifications,
  markNotificationsRead,
  NOTIFICATION_KINDS,
  unsubscribe,
} from './use-cases';

/** The unsubscribe pages hold a key in their address: never kept by a cache, never sent on as a Referer. */
function private_(c: Context): void {
  c.header('Cache-Control', 'no-store');
  c.header('Referrer-Policy', 'no-referrer');
}

/** A notification id as a form sends it. */
const UpToSchema = z.string().regex(/^[1-9][0-9]{0,15}$/).transform(Number).optional();

/** Checkbox pairs as the preferences form sends them: a box left unticked sends nothing. */
function preferencesFrom(form: Record<string, unknown>): PreferenceValues {
  const on = (name: string) => field(form as never, name) === 'on';
  return Object.fromEntries(NOTIFICATION_KINDS.map((kind) => [kind, { inApp: on(`${kind}.inApp`), byEmail: on(`${kind}.byEmail`) }])) as PreferenceValues;
}

/** The one route the CSRF check lets through from anywhere (src/app.tsx): POST /unsubscribe/TOKEN. */
export const isOneClickUnsubscribe = (method: string, path: string): boolean =>
  method === 'POST' && /^\/unsubscribe\/[^/]+$/.test(path);

/** RFC 8058: the one-click POST's body says exactly this. */
const ONE_CLICK = 'One-Click';

/**
 * /notifications (the page, mark all read), /settings/notifications (per kind: shown, mailed),
 * /unsubscribe/TOKEN (a digest's one-click unsubscribe; no sign-in: the link is the key).
 */
export function notificationRoutes(deps: AppDeps) {
  const app = new Hono();

  app.get('/notifications', requireUser(), async (c) => {
    const page = parsePage(c);
    const result = await listMyNotifications(deps, callerOf(c, 'web'), { page });
    if (page > 1 && result.items.length === 0) throw new HTTPException(404, { message: 'That page does not exist.' });
    return c.render(<NotificationsPage {...result} />, { title: 'Notifications' });
  });

  app.post('/notifications/read', requireUser(), async (c) => {
    const parsed = UpToSchema.safeParse(field(await readForm(c), 'upTo') || undefined);
    if (!parsed.success) throw new HTTPException(400, { message: 'The form could not be read. Reload the page and try again.' });
    const count = await markNotificationsRead(deps, callerOf(c, 'web'), { upToId: parsed.data });
    setFlash(c, count === 1 ? 'One notification marked as read.' : `${count} notifications marked as read.`);
    return c.redirect('/notifications', 303);
  });

  app.get('/settings/notifications', requireUser(), async (c) => {
    const preferences = await findMyNotificationPreferences(deps, callerOf(c, 'web'));
    return c.render(<NotificationSettingsPage values={preferences} kinds={NOTIFICATION_KINDS} />, { title: 'Notification settings' });
  });

  app.post('/settings/notifications', requireUser(), async (c) => {
    await changeNotificationPreferences(deps, callerOf(c, 'web'), preferencesFrom(await readForm(c)));
    setFlash(c, 'Notification settings saved.');
    return c.redirect('/settings/notifications', 303);
  });

  app.get('/unsubscribe/:token', async (c) => {
    private_(c);
    const token = c.req.param('token');
    const link = await findUnsubscribeLink(deps, token);
    return c.render(<UnsubscribePage action={`/unsubscribe/${token}`} username={link.username} kind={link.kind} done={false} />, {
      title: 'Unsubscribe',
    });
  });

  // RFC 8058's one-click POST comes from the mail provider: no cookie, no Origin of this site (the
  // CSRF check lets exactly this route through, src/app.tsx); the token is the only key
  app.post('/unsubscribe/:token', async (c) => {
    private_(c);
    const form = await readForm(c);
    if (field(form, 'List-Unsubscribe') !== ONE_CLICK) {
      throw new HTTPException(400, { message: 'An unsubscribe request says List-Unsubscribe=One-Click.' });
    }
    const token = c.req.param('token');
    const link = await unsubscribe(deps, token);
    return c.render(<UnsubscribePage action={`/unsubscribe/${token}`} username={link.username} kind={link.kind} done={true} />, {
      title: 'Unsubscribed',
    });
  });

  return app;
}
