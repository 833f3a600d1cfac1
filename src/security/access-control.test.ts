import { describe, expect, it } from 'vitest';
import { api, newToken as userTokenFor, userWithToken } from '../api/test-helpers';
import { sessionHandle } from '../auth/session';
import { addComment } from '../comments/queries';
import { Browser, createTestApp, insertArticle, signedInBrowser, snapshotDatabase } from '../test-support';
import { eq } from 'drizzle-orm';
import { createSession } from '../auth/session';
import { tablesOf } from '../db/engine';
import { setArticleHidden, setCommentHidden } from '../moderation/queries';

/** Alice owns an article, a comment on it and a session; Mallory is signed in with her own article. */
async function webWorld() {
  const t = await createTestApp();
  const alice = await signedInBrowser(t, 'alice');
  const mallory = await signedInBrowser(t, 'mallory');
  const article = await insertArticle(t.db, alice.user.id, { title: 'Owned by Alice' });
  const malloryArticle = await insertArticle(t.db, mallory.user.id, { title: 'Owned by Mallory' });
  const commentId = await addComment(t.db, article.id, alice.user.id, 'Alice says', t.clock());
  const aliceSessionId = alice.browser.cookies.get('session')!.split('.')[0]!;
  return { t, alice, mallory, slug: article.slug, mallorySlug: malloryArticle.slug, commentId, handle: sessionHandle(aliceSessionId) };
}
type WebWorld = Awaited<ReturnType<typeof webWorld>>;

const EDIT = { title: 'Hijacked', description: 'Hijacked', body: 'Hijacked', op: 'publish' };

/** Routes that act on something of Alice's, with what another signed-in user must get. */
const OWNED_WEB: Array<{ route: string; method: 'GET' | 'POST'; path: (w: WebWorld) => string; fields?: Record<string, string>; other: number }> = [
  { route: 'GET /editor/:slug', method: 'GET', path: (w) => `/editor/${w.slug}`, other: 403 },
  { route: 'POST /editor/:slug', method: 'POST', path: (w) => `/editor/${w.slug}`, fields: EDIT, other: 403 },
  { route: 'POST /article/:slug/delete', method: 'POST', path: (w) => `/article/${w.slug}/delete`, other: 403 },
  {
    route: 'POST /article/:slug/comments/:id/delete',
    method: 'POST',
    path: (w) => `/article/${w.slug}/comments/${w.commentId}/delete`,
    other: 403,
  },
  {
    // the comment named through an article it does not belong to is not found
    route: 'POST /article/:own-slug/comments/:id/delete',
    method: 'POST',
    path: (w) => `/article/${w.mallorySlug}/comments/${w.commentId}/delete`,
    other: 404,
  },
  { route: 'POST /settings/sessions/:handle/delete', method: 'POST', path: (w) => `/settings/sessions/${w.handle}/delete`, other: 404 },
];

const send = (browser: Browser, method: 'GET' | 'POST', path: string, fields: Record<string, string> = {}) =>
  method === 'GET' ? browser.get(path) : browser.post(path, fields);

