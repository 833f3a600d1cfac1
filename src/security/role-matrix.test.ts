/**
 * The access-control matrix (issue #16): the routes and endpoints every site had before roles, and
 * /admin's own pages, against every role. Each row says what a visitor, an author who owns nothing
 * there, a moderator, an admin and the owner get; a refusal changes nothing in the database. The
 * routes of moderation, accounts and the site's settings have their role tables in
 * access-control.test.ts. A mutating route (or /admin page) the routing table lists that neither
 * file names fails the first test: a new route cannot slip past the matrix.
 *
 * What the row acts on belongs to alice (an author): her article, her comment under it, her
 * account; tess is another author, the target of acts on accounts.
 */
import fs from 'node:fs';
import { fileURLToPath } from 'node:url';
import { eq } from 'drizzle-orm';
import { describe, expect, it } from 'vitest';
import { api } from '../api/test-helpers';
import { createSession } from '../auth/session';
import { addComment } from '../comments/queries';
import { tablesOf } from '../db/engine';
import type { Role } from '../roles/permissions';
import { Browser, createTestApp, insertArticle, insertUser, ORIGIN, PASSWORD, snapshotDatabase, type TestApp } from '../test-support';
import { solidPng, uploadForm } from '../test-support/images';

const PEOPLE = ['visitor', 'author', 'moderator', 'admin', 'owner'] as const;
type Person = (typeof PEOPLE)[number];

/** What a person gets: a status, 'login' (303 to exactly /login), or 'ok' (any 2xx, or a 303 elsewhere). */
type Expected = number | 'login' | 'ok';
/** An upload's multipart body: a small PNG in the field `file`. */
const PNG = await solidPng(8, 8, '#123456');
const imageForm = () => uploadForm(PNG, 'matrix.png', 'image/png');

/** The editor's form posting an image ("Upload image", no JavaScript). */
function editorUploadForm(): FormData {
  const form = imageForm();
  const file = form.get('file')!;
  form.delete('file');
  for (const [name, value] of Object.entries({ ...ARTICLE_FORM, op: 'upload', alt: 'A square' })) form.set(name, value);
  form.set('image', file);
  return form;
}

type Row = {
  route: string;
  path: (w: World) => string;
  /** form fields (pages) or a JSON body (the API) */
  body?: (w: World) => unknown;
  expect: Record<Person, Expected>;
};

async function world() {
  const t = await createTestApp();
  const make = async (username: string, role: Role) => {
    const user = await insertUser(t.db, username, { role });
    const { token } = await createSession(t.db, user.id, { now: t.clock() });
    // the session's token is both the API token and the cookie's value: no password hashing per world
    const browser = new Browser(t.app);
    browser.cookies.set('session', token);
    return { user, token, browser };
  };
  const owner = await make('olga', 'owner');
  const admin = await make('ada', 'admin');
  const moderator = await make('mo', 'moderator');
  const author = await make('mallory', 'author');
  const alice = await make('alice', 'author');
  const tess = await make('tess', 'author');
  const article = await insertArticle(t.db, alice.user.id, { title: 'Owned by Alice', tagList: ['garden'] });
  const commentId = await addComment(t.db, article.id, alice.user.id, 'Alice says', t.clock());
  const { sitePages } = tablesOf(t.db);
  const [about] = await t.db.select({ id: sitePages.id }).from(sitePages).where(eq(sitePages.slug, 'about'));
  // an image of alice's, for a moderator to remove (issue #18): its row is enough
  const imageKey = 'abcdef0123456789abcd';
  await t.db.insert(tablesOf(t.db).uploads).values({ key: imageKey, ownerId: alice.user.id, type: 'png', width: 8, height: 8, bytes: 100, url: `/media/${imageKey}-8x8.png`, createdAt: new Date(t.clock()) });
  return { t, people: { owner, admin, moderator, author }, alice, tess, slug: article.slug, commentId, aboutPageId: about!.id, imageKey };
}
type World = Awaited<ReturnType<typeof world>>;