describe('web routes: someone else’s things', () => {
  it.each(OWNED_WEB)('$route: another signed-in user gets $other and nothing changes', async (route) => {
    const w = await webWorld();
    const before = await snapshotDatabase(w.t.db);
    const res = await send(w.mallory.browser, route.method, route.path(w), route.fields);
    expect(res.status).toBe(route.other);
    expect(await snapshotDatabase(w.t.db)).toBe(before);
    // Alice's session is alive and her article still there
    expect((await w.alice.browser.get(`/editor/${w.slug}`)).status).toBe(200);
  });

  it.each(OWNED_WEB)('$route: an anonymous visitor goes to exactly /login and nothing changes', async (route) => {
    const w = await webWorld();
    const before = await snapshotDatabase(w.t.db);
    const res = await send(new Browser(w.t.app), route.method, route.path(w), route.fields);
    expect(res.status).toBe(303);
    expect(res.headers.get('location')).toBe('/login');
    expect(await snapshotDatabase(w.t.db)).toBe(before);
  });

  it.each([
    ['/editor', EDIT],
    ['/editor/uploads', {}],
    ['/article/:slug/favorite', {}],
    ['/article/:slug/unfavorite', {}],
    ['/profile/alice/follow', {}],
    ['/profile/alice/unfollow', {}],
    ['/article/:slug/comments', { body: 'Anonymous words' }],
    ['/settings', { image: '', username: 'alice', bio: 'Hijacked', email: 'alice@example.com', password: '', currentPassword: '' }],
    ['/settings/sessions/others/delete', {}],
    ['/settings/two-factor/enable', { code: '000000' }],
    ['/settings/two-factor/disable', { disablePassword: 'correct horse battery' }],
    ['/settings/two-factor/recovery-codes', { regeneratePassword: 'correct horse battery' }],
    ['/settings/data/export', {}],
    ['/settings/delete', { password: 'correct horse battery', keepContent: 'no' }],
  ] as const)('POST %s: an anonymous visitor goes to exactly /login and nothing changes', async (path, fields) => {
    const w = await webWorld();
    const before = await snapshotDatabase(w.t.db);
    const res = await new Browser(w.t.app).post(path.replace(':slug', w.slug), fields);
    expect(res.status).toBe(303);
    expect(res.headers.get('location')).toBe('/login');
    expect(await snapshotDatabase(w.t.db)).toBe(before);
  });

  it('GET /settings and /settings/sessions: an anonymous visitor goes to exactly /login', async () => {
    const w = await webWorld();
    for (const path of ['/settings', '/settings/sessions', '/editor', '/?feed=following', '/settings/two-factor', '/settings/data', '/settings/delete']) {
      const res = await new Browser(w.t.app).get(path);
      expect(res.status, path).toBe(303);
      expect(res.headers.get('location'), path).toBe('/login');
    }
  });

  it('POST /logout: an anonymous visitor changes nothing (sign-out is idempotent and goes home)', async () => {
    const w = await webWorld();
    const before = await snapshotDatabase(w.t.db);
    const res = await new Browser(w.t.app).post('/logout');
    expect(res.status).toBe(303);
    expect(res.headers.get('location')).toBe('/');
    expect(await snapshotDatabase(w.t.db)).toBe(before);
  });
});

/** The same world over the API: tokens instead of cookies. */
async function apiWorld() {
  const t = await createTestApp();
  const alice = await userWithToken(t, 'alice');
  const mallory = await userWithToken(t, 'mallory');
  const article = await insertArticle(t.db, alice.user.id, { title: 'Owned by Alice' });
  const commentId = await addComment(t.db, article.id, alice.user.id, 'Alice says', t.clock());
  return { t, client: api(t), alice, mallory, slug: article.slug, commentId };
}
type ApiWorld = Awaited<ReturnType<typeof apiWorld>>;