const EVERYONE_SIGNED_IN = { visitor: 'login', author: 'ok', moderator: 'ok', admin: 'ok', owner: 'ok' } as const;
const API_EVERYONE_SIGNED_IN = { visitor: 401, author: 'ok', moderator: 'ok', admin: 'ok', owner: 'ok' } as const;
const ANYONE = { visitor: 'ok', author: 'ok', moderator: 'ok', admin: 'ok', owner: 'ok' } as const;
/** moderators and up (content moderation) */
const MODERATORS = { visitor: 'login', author: 403, moderator: 'ok', admin: 'ok', owner: 'ok' } as const;
const API_MODERATORS = { visitor: 401, author: 403, moderator: 'ok', admin: 'ok', owner: 'ok' } as const;
/** admins and the owner (accounts, settings, pages, invitations, the audit log) */
const ADMINS = { visitor: 'login', author: 403, moderator: 403, admin: 'ok', owner: 'ok' } as const;
/** only its author (alice): everyone in the matrix is someone else */
const ONLY_ITS_AUTHOR = { visitor: 'login', author: 403, moderator: 403, admin: 403, owner: 403 } as const;
/** a mailed link nobody was sent: the same 404 for everyone */
const NOBODY_FOUND = { visitor: 404, author: 404, moderator: 404, admin: 404, owner: 404 } as const;
const API_ONLY_ITS_AUTHOR = { visitor: 401, author: 403, moderator: 403, admin: 403, owner: 403 } as const;

/** one's own form, refused for what was typed (422) to every signed-in person; a visitor signs in first */
const OWN_FORM_REFUSED = { visitor: 'login', author: 422, moderator: 422, admin: 422, owner: 422 } as const;

const ARTICLE_FORM = { title: 'Matrix', description: 'Matrix', body: 'Matrix', op: 'publish' };
const ARTICLE_JSON = { article: { title: 'Matrix', description: 'Matrix', body: 'Matrix' } };