const API_MUTATIONS: Array<{ route: string; method: string; path: (w: ApiWorld) => string; body?: unknown; owned?: 'article' | 'comment' }> = [
  { route: 'PUT /api/articles/:slug', method: 'PUT', path: (w) => `/articles/${w.slug}`, body: { article: { title: 'Hijacked' } }, owned: 'article' },
  { route: 'DELETE /api/articles/:slug', method: 'DELETE', path: (w) => `/articles/${w.slug}`, owned: 'article' },
  {
    route: 'DELETE /api/articles/:slug/comments/:id',
    method: 'DELETE',
    path: (w) => `/articles/${w.slug}/comments/${w.commentId}`,
    owned: 'comment',
  },
  { route: 'POST /api/articles/:slug/favorite', method: 'POST', path: (w) => `/articles/${w.slug}/favorite` },
  { route: 'DELETE /api/articles/:slug/favorite', method: 'DELETE', path: (w) => `/articles/${w.slug}/favorite` },
  { route: 'POST /api/profiles/:username/follow', method: 'POST', path: () => '/profiles/alice/follow' },
  { route: 'DELETE /api/profiles/:username/follow', method: 'DELETE', path: () => '/profiles/alice/follow' },
  {
    route: 'POST /api/articles',
    method: 'POST',
    path: () => '/articles',
    body: { article: { title: 'Anonymous', description: 'Anonymous', body: 'Anonymous' } },
  },
  { route: 'POST /api/articles/:slug/comments', method: 'POST', path: (w) => `/articles/${w.slug}/comments`, body: { comment: { body: 'Anonymous' } } },
  { route: 'PUT /api/user', method: 'PUT', path: () => '/user', body: { user: { bio: 'Hijacked' } } },
];

describe('API endpoints: someone else’s things', () => {
  it.each(API_MUTATIONS.filter((route) => route.owned))(
    "$route: another user's token gets 403 and nothing changes",
    async (route) => {
      const w = await apiWorld();
      const before = await snapshotDatabase(w.t.db);
      const res = await w.client.send(route.method, route.path(w), { token: w.mallory.token, body: route.body });
      expect(res.status).toBe(403);
      expect(res.text).toBe(JSON.stringify({ errors: { [route.owned!]: ['forbidden'] } }));
      expect(await snapshotDatabase(w.t.db)).toBe(before);
    },
  );

  it.each(API_MUTATIONS)('$route: no token gets 401 and nothing changes; a bad token too', async (route) => {
    const w = await apiWorld();
    const before = await snapshotDatabase(w.t.db);
    const res = await w.client.send(route.method, route.path(w), { body: route.body });
    expect(res.status).toBe(401);
    expect(res.text).toBe('{"errors":{"token":["is missing"]}}');
    expect(res.headers.get('content-type')).toMatch(/^application\/json/);
    const forged = await w.client.send(route.method, route.path(w), { body: route.body, token: `${w.alice.token}x` });
    expect(forged.status).toBe(401);
    expect(forged.body).toEqual({ errors: { token: ['is invalid'] } });
    expect(await snapshotDatabase(w.t.db)).toBe(before);
  });

  it('the session cookie is not a credential for the API', async () => {
    const t = await createTestApp();
    const { browser } = await signedInBrowser(t, 'alice');
    const before = await snapshotDatabase(t.db);
    const res = await browser.request('/api/user', {
      method: 'PUT',
      headers: { 'content-type': 'application/json', origin: 'http://localhost' },
      body: JSON.stringify({ user: { bio: 'Hijacked' } }),
    });
    expect(res.status).toBe(401);
    expect(await snapshotDatabase(t.db)).toBe(before);
  });
});

/**
 * Moderation's mutating routes and endpoints (issue #16) against every role: a visitor is sent to
 * sign in (401 on the API), an author who is not the content's gets 403 and nothing changes, and
 * moderators, admins and the owner succeed. Reports are open to every signed-in reader.
 */
describe('moderation routes: every role', () => {
  type Role = 'visitor' | 'author' | 'moderator' | 'admin' | 'owner';
  const ROLES: Role[] = ['visitor', 'author', 'moderator', 'admin', 'owner'];

  async function moderationWorld(role: Role) {
    const t = await createTestApp({ env: { RATE_LIMITS: 'off' } });
    const { users, reports } = tablesOf(t.db);
    const alice = await userWithToken(t, 'alice');
    const article = await insertArticle(t.db, alice.user.id, { title: 'Alice writes' });
    const hiddenArticle = await insertArticle(t.db, alice.user.id, { title: 'Alice hidden' });
    await setArticleHidden(t.db, hiddenArticle.id, { at: new Date(t.clock()), cause: 'moderation', reason: 'Spam', byId: null });
    const commentId = await addComment(t.db, article.id, alice.user.id, 'Alice says', t.clock());
    const hiddenCommentId = await addComment(t.db, article.id, alice.user.id, 'Alice hid', t.clock());
    await setCommentHidden(t.db, hiddenCommentId, { at: new Date(t.clock()), cause: 'moderation', reason: 'Spam', byId: null });
    const [report] = await t.db
      .insert(reports)
      .values({ reporterId: alice.user.id, targetKind: 'user', targetId: alice.user.id, targetLabel: 'alice', reason: 'Test', createdAt: new Date(t.clock()) })
      .returning({ id: reports.id });
    let browser = new Browser(t.app);
    let token: string | undefined;
    if (role !== 'visitor') {
      const signedIn = await signedInBrowser(t, 'someone');
      await t.db.update(users).set({ role }).where(eq(users.id, signedIn.user.id));
      browser = signedIn.browser;
      token = (await createSession(t.db, signedIn.user.id, { now: t.clock() })).token;
    }
    return { t, browser, token, client: api(t), slug: article.slug, hiddenSlug: hiddenArticle.slug, commentId, hiddenCommentId, reportId: report!.id };
  }
  type ModerationWorld = Awaited<ReturnType<typeof moderationWorld>>;

  const MODERATING_WEB: Array<{ route: string; path: (w: ModerationWorld) => string; fields?: Record<string, string> }> = [
    { route: 'POST /article/:slug/hide', path: (w) => `/article/${w.slug}/hide`, fields: { reason: 'Spam' } },
    { route: 'POST /article/:slug/restore', path: (w) => `/article/${w.hiddenSlug}/restore` },
    { route: 'POST /article/:slug/comments/:id/hide', path: (w) => `/article/${w.slug}/comments/${w.commentId}/hide`, fields: { reason: 'Spam' } },
    { route: 'POST /article/:slug/comments/:id/restore', path: (w) => `/article/${w.slug}/comments/${w.hiddenCommentId}/restore` },
    { route: 'POST /article/:slug/delete (someone else’s)', path: (w) => `/article/${w.slug}/delete` },
    { route: 'POST /article/:slug/comments/:id/delete (someone else’s)', path: (w) => `/article/${w.slug}/comments/${w.commentId}/delete` },
    { route: 'POST /admin/reports/:id/resolve', path: (w) => `/admin/reports/${w.reportId}/resolve`, fields: { resolution: 'dismiss' } },
  ];
  const REPORTING_WEB: Array<{ route: string; path: (w: ModerationWorld) => string }> = [
    { route: 'POST /article/:slug/report', path: (w) => `/article/${w.slug}/report` },
    { route: 'POST /article/:slug/comments/:id/report', path: (w) => `/article/${w.slug}/comments/${w.commentId}/report` },
    { route: 'POST /profile/:username/report', path: () => '/profile/alice/report' },
  ];
  const MODERATING_API: Array<{ route: string; method: string; path: (w: ModerationWorld) => string; body?: unknown; ok: number }> = [
    { route: 'POST /api/admin/articles/:slug/hide', method: 'POST', path: (w) => `/admin/articles/${w.slug}/hide`, body: { reason: 'Spam' }, ok: 200 },
    { route: 'POST /api/admin/articles/:slug/restore', method: 'POST', path: (w) => `/admin/articles/${w.hiddenSlug}/restore`, ok: 200 },
    { route: 'POST /api/admin/comments/:id/hide', method: 'POST', path: (w) => `/admin/comments/${w.commentId}/hide`, body: { reason: 'Spam' }, ok: 200 },
    { route: 'POST /api/admin/comments/:id/restore', method: 'POST', path: (w) => `/admin/comments/${w.hiddenCommentId}/restore`, ok: 200 },
    { route: 'POST /api/admin/reports/:id/resolve', method: 'POST', path: (w) => `/admin/reports/${w.reportId}/resolve`, body: { resolution: 'dismiss' }, ok: 200 },
    { route: 'GET /api/admin/reports', method: 'GET', path: () => '/admin/reports', ok: 200 },
    { route: 'DELETE /api/articles/:slug (someone else’s)', method: 'DELETE', path: (w) => `/articles/${w.slug}`, ok: 204 },
    { route: 'DELETE /api/articles/:slug/comments/:id (someone else’s)', method: 'DELETE', path: (w) => `/articles/${w.slug}/comments/${w.commentId}`, ok: 204 },
  ];

  const cases = <T,>(routes: T[]) => routes.flatMap((route) => ROLES.map((role) => ({ ...route, role })));

  it.each(cases(MODERATING_WEB))('$route as $role', async (route) => {
    const w = await moderationWorld(route.role);
    const before = await snapshotDatabase(w.t.db);
    const res = await w.browser.post(route.path(w), route.fields ?? {});
    if (route.role === 'visitor' || route.role === 'author') {
      expect(res.status).toBe(route.role === 'visitor' ? 303 : 403);
      if (route.role === 'visitor') expect(res.headers.get('location')).toBe('/login');
      expect(await snapshotDatabase(w.t.db)).toBe(before);
    } else {
      expect(res.status).toBe(303);
      expect(res.headers.get('location')).not.toBe('/login');
      expect(await snapshotDatabase(w.t.db)).not.toBe(before);
    }
  });

  it.each(cases(REPORTING_WEB))('$route as $role: every signed-in reader may report', async (route) => {
    const w = await moderationWorld(route.role);
    const before = await snapshotDatabase(w.t.db);
    const res = await w.browser.post(route.path(w), { reason: 'Spam' });
    expect(res.status).toBe(303);
    if (route.role === 'visitor') {
      expect(res.headers.get('location')).toBe('/login');
      expect(await snapshotDatabase(w.t.db)).toBe(before);
    } else {
      expect(res.headers.get('location')).not.toBe('/login');
      expect(await snapshotDatabase(w.t.db)).not.toBe(before);
    }
  });

  it.each(cases(MODERATING_API))('$route as $role', async (route) => {
    const w = await moderationWorld(route.role);
    const before = await snapshotDatabase(w.t.db);
    const res = await w.client.send(route.method, route.path(w), { token: w.token, body: route.body });
    const expected = route.role === 'visitor' ? 401 : route.role === 'author' ? 403 : route.ok;
    expect(res.status).toBe(expected);
    if (expected >= 400) expect(await snapshotDatabase(w.t.db)).toBe(before);
  });

  it.each(ROLES)('POST /api/reports as %s: 401 for a visitor, 201 for every signed-in reader', async (role) => {
    const w = await moderationWorld(role);
    const res = await w.client.post('/reports', { report: { kind: 'article', target: w.slug, reason: 'Spam' } }, w.token);
    expect(res.status).toBe(role === 'visitor' ? 401 : 201);
  });
});