const WEB: Row[] = [
  { route: 'POST /editor', path: () => '/editor', body: () => ARTICLE_FORM, expect: EVERYONE_SIGNED_IN },
  { route: 'POST /editor/:slug', path: (w) => `/editor/${w.slug}`, body: () => ARTICLE_FORM, expect: ONLY_ITS_AUTHOR },
  // issue #18: the editor's drop and paste, and "Upload image" into someone else's article
  { route: 'POST /editor/uploads', path: () => '/editor/uploads', body: () => imageForm(), expect: EVERYONE_SIGNED_IN },
  { route: 'POST /editor/:slug (upload image)', path: (w) => `/editor/${w.slug}`, body: () => editorUploadForm(), expect: ONLY_ITS_AUTHOR },
  { route: 'POST /article/:slug/delete', path: (w) => `/article/${w.slug}/delete`, expect: MODERATORS },
  { route: 'POST /article/:slug/favorite', path: (w) => `/article/${w.slug}/favorite`, expect: EVERYONE_SIGNED_IN },
  { route: 'POST /article/:slug/unfavorite', path: (w) => `/article/${w.slug}/unfavorite`, expect: EVERYONE_SIGNED_IN },
  { route: 'POST /article/:slug/comments', path: (w) => `/article/${w.slug}/comments`, body: () => ({ body: 'Matrix' }), expect: EVERYONE_SIGNED_IN },
  { route: 'POST /article/:slug/comments/:id/delete', path: (w) => `/article/${w.slug}/comments/${w.commentId}/delete`, expect: MODERATORS },
  { route: 'POST /profile/:username/follow', path: () => '/profile/alice/follow', expect: EVERYONE_SIGNED_IN },
  { route: 'POST /profile/:username/unfollow', path: () => '/profile/alice/unfollow', expect: EVERYONE_SIGNED_IN },
  // signing in, up and out, and the strength hint, are for everyone: their own tests say the rest
  { route: 'POST /login', path: () => '/login', body: () => ({ email: 'alice@example.com', password: PASSWORD }), expect: ANYONE },
  { route: 'POST /register', path: () => '/register', body: () => ({ username: 'newcomer', email: 'newcomer@example.com', password: 'lantern orchard velvet' }), expect: ANYONE },
  { route: 'POST /password-strength', path: () => '/password-strength', body: () => ({ password: 'x' }), expect: ANYONE },
  { route: 'POST /logout', path: () => '/logout', expect: ANYONE },
  // the mailed links (src/account-links/): asking for one is anyone's; a link nobody was sent is not found
  { route: 'POST /forgot-password', path: () => '/forgot-password', body: () => ({ email: 'alice@example.com' }), expect: ANYONE },
  { route: 'POST /reset-password/:token', path: () => `/reset-password/${'a'.repeat(39)}`, body: () => ({ password: 'lantern orchard velvet' }), expect: NOBODY_FOUND },
  { route: 'POST /confirm-email/:token', path: () => `/confirm-email/${'a'.repeat(39)}`, expect: NOBODY_FOUND },
  { route: 'POST /settings/email/resend', path: () => '/settings/email/resend', expect: EVERYONE_SIGNED_IN },
  // one's own settings and sessions: alice's session handle is no one else's to name
  {
    route: 'POST /settings',
    path: () => '/settings',
    body: () => ({ image: '', username: 'renamed', bio: '', email: 'renamed@example.com', password: '', currentPassword: PASSWORD }),
    expect: EVERYONE_SIGNED_IN,
  },
  { route: 'POST /settings/sessions/others/delete', path: () => '/settings/sessions/others/delete', expect: EVERYONE_SIGNED_IN },
  { route: 'POST /settings/sessions/:handle/delete', path: () => '/settings/sessions/0123456789abcdef/delete', expect: { visitor: 'login', author: 404, moderator: 404, admin: 404, owner: 404 } },
  // one's own notifications (issue #17): no route names anyone else's
  { route: 'POST /notifications/read', path: () => '/notifications/read', expect: EVERYONE_SIGNED_IN },
  { route: 'POST /settings/notifications', path: () => '/settings/notifications', body: () => ({ 'comment.byEmail': 'on' }), expect: EVERYONE_SIGNED_IN },
  // the one-click unsubscribe: the link is the key, signed in or not (a link nobody was mailed: 404 for all)
  {
    route: 'POST /unsubscribe/:token',
    path: () => `/unsubscribe/${'a'.repeat(32)}`,
    body: () => ({ 'List-Unsubscribe': 'One-Click' }),
    expect: { visitor: 404, author: 404, moderator: 404, admin: 404, owner: 404 },
  },
  // issue #17: one's own second factor and data (each acts on the asker only), sent incomplete:
  // refused (422) before any check that counts an attempt (on PostgreSQL a throttle row)
  { route: 'POST /settings/two-factor/enable', path: () => '/settings/two-factor/enable', body: () => ({ code: '000000' }), expect: OWN_FORM_REFUSED },
  { route: 'POST /settings/two-factor/disable', path: () => '/settings/two-factor/disable', body: () => ({ disablePassword: PASSWORD }), expect: OWN_FORM_REFUSED },
  { route: 'POST /settings/two-factor/recovery-codes', path: () => '/settings/two-factor/recovery-codes', body: () => ({ regeneratePassword: PASSWORD }), expect: OWN_FORM_REFUSED },
  // a visitor (no pending session) is sent to sign in; anyone signed in goes home
  { route: 'POST /login/two-factor', path: () => '/login/two-factor', body: () => ({ code: '000000' }), expect: { visitor: 'login', author: 'ok', moderator: 'ok', admin: 'ok', owner: 'ok' } },
  { route: 'POST /settings/data/export', path: () => '/settings/data/export', expect: EVERYONE_SIGNED_IN },
  { route: 'POST /settings/delete', path: () => '/settings/delete', body: () => ({ password: PASSWORD }), expect: OWN_FORM_REFUSED },
  { route: 'POST /admin/users/:username/export', path: () => '/admin/users/tess/export', expect: ADMINS },
  // the /admin pages
  { route: 'GET /admin', path: () => '/admin', expect: MODERATORS },
  { route: 'GET /admin/audit', path: () => '/admin/audit', expect: ADMINS },
  { route: 'GET /admin/content', path: () => '/admin/content', expect: MODERATORS },
  { route: 'GET /admin/reports', path: () => '/admin/reports', expect: MODERATORS },
  // a report nobody filed: the permission is asked before the report is looked for
  { route: 'GET /admin/reports/:id', path: () => '/admin/reports/999', expect: { visitor: 'login', author: 403, moderator: 404, admin: 404, owner: 404 } },
  { route: 'GET /admin/users', path: () => '/admin/users', expect: ADMINS },
  { route: 'GET /admin/users/:username/delete', path: () => '/admin/users/tess/delete', expect: ADMINS },
  // shows the link once (200); tess is an author, below admins
  { route: 'POST /admin/users/:username/reset-link', path: () => '/admin/users/tess/reset-link', expect: ADMINS },
  { route: 'GET /admin/users/:username/ownership', path: () => '/admin/users/tess/ownership', expect: { visitor: 'login', author: 403, moderator: 403, admin: 403, owner: 'ok' } },
  { route: 'GET /admin/settings', path: () => '/admin/settings', expect: ADMINS },
  { route: 'GET /admin/pages', path: () => '/admin/pages', expect: ADMINS },
  { route: 'GET /admin/pages/new', path: () => '/admin/pages/new', expect: ADMINS },
  // the /about page every new site is given
  { route: 'GET /admin/pages/:id/edit', path: (w) => `/admin/pages/${w.aboutPageId}/edit`, expect: ADMINS },
  { route: 'GET /admin/pages/:id/delete', path: (w) => `/admin/pages/${w.aboutPageId}/delete`, expect: ADMINS },
  { route: 'GET /admin/invitations', path: () => '/admin/invitations', expect: ADMINS },
  { route: 'GET /admin/mail', path: () => '/admin/mail', expect: ADMINS },
  // issue #18: a moderator removes an image everywhere
  { route: 'GET /admin/media', path: () => '/admin/media', expect: MODERATORS },
  { route: 'GET /admin/media/:key/remove', path: (w) => `/admin/media/${w.imageKey}/remove`, expect: MODERATORS },
  { route: 'POST /admin/media/:key/remove', path: (w) => `/admin/media/${w.imageKey}/remove`, body: () => ({ reason: 'Matrix' }), expect: MODERATORS },
];

const API: Row[] = [
  { route: 'POST /api/users', path: () => '/users', body: () => ({ user: { username: 'newcomer', email: 'newcomer@example.com', password: 'lantern orchard velvet' } }), expect: ANYONE },
  { route: 'PUT /api/user', path: () => '/user', body: () => ({ user: { bio: 'Matrix' } }), expect: API_EVERYONE_SIGNED_IN },
  { route: 'POST /api/user/confirmation', path: () => '/user/confirmation', expect: API_EVERYONE_SIGNED_IN },
  { route: 'POST /api/profiles/:username/follow', path: () => '/profiles/alice/follow', expect: API_EVERYONE_SIGNED_IN },
  { route: 'DELETE /api/profiles/:username/follow', path: () => '/profiles/alice/follow', expect: API_EVERYONE_SIGNED_IN },
  { route: 'POST /api/articles', path: () => '/articles', body: () => ARTICLE_JSON, expect: API_EVERYONE_SIGNED_IN },
  { route: 'PUT /api/articles/:slug', path: (w) => `/articles/${w.slug}`, body: () => ARTICLE_JSON, expect: API_ONLY_ITS_AUTHOR },
  { route: 'DELETE /api/articles/:slug', path: (w) => `/articles/${w.slug}`, expect: API_MODERATORS },
  { route: 'POST /api/articles/:slug/favorite', path: (w) => `/articles/${w.slug}/favorite`, expect: API_EVERYONE_SIGNED_IN },
  { route: 'DELETE /api/articles/:slug/favorite', path: (w) => `/articles/${w.slug}/favorite`, expect: API_EVERYONE_SIGNED_IN },
  { route: 'POST /api/articles/:slug/comments', path: (w) => `/articles/${w.slug}/comments`, body: () => ({ comment: { body: 'Matrix' } }), expect: API_EVERYONE_SIGNED_IN },
  { route: 'DELETE /api/articles/:slug/comments/:id', path: (w) => `/articles/${w.slug}/comments/${w.commentId}`, expect: API_MODERATORS },
  { route: 'POST /api/notifications/read', path: () => '/notifications/read', expect: API_EVERYONE_SIGNED_IN },
  { route: 'POST /api/uploads', path: () => '/uploads', body: () => imageForm(), expect: API_EVERYONE_SIGNED_IN },
  { route: 'DELETE /api/admin/media/:key', path: (w) => `/admin/media/${w.imageKey}`, body: () => ({ reason: 'Matrix' }), expect: API_MODERATORS },
];