/**
 * Account administration (src/accounts/): every role against every mutating route and endpoint.
 * `allowed` lists the roles that may; anyone else signed in gets 403 (the API's
 * `{"errors":{"user":["forbidden"]}}`), a visitor the sign-in page (the API's 401), and nothing
 * changes.
 */
const ACCOUNT_ROLES = ['author', 'moderator', 'admin', 'owner'] as const;
type AccountRole = (typeof ACCOUNT_ROLES)[number];

async function accountWorld() {
  const t = await createTestApp();
  const people = {} as Record<AccountRole, { browser: Browser; token: string }>;
  for (const role of ACCOUNT_ROLES) {
    const { browser, user } = await signedInBrowser(t, `the-${role}`, { role });
    people[role] = { browser, token: (await userTokenFor(t, user.id)) };
  }
  await signedInBrowser(t, 'target');
  const suspended = await signedInBrowser(t, 'suspended');
  const { users } = tablesOf(t.db);
  await t.db.update(users).set({ suspendedAt: new Date(t.clock()), suspensionReason: 'Spam' }).where(eq(users.id, suspended.user.id));
  return { t, people, client: api(t) };
}

const ACCOUNT_WEB: Array<{ route: string; path: string; fields?: Record<string, string>; allowed: AccountRole[] }> = [
  { route: 'POST /admin/users/:username/role', path: '/admin/users/target/role', fields: { role: 'moderator' }, allowed: ['admin', 'owner'] },
  { route: 'POST /admin/users/:username/suspend', path: '/admin/users/target/suspend', fields: { until: '', reason: 'Spam' }, allowed: ['admin', 'owner'] },
  { route: 'POST /admin/users/:username/unsuspend', path: '/admin/users/suspended/unsuspend', allowed: ['admin', 'owner'] },
  { route: 'POST /admin/users/:username/delete', path: '/admin/users/target/delete', fields: { keepContent: 'no' }, allowed: ['admin', 'owner'] },
  { route: 'POST /admin/users/:username/ownership', path: '/admin/users/target/ownership', allowed: ['owner'] },
];

const ACCOUNT_API: Array<{ route: string; method: string; path: string; body?: unknown; allowed: AccountRole[]; status: number }> = [
  { route: 'PUT /api/admin/users/:username/role', method: 'PUT', path: '/admin/users/target/role', body: { role: 'moderator' }, allowed: ['admin', 'owner'], status: 200 },
  { route: 'PUT /api/admin/users/:username/role (owner)', method: 'PUT', path: '/admin/users/target/role', body: { role: 'owner' }, allowed: ['owner'], status: 200 },
  { route: 'POST /api/admin/users/:username/suspend', method: 'POST', path: '/admin/users/target/suspend', body: { reason: 'Spam' }, allowed: ['admin', 'owner'], status: 200 },
  { route: 'POST /api/admin/users/:username/unsuspend', method: 'POST', path: '/admin/users/suspended/unsuspend', allowed: ['admin', 'owner'], status: 200 },
  { route: 'DELETE /api/admin/users/:username', method: 'DELETE', path: '/admin/users/target?keepContent=true', allowed: ['admin', 'owner'], status: 204 },
];

describe('account administration: every role against every route', () => {
  it.each(ACCOUNT_WEB.flatMap((route) => ACCOUNT_ROLES.map((role) => ({ ...route, role }))))('$route as $role', async (route) => {
    const w = await accountWorld();
    const before = await snapshotDatabase(w.t.db);
    const res = await w.people[route.role].browser.post(route.path, route.fields ?? {});
    if (route.allowed.includes(route.role)) {
      expect(res.status).toBe(303);
      expect(await snapshotDatabase(w.t.db)).not.toBe(before);
    } else {
      expect(res.status).toBe(403);
      expect(await snapshotDatabase(w.t.db)).toBe(before);
    }
  });

  it.each(ACCOUNT_WEB)('$route: a visitor goes to exactly /login and nothing changes', async (route) => {
    const w = await accountWorld();
    const before = await snapshotDatabase(w.t.db);
    const res = await new Browser(w.t.app).post(route.path, route.fields ?? {});
    expect([res.status, res.headers.get('location')]).toEqual([303, '/login']);
    expect(await snapshotDatabase(w.t.db)).toBe(before);
  });

  it.each(ACCOUNT_API.flatMap((route) => ACCOUNT_ROLES.map((role) => ({ ...route, role }))))('$route as $role', async (route) => {
    const w = await accountWorld();
    const before = await snapshotDatabase(w.t.db);
    const res = await w.client.send(route.method, route.path, { token: w.people[route.role].token, body: route.body });
    if (route.allowed.includes(route.role)) {
      expect(res.status).toBe(route.status);
      expect(await snapshotDatabase(w.t.db)).not.toBe(before);
    } else {
      expect([res.status, res.body]).toEqual([403, { errors: { user: ['forbidden'] } }]);
      expect(await snapshotDatabase(w.t.db)).toBe(before);
    }
  });

  it.each(ACCOUNT_API)('$route: no token gets 401 and nothing changes', async (route) => {
    const w = await accountWorld();
    const before = await snapshotDatabase(w.t.db);
    const res = await w.client.send(route.method, route.path, { body: route.body });
    expect([res.status, res.body]).toEqual([401, { errors: { token: ['is missing'] } }]);
    expect(await snapshotDatabase(w.t.db)).toBe(before);
  });
});