/** Routes whose every answer another test file covers in full, and that act on nothing but the asker. */
const NOT_IN_THE_MATRIX = new Set(['POST /api/users/login', 'POST /api/password-strength']);

const methodOf = (route: string) => route.split(' ')[0]!;

async function ask(w: World, person: Person, row: Row, door: 'web' | 'api') {
  const method = methodOf(row.route);
  const body = row.body?.(w);
  if (door === 'api') {
    const token = person === 'visitor' ? undefined : w.people[person].token;
    const res =
      body instanceof FormData
        ? await api(w.t).raw(method, row.path(w), { headers: token ? { authorization: `Token ${token}` } : {}, body })
        : await api(w.t).send(method, row.path(w), { token, body });
    return { status: res.status, location: res.headers.get('location') };
  }
  const browser = person === 'visitor' ? new Browser(w.t.app) : w.people[person].browser;
  const res =
    method === 'GET'
      ? await browser.get(row.path(w))
      : body instanceof FormData
        ? await browser.request(row.path(w), { method, body, headers: { origin: ORIGIN } })
        : await browser.post(row.path(w), (body ?? {}) as Record<string, string>);
  return { status: res.status, location: res.headers.get('location') };
}

function judge(expected: Expected, got: { status: number; location: string | null }): boolean {
  if (expected === 'login') return got.status === 303 && got.location === '/login';
  if (expected === 'ok') return (got.status >= 200 && got.status < 300) || (got.status === 303 && got.location !== '/login');
  return got.status === expected;
}

const refused = (expected: Expected) => expected !== 'ok';

describe('the access-control matrix', () => {
  it('names every mutating route and endpoint, and every /admin page, the routing table lists', async () => {
    const t: TestApp = await createTestApp();
    const listed = new Set<string>();
    for (const route of t.app.routes) {
      if (route.path.endsWith('*') || route.method === 'ALL') continue;
      if (route.method !== 'GET' || route.path === '/admin' || route.path.startsWith('/admin/')) listed.add(`${route.method} ${route.path}`);
    }
    // the route names the role tables give (`'POST /article/:slug/hide'`), here and in access-control.test.ts
    const named = new Set(
      [fileURLToPath(import.meta.url), fileURLToPath(new URL('./access-control.test.ts', import.meta.url))].flatMap((file) =>
        [...fs.readFileSync(file, 'utf8').matchAll(/'((?:GET|POST|PUT|DELETE|PATCH) \/[^' ]*)[' ]/g)].map((match) => match[1]!),
      ),
    );
    const unnamed = [...listed].filter((route) => !named.has(route) && !named.has(route.replace(' /api/', ' /')) && !NOT_IN_THE_MATRIX.has(route));
    expect(unnamed, unnamed.join('\n')).toEqual([]);
    expect(listed.size).toBeGreaterThan(60);
  });

  for (const [door, rows] of [
    ['web', WEB],
    ['api', API],
  ] as const) {
    describe(door === 'web' ? 'pages' : 'the API', () => {
      it.each(rows)('$route', async (row) => {
        for (const person of PEOPLE) {
          const w = await world();
          const before = await snapshotDatabase(w.t.db);
          const got = await ask(w, person, row, door);
          const expected = row.expect[person];
          expect(judge(expected, got), `${row.route} for ${person}: expected ${expected}, got ${got.status} ${got.location ?? ''}`).toBe(true);
          if (refused(expected)) expect(await snapshotDatabase(w.t.db), `${row.route} for ${person} changed something`).toBe(before);
        }
      });
    });
  }
});