/**
 * The site's settings, pages and invitations (src/site/, src/invitations/): every mutating route
 * and endpoint against every role. Owners and admins may; moderators and authors get 403; a
 * visitor is sent to sign in (web) or gets 401 (API). A refusal changes nothing.
 */
describe('site settings, pages and invitations: every role', () => {
  const ROLES = ['owner', 'admin', 'moderator', 'author'] as const;
  type Role = (typeof ROLES)[number];

  async function siteWorld() {
    const t = await createTestApp();
    const { users, sitePages } = await import('../db/schema');
    const { eq } = await import('drizzle-orm');
    const people = {} as Record<Role, { browser: Browser; token: string }>;
    for (const role of ROLES) {
      const signedIn = await signedInBrowser(t, role === 'owner' ? 'olive' : role);
      await t.db.update(users).set({ role }).where(eq(users.id, signedIn.user.id));
      // the same person's API token
      const { token } = await createSession(t.db, signedIn.user.id, { now: t.clock() });
      people[role] = { browser: signedIn.browser, token };
    }
    const owner = people.owner;
    const page = (await api(t).post('/admin/pages', { page: { title: 'Terms', slug: 'terms', body: 'Be nice.' } }, owner.token)).body.page as { id: number };
    const invitation = (await api(t).post('/admin/invitations', { invitation: {} }, owner.token)).body.invitation as { id: number };
    const [about] = await t.db.select({ id: sitePages.id }).from(sitePages).where(eq(sitePages.slug, 'about'));
    return { t, people, pageId: page.id, aboutId: about!.id, invitationId: invitation.id };
  }
  type SiteWorld = Awaited<ReturnType<typeof siteWorld>>;

  const SETTINGS = { title: 'Hijacked', description: 'Hijacked', navLinks: '', registration: 'closed', comments: 'off', newAccountArticlesPerDay: '0', newAccountCommentsPerDay: '0' };
  const PAGE = { title: 'Hijacked', slug: 'hijacked', body: 'Hijacked', placement: 'nav', position: '0' };

  const WEB: Array<{ route: string; path: (w: SiteWorld) => string; fields?: Record<string, string> }> = [
    { route: 'POST /admin/settings', path: () => '/admin/settings', fields: SETTINGS },
    { route: 'POST /admin/pages', path: () => '/admin/pages', fields: PAGE },
    { route: 'POST /admin/pages/:id', path: (w) => `/admin/pages/${w.pageId}`, fields: PAGE },
    { route: 'POST /admin/pages/:id/delete', path: (w) => `/admin/pages/${w.aboutId}/delete` },
    { route: 'POST /admin/invitations', path: () => '/admin/invitations', fields: { role: 'author', days: '7', note: '' } },
    { route: 'POST /admin/invitations/:id/revoke', path: (w) => `/admin/invitations/${w.invitationId}/revoke` },
  ];

  for (const route of WEB) {
    it.each(ROLES)(`${route.route}: %s`, async (role) => {
      const w = await siteWorld();
      const before = await snapshotDatabase(w.t.db);
      const res = await w.people[role].browser.post(route.path(w), route.fields ?? {});
      if (role === 'owner' || role === 'admin') {
        expect(res.status).toBe(303);
        expect(await snapshotDatabase(w.t.db)).not.toBe(before);
      } else {
        expect(res.status).toBe(403);
        expect(await snapshotDatabase(w.t.db)).toBe(before);
      }
    });

    it(`${route.route}: an anonymous visitor goes to exactly /login and nothing changes`, async () => {
      const w = await siteWorld();
      const before = await snapshotDatabase(w.t.db);
      const res = await new Browser(w.t.app).post(route.path(w), route.fields ?? {});
      expect(res.status).toBe(303);
      expect(res.headers.get('location')).toBe('/login');
      expect(await snapshotDatabase(w.t.db)).toBe(before);
    });
  }

  it.each(ROLES)('GET /admin/settings, /admin/pages, /admin/invitations: %s', async (role) => {
    const w = await siteWorld();
    for (const path of ['/admin/settings', '/admin/pages', '/admin/pages/new', `/admin/pages/${w.pageId}/edit`, `/admin/pages/${w.pageId}/delete`, '/admin/invitations']) {
      const res = await w.people[role].browser.get(path);
      expect(res.status, path).toBe(role === 'owner' || role === 'admin' ? 200 : 403);
    }
  });

  const API: Array<{ route: string; method: string; path: (w: SiteWorld) => string; body?: unknown; ok: number }> = [
    { route: 'PUT /api/admin/settings', method: 'PUT', path: () => '/admin/settings', body: { settings: { title: 'Hijacked' } }, ok: 200 },
    { route: 'POST /api/admin/pages', method: 'POST', path: () => '/admin/pages', body: { page: { title: 'Hijacked', slug: 'hijacked', body: 'Hijacked' } }, ok: 201 },
    { route: 'PUT /api/admin/pages/:id', method: 'PUT', path: (w) => `/admin/pages/${w.pageId}`, body: { page: { title: 'Hijacked', slug: 'terms', body: 'Hijacked', placement: 'nav', position: 0 } }, ok: 200 },
    { route: 'DELETE /api/admin/pages/:id', method: 'DELETE', path: (w) => `/admin/pages/${w.pageId}`, ok: 204 },
    { route: 'POST /api/admin/invitations', method: 'POST', path: () => '/admin/invitations', body: { invitation: { role: 'author' } }, ok: 201 },
    { route: 'DELETE /api/admin/invitations/:id', method: 'DELETE', path: (w) => `/admin/invitations/${w.invitationId}`, ok: 200 },
  ];

  for (const route of API) {
    it.each(ROLES)(`${route.route}: %s`, async (role) => {
      const w = await siteWorld();
      const before = await snapshotDatabase(w.t.db);
      const res = await api(w.t).send(route.method, route.path(w), { token: w.people[role].token, body: route.body });
      if (role === 'owner' || role === 'admin') {
        expect(res.status).toBe(route.ok);
        expect(await snapshotDatabase(w.t.db)).not.toBe(before);
      } else {
        expect(res.status).toBe(403);
        expect(res.body.errors).toEqual(expect.any(Object));
        expect(await snapshotDatabase(w.t.db)).toBe(before);
      }
    });

    it(`${route.route}: no token gets 401 and nothing changes`, async () => {
      const w = await siteWorld();
      const before = await snapshotDatabase(w.t.db);
      const res = await api(w.t).send(route.method, route.path(w), { body: route.body });
      expect(res.status).toBe(401);
      expect(await snapshotDatabase(w.t.db)).toBe(before);
    });
  }

  it.each(ROLES)('GET /api/admin/settings, /api/admin/pages, /api/admin/invitations: %s', async (role) => {
    const w = await siteWorld();
    for (const path of ['/admin/settings', '/admin/pages', '/admin/invitations']) {
      const res = await api(w.t).get(path, w.people[role].token);
      expect(res.status, path).toBe(role === 'owner' || role === 'admin' ? 200 : 403);
    }
  });
});
