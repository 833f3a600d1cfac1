/**
 * The cache's invariant (src/cache/index.ts): after every use case, through whichever door it came,
 * every cacheable answer, for an anonymous and a signed-in reader, is byte for byte what the same
 * request returns with CACHE=off. Before each use case every answer is asked for once, so whatever
 * can be cached is; a use case whose write the cache does not see then fails here.
 *
 * A new write extends `USE_CASES`; a new cacheable answer extends `answers()`.
 */
import { spawn } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { desc, eq, isNotNull, sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { lastMailTo, linkIn } from '../account-links/test-helpers';
import { createApp } from '../app';
import type { Db } from '../db/client';
import { articleSlugs, articles, comments, reports, sitePages, tags, users } from '../db/schema';
import { createTestClock } from '../lib/clock';
import { silentLog } from '../lib/logger';
import { runCleanups } from '../ops/cleanups';
import { Browser, createSharedTestDb, ORIGIN, testEnv } from '../test-support';
import { memoryMediaStore } from '../media/store';
import sharp from 'sharp';

/** A picture of `width` x `height` uploaded through the editor's drop-and-paste door: its address. */
async function uploadImageAs(person: { browser: Browser }, width: number, height: number, background: string): Promise<string> {
  const data = new FormData();
  const bytes = await sharp({ create: { width, height, channels: 3, background } }).jpeg().toBuffer();
  data.set('file', new File([new Uint8Array(bytes)], 'photo.jpg', { type: 'image/jpeg' }));
  const res = await person.browser.request('/editor/uploads', { method: 'POST', body: data, headers: { origin: ORIGIN } });
  expect(res.status, 'upload').toBe(201);
  return ((await res.json()) as { upload: { url: string } }).upload.url;
}
import { findArticleBySlug, updateArticle } from '../articles/queries';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const PASSWORD = 'lantern orchard velvet';
/** the CLI runs as its own process, through tsx */
const CLI_TIMEOUT_MS = 60_000;

const clock = createTestClock();
const env = { RATE_LIMITS: 'off', BLOCK_COMMON_PASSWORDS: 'false' };
/** One database for the apps and the CLI's processes: a file on SQLite, a database of its own on PostgreSQL. */
let shared: Awaited<ReturnType<typeof createSharedTestDb>>;
let db: Db;
let cached: ReturnType<typeof createApp>;
let fresh: ReturnType<typeof createApp>;
beforeAll(async () => {
  shared = await createSharedTestDb();
  db = shared.db;
  // one store of images for both, as nodes share one
  const media = memoryMediaStore();
  cached = createApp({ db, env: testEnv(env), clock, log: silentLog, media });
  fresh = createApp({ db, env: testEnv({ ...env, CACHE: 'off' }), clock, log: silentLog, media });
});
afterAll(() => shared?.close());

type App = typeof cached;
type Reader = { name: string; cookie?: string; token?: string };

/** One request as a reader sends it: pages with their cookie, the API with their token. */
async function ask(app: App, reader: Reader, target: string): Promise<string> {
  const headers: Record<string, string> = {};
  if (target.startsWith('/api/')) {
    if (reader.token) headers.authorization = `Token ${reader.token}`;
  } else if (reader.cookie) {
    headers.cookie = reader.cookie;
  }
  const res = await app.request(`${ORIGIN}${target}`, { headers });
  // an error page names its own request: never cached, so never the same twice
  const body = (await res.text()).replace(/Request id: <code>[^<]*<\/code>/, 'Request id: <code>(each its own)</code>');
  return `${res.status} ${res.headers.get('location') ?? ''} ${res.headers.get('content-type') ?? ''}\n${body}`;
}

/** Every cacheable answer, addressed from what the site holds now (usernames and slugs change). */
async function answers(): Promise<string[]> {
  const [alice] = await db.select({ username: users.username }).from(users).where(eq(users.email, 'alice@example.com'));
  const author = alice!.username;
  const commentCount = sql`(select count(*) from ${comments} where ${comments.articleId} = ${articles.id})`;
  const [article] = await db
    .select({ slug: articles.slug })
    .from(articles)
    .where(isNotNull(articles.publishedAt))
    .orderBy(desc(commentCount), articles.id)
    .limit(1);
  const [tag] = await db.select({ name: tags.name }).from(tags).orderBy(tags.id).limit(1);
  const list = [
    '/',
    '/?page=2',
    '/?feed=following',
    `/profile/${author}`,
    `/profile/${author}/favorites`,
    '/register',
    '/search?q=garden',
    '/feed.atom',
    '/feed.json',
    `/profile/${author}/feed.atom`,
    '/sitemap.xml',
    '/api/articles',
    '/api/articles?author=' + author,
    '/api/articles/feed',
    `/api/profiles/${author}`,
    '/api/tags',
    // accounts that are suspended, unsuspended and deleted (src/accounts/), and the placeholder keeping deleted authors' writing
    '/profile/bob',
    '/profile/bob/feed.atom',
    '/api/profiles/bob',
    '/api/articles?author=bob',
    '/profile/deleted.author',
  ];
  // the site's pages (src/site/pages.ts): /about and whatever the use cases made
  for (const { slug } of await db.select({ slug: sitePages.slug }).from(sitePages).orderBy(sitePages.id)) list.push(`/${slug}`, `/api/pages/${slug}`);
  if (tag) list.push(`/tag/${encodeURIComponent(tag.name)}`, `/tag/${encodeURIComponent(tag.name)}/feed.json`);
  if (article) list.push(`/article/${article.slug}`, `/api/articles/${article.slug}`, `/api/articles/${article.slug}/comments`);
  // an article with a cover (issue #18): its header and link previews show it
  const [covered] = await db.select({ slug: articles.slug }).from(articles).where(isNotNull(articles.coverImage)).orderBy(articles.id).limit(1);
  if (covered) list.push(`/article/${covered.slug}`, `/api/articles/${covered.slug}`);
  // former addresses: 301 to a renamed article's address, 410 once it is deleted
  for (const { slug } of await db.select({ slug: articleSlugs.slug }).from(articleSlugs).orderBy(articleSlugs.slug).limit(3)) {
    list.push(`/article/${slug}`, `/api/articles/${slug}`);
  }
  return list;
}

/** A person at the site: a browser on the cached app, and an API token of their own. */
type Person = { browser: Browser; token: string; email: string; username: string };

async function signUp(username: string): Promise<Person> {
  const browser = new Browser(cached);
  const email = `${username}@example.com`;
  const res = await browser.post('/register', { username, email, password: PASSWORD });
  expect(res.status, `sign up ${username}`).toBe(303);
  browser.cookies.delete('flash');
  const token = await apiSignIn(email);
  return { browser, token, email, username };
}

async function apiSignIn(email: string, password = PASSWORD): Promise<string> {
  const res = await api('POST', '/api/users/login', null, { user: { email, password } });
  expect(res.status, `API sign-in ${email}`).toBe(200);
  return ((await res.json()) as { user: { token: string } }).user.token;
}

function api(method: string, target: string, token: string | null, body?: unknown) {
  const headers: Record<string, string> = { 'content-type': 'application/json' };
  if (token) headers.authorization = `Token ${token}`;
  return cached.request(`${ORIGIN}${target}`, { method, headers, body: body === undefined ? undefined : JSON.stringify(body) });
}

async function post(person: Person, target: string, fields: Record<string, string | string[]> = {}) {
  const res = await person.browser.post(target, fields);
  expect(res.status, `POST ${target}`).toBeLessThan(400);
  person.browser.cookies.delete('flash');
  return res;
}

/** `quire ...` as an operator runs it, in a process of its own, on the same database file. */
function cli(args: string[], input: string): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', 'src/cli.ts', ...args], {
      cwd: ROOT,
      env: { ...process.env, ...shared.env, BLOCK_COMMON_PASSWORDS: 'false', LOG_FORMAT: 'json' },
      stdio: ['pipe', 'pipe', 'pipe'],
    });
    let output = '';
    child.stdout.on('data', (data) => (output += data));
    child.stderr.on('data', (data) => (output += data));
    child.on('error', reject);
    child.on('close', (code) => (code === 0 ? resolve() : reject(new Error(`quire ${args.join(' ')} exited ${code}: ${output}`))));
    child.stdin.end(input);
  });
}

const slugOf = async (title: string) => (await db.select({ slug: articles.slug }).from(articles).where(eq(articles.title, title)))[0]!.slug;
const articleBody = (title: string, tags: string[]) => ({ title, description: `About ${title}`, body: `A garden of *${title}*.`, tagList: tags });

describe('the cache, compared with no cache after every use case', () => {
  it(
    'answers every cacheable request as CACHE=off does, for an anonymous and a signed-in reader',
    async () => {
      // the people: the readers' signed-in identity is its own account, which follows and favorites
      const alice = await signUp('alice');
      const bob = await signUp('bob');
      const reader = await signUp('reader');
      const session = [...reader.browser.cookies].map(([name, value]) => `${name}=${value}`).join('; ');
      const readers: Reader[] = [{ name: 'anonymous' }, { name: 'signed in', cookie: session, token: reader.token }];
      // 13: page 2 keeps articles after moderation hides one and deletes three
      for (let i = 1; i <= 13; i++) {
        clock.advance(60_000);
        expect((await api('POST', '/api/articles', alice.token, { article: articleBody(`Garden ${i}`, ['gardens', `g${i % 3}`]) })).status).toBe(201);
      }
      await post(reader, '/profile/alice/follow');
      await post(reader, `/article/${await slugOf('Garden 11')}/favorite`);

      let commentId = 0;
      let imageUrl = '';
      let carol!: Person;
      const selfDeleting = new Map<string, Person>();
      const USE_CASES: Array<[string, () => Promise<void>]> = [
        ['sign up (web)', async () => void (carol = await signUp('carol'))],
        ['sign up (API)', async () => {
          const res = await api('POST', '/api/users', null, { user: { username: 'dave', email: 'dave@example.com', password: PASSWORD } });
          expect(res.status).toBe(201);
        }],
        ['sign in (web)', async () => void (await new Browser(cached).post('/login', { email: bob.email, password: PASSWORD }))],
        ['sign in (API)', async () => void (await apiSignIn(bob.email))],
        ['sign out (web)', async () => {
          const other = new Browser(cached);
          await other.post('/login', { email: bob.email, password: PASSWORD });
          expect((await other.post('/logout')).status).toBe(303);
        }],
        ['create article (web)', async () => {
          clock.advance(60_000);
          await post(alice, '/editor', { ...articleBody('Garden by form', ['gardens']), tag: '', op: 'publish' });
        }],
        ['create draft (web)', async () => {
          await post(alice, '/editor', { ...articleBody('Garden draft', ['drafted']), tag: '', op: 'draft' });
        }],
        ['publish draft (web)', async () => {
          clock.advance(60_000);
          await post(alice, `/editor/${await slugOf('Garden draft')}`, { ...articleBody('Garden draft', ['drafted']), tag: '', op: 'publish' });
        }],
        ['update article (web, new title and tags)', async () => {
          clock.advance(60_000);
          await post(alice, `/editor/${await slugOf('Garden by form')}`, { ...articleBody('Garden renamed', ['renamed']), tag: '', op: 'publish' });
        }],
        ['update article (API)', async () => {
          clock.advance(60_000);
          const res = await api('PUT', `/api/articles/${await slugOf('Garden 1')}`, alice.token, { article: { body: 'Replanted *garden*.' } });
          expect(res.status).toBe(200);
        }],
        // images (issue #18): a cover shows in the article, lists, feeds and link previews
        ['set a cover (web)', async () => {
          clock.advance(60_000);
          const cover = await uploadImageAs(alice, 800, 400, '#3a6');
          await post(alice, `/editor/${await slugOf('Garden 2')}`, { ...articleBody('Garden 2', ['gardens', 'g2']), tag: '', op: 'publish', coverImage: cover });
        }],
        ['change a cover (API)', async () => {
          clock.advance(60_000);
          const cover = await uploadImageAs(alice, 640, 480, '#a36');
          const res = await api('PUT', `/api/articles/${await slugOf('Garden 2')}`, alice.token, { article: { coverImage: `${ORIGIN}${cover}` } });
          expect(res.status).toBe(200);
        }],
        ['upload an avatar (web)', async () => {
          const data = new FormData();
          for (const [name, value] of Object.entries({ image: '', username: 'alice', bio: '', email: alice.email, password: '', currentPassword: '' })) data.set(name, value);
          const bytes = await sharp({ create: { width: 300, height: 200, channels: 3, background: '#36a' } }).png().toBuffer();
          data.set('avatar', new File([new Uint8Array(bytes)], 'me.png', { type: 'image/png' }));
          const res = await alice.browser.request('/settings', { method: 'POST', body: data, headers: { origin: ORIGIN } });
          expect(res.status, 'avatar upload').toBe(303);
          alice.browser.cookies.delete('flash');
        }],
        ['comment (web)', async () => {
          clock.advance(1000);
          await post(bob, `/article/${await slugOf('Garden 11')}/comments`, { body: 'Lovely garden.' });
        }],
        ['comment (API)', async () => {
          clock.advance(1000);
          const res = await api('POST', `/api/articles/${await slugOf('Garden 11')}/comments`, bob.token, { comment: { body: 'Still lovely.' } });
          expect(res.status).toBe(201);
          commentId = ((await res.json()) as { comment: { id: number } }).comment.id;
        }],
        ['comment on another article (API)', async () => {
          clock.advance(1000);
          const res = await api('POST', `/api/articles/${await slugOf('Garden 10')}/comments`, bob.token, { comment: { body: 'Elsewhere.' } });
          expect(res.status).toBe(201);
        }],
        ['delete comment (API)', async () => {
          expect((await api('DELETE', `/api/articles/${await slugOf('Garden 11')}/comments/${commentId}`, bob.token)).status).toBe(204);
        }],
        ['delete comment (web)', async () => {
          const [comment] = await db.select({ id: comments.id }).from(comments).where(eq(comments.body, 'Lovely garden.'));
          await post(bob, `/article/${await slugOf('Garden 11')}/comments/${comment!.id}/delete`);
        }],
        ['favorite (web)', async () => void (await post(bob, `/article/${await slugOf('Garden 2')}/favorite`))],
        ['favorite (API)', async () => {
          expect((await api('POST', `/api/articles/${await slugOf('Garden 3')}/favorite`, reader.token)).status).toBe(200);
        }],
        ['unfavorite (web)', async () => void (await post(reader, `/article/${await slugOf('Garden 11')}/unfavorite`))],
        ['unfavorite (API)', async () => {
          expect((await api('DELETE', `/api/articles/${await slugOf('Garden 2')}/favorite`, bob.token)).status).toBe(200);
        }],
        ['follow (web)', async () => void (await post(reader, '/profile/bob/follow'))],
        ['unfollow (API)', async () => {
          expect((await api('DELETE', '/api/profiles/alice/follow', reader.token)).status).toBe(200);
        }],
        ['follow (API)', async () => {
          expect((await api('POST', '/api/profiles/alice/follow', reader.token)).status).toBe(200);
        }],
        ['unfollow (web)', async () => void (await post(reader, '/profile/bob/unfollow'))],
        // moderation (issue #16): alice signed up first, so she is the site's owner
        ['hide article (API, a moderator)', async () => {
          expect((await api('POST', `/api/admin/articles/${await slugOf('Garden 5')}/hide`, alice.token, { reason: 'Spam' })).status).toBe(200);
        }],
        ['restore article (web, a moderator)', async () => void (await post(alice, `/article/${await slugOf('Garden 5')}/restore`))],
        ['hide article (web, a moderator)', async () => void (await post(alice, `/article/${await slugOf('Garden 6')}/hide`, { reason: 'Off topic' }))],
        ['comment to moderate (API)', async () => {
          clock.advance(1000);
          const res = await api('POST', `/api/articles/${await slugOf('Garden 11')}/comments`, bob.token, { comment: { body: 'Buy watches.' } });
          expect(res.status).toBe(201);
          commentId = ((await res.json()) as { comment: { id: number } }).comment.id;
        }],
        ['hide comment (web, a moderator)', async () => {
          await post(alice, `/article/${await slugOf('Garden 11')}/comments/${commentId}/hide`, { reason: 'Spam' });
        }],
        ['restore comment (API, a moderator)', async () => {
          expect((await api('POST', `/api/admin/comments/${commentId}/restore`, alice.token)).status).toBe(200);
        }],
        ['report a comment (web)', async () => {
          await post(reader, `/article/${await slugOf('Garden 11')}/comments/${commentId}/report`, { reason: 'Spam' });
        }],
        ['resolve a report by hiding (web, a moderator)', async () => {
          const [report] = await db.select({ id: reports.id }).from(reports).orderBy(desc(reports.id)).limit(1);
          await post(alice, `/admin/reports/${report!.id}/resolve`, { resolution: 'hide', reason: 'Spam' });
        }],
        ['report an article (API)', async () => {
          const res = await api('POST', '/api/reports', reader.token, { report: { kind: 'article', target: await slugOf('Garden 7'), reason: 'Spam' } });
          expect(res.status).toBe(201);
        }],
        ['resolve a report by deleting (API, a moderator)', async () => {
          const [report] = await db.select({ id: reports.id }).from(reports).orderBy(desc(reports.id)).limit(1);
          expect((await api('POST', `/api/admin/reports/${report!.id}/resolve`, alice.token, { resolution: 'delete' })).status).toBe(200);
        }],
        ['the article’s author deletes a comment under it (web)', async () => {
          clock.advance(1000);
          const res = await api('POST', `/api/articles/${await slugOf('Garden 11')}/comments`, bob.token, { comment: { body: 'Not welcome.' } });
          const id = ((await res.json()) as { comment: { id: number } }).comment.id;
          await post(alice, `/article/${await slugOf('Garden 11')}/comments/${id}/delete`);
        }],
        ['a moderator deletes someone else’s article (API)', async () => {
          clock.advance(60_000);
          const res = await api('POST', '/api/articles', bob.token, { article: articleBody('Bob’s garden', ['gardens']) });
          expect(res.status).toBe(201);
          const { slug } = ((await res.json()) as { article: { slug: string } }).article;
          expect((await api('DELETE', `/api/articles/${slug}`, alice.token)).status).toBe(204);
        }],
        ['change profile (web: bio and image)', async () => {
          await post(alice, '/settings', { image: 'https://example.com/alice.png', username: 'alice', bio: 'Gardener.', email: alice.email, password: '', currentPassword: '' });
        }],
        ['change username (web)', async () => {
          await post(alice, '/settings', { image: 'https://example.com/alice.png', username: 'alice2', bio: 'Gardener.', email: alice.email, password: '', currentPassword: '' });
        }],
        ['change profile (API: bio)', async () => {
          expect((await api('PUT', '/api/user', alice.token, { user: { bio: 'Gardener, writer.' } })).status).toBe(200);
        }],
        ['change email (API), applied by its confirmation link (src/account-links/)', async () => {
          expect((await api('PUT', '/api/user', bob.token, { user: { email: 'bob2@example.com' } })).status).toBe(200);
          const link = linkIn(await lastMailTo(db, 'bob2@example.com', 'email-confirm'), '/confirm-email/');
          expect((await new Browser(cached).post(link)).status).toBe(303);
          bob.email = 'bob2@example.com';
        }],
        ['change password (web)', async () => {
          const other = new Browser(cached);
          await other.post('/login', { email: bob.email, password: PASSWORD });
          await post(bob, '/settings', { image: '', username: 'bob', bio: '', email: bob.email, password: `${PASSWORD} 2`, currentPassword: PASSWORD });
        }],
        ['revoke other sessions (web)', async () => {
          await new Browser(cached).post('/login', { email: alice.email, password: PASSWORD });
          await post(alice, '/settings/sessions/others/delete');
          alice.token = await apiSignIn(alice.email); // her API token was one of them
        }],
        ['delete article (API)', async () => {
          expect((await api('DELETE', `/api/articles/${await slugOf('Garden 4')}`, alice.token)).status).toBe(204);
        }],
        ['delete article (web)', async () => void (await post(alice, `/article/${await slugOf('Garden renamed')}/delete`))],
        // the site's settings and pages (src/site/): alice, the first to join, is the owner
        ['change site settings (web)', async () => {
          await post(alice, '/admin/settings', {
            title: 'Garden Notes', description: 'All about gardens.', navLinks: 'Gardens | /tag/gardens', registration: 'open',
            comments: 'on', newAccountArticlesPerDay: '100', newAccountCommentsPerDay: '100',
          });
        }],
        ['turn comments off (API)', async () => {
          expect((await api('PUT', '/api/admin/settings', alice.token, { settings: { comments: false } })).status).toBe(200);
        }],
        ['close sign-ups (CLI, another process)', () => cli(['settings', 'set', 'registration', 'closed'], '')],
        ['reopen sign-ups, comments on (CLI, another process)', async () => {
          await cli(['settings', 'set', 'registration', 'open'], '');
          await cli(['settings', 'set', 'comments', 'on'], '');
        }],
        ['create page (web)', async () => {
          await post(alice, '/admin/pages', { title: 'Terms', slug: 'terms', body: 'Be *kind*.', placement: 'footer', position: '1' });
        }],
        ['update page (API: title, placement)', async () => {
          const [page] = await db.select({ id: sitePages.id }).from(sitePages).where(eq(sitePages.slug, 'terms'));
          const res = await api('PUT', `/api/admin/pages/${page!.id}`, alice.token, { page: { title: 'Terms of use', slug: 'terms', body: 'Be *kinder*.', placement: 'nav', position: 0 } });
          expect(res.status).toBe(200);
        }],
        ['update page (web: /about)', async () => {
          const [page] = await db.select({ id: sitePages.id }).from(sitePages).where(eq(sitePages.slug, 'about'));
          await post(alice, `/admin/pages/${page!.id}`, { title: 'About us', slug: 'about', body: 'We grow *gardens*.', placement: 'footer', position: '0' });
        }],
        ['delete page (web)', async () => {
          const [page] = await db.select({ id: sitePages.id }).from(sitePages).where(eq(sitePages.slug, 'terms'));
          await post(alice, `/admin/pages/${page!.id}/delete`);
        }],
        ['sign up by invitation (web)', async () => {
          const res = await api('POST', '/api/admin/invitations', alice.token, { invitation: { role: 'moderator' } });
          const { token } = ((await res.json()) as { invitation: { token: string } }).invitation;
          const browser = new Browser(cached);
          const joined = await browser.post('/register', { username: 'invitee', email: 'invitee@example.com', password: PASSWORD, invite: token });
          expect(joined.status).toBe(303);
        }],
        ['user create (CLI, another process)', () => cli(['user', 'create', '--username', 'erin', '--email', 'erin@example.com'], `${PASSWORD}\n`)],
        ['password reset (a mailed link)', async () => {
          expect((await new Browser(cached).post('/forgot-password', { email: bob.email })).status).toBe(303);
          const link = linkIn(await lastMailTo(db, bob.email, 'password-reset'), '/reset-password/');
          expect((await new Browser(cached).post(link, { password: `${PASSWORD} 4` })).status).toBe(303);
        }],
        ['password reset (CLI, another process)', () => cli(['user', 'reset-password', 'bob'], `${PASSWORD} 3\n`)],
        // account administration (src/accounts/): alice signed up first, so she is the owner
        ['bob writes (API)', async () => {
          clock.advance(60_000);
          bob.token = await apiSignIn(bob.email, `${PASSWORD} 3`);
          expect((await api('POST', '/api/articles', bob.token, { article: articleBody('Bob’s garden', ['gardens']) })).status).toBe(201);
        }],
        ['change role (web)', async () => void (await post(alice, '/admin/users/bob/role', { role: 'admin' }))],
        ['change role (API)', async () => {
          expect((await api('PUT', '/api/admin/users/carol/role', alice.token, { role: 'moderator' })).status).toBe(200);
        }],
        ['suspend (web)', async () => void (await post(alice, '/admin/users/bob/suspend', { until: '', reason: 'Spam' }))],
        ['unsuspend (API)', async () => {
          expect((await api('POST', '/api/admin/users/bob/unsuspend', alice.token)).status).toBe(200);
        }],
        ['suspend until an hour from now (API)', async () => {
          const until = new Date(clock() + 60 * 60_000).toISOString();
          expect((await api('POST', '/api/admin/users/bob/suspend', alice.token, { until, reason: 'An hour off' })).status).toBe(200);
        }],
        ['suspension ends (clean-ups)', async () => {
          clock.advance(2 * 60 * 60_000);
          expect(await runCleanups(db, { clock, log: silentLog })).toMatchObject({ deleted: { suspensions: 1 } });
        }],
        ['suspend (CLI, another process)', () => cli(['user', 'suspend', 'bob', '--reason', 'Spam again'], '')],
        ['unsuspend (CLI, another process)', () => cli(['user', 'unsuspend', 'bob'], '')],
        ['dave writes and comments (API)', async () => {
          clock.advance(60_000);
          const token = await apiSignIn('dave@example.com');
          expect((await api('POST', '/api/articles', token, { article: articleBody('Dave’s garden', ['gardens']) })).status).toBe(201);
          expect((await api('POST', `/api/articles/${await slugOf('Garden 11')}/comments`, token, { comment: { body: 'Dave was here.' } })).status).toBe(201);
        }],
        ['delete account keeping its content (web)', async () => void (await post(alice, '/admin/users/dave/delete', { keepContent: 'yes' }))],
        ['carol comments (web)', async () => void (await post(carol, `/article/${await slugOf('Garden 11')}/comments`, { body: 'Carol was here.' }))],
        ['delete account with its content (API)', async () => {
          expect((await api('DELETE', '/api/admin/users/carol', alice.token)).status).toBe(204);
        }],
        ['delete account (CLI, another process)', () => cli(['user', 'delete', 'erin', '--yes'], '')],
        // a person deletes their own account (src/your-data/): articles kept under deleted.author, or gone
        ['frank and grace write and comment (API)', async () => {
          for (const name of ['frank', 'grace']) {
            clock.advance(60_000);
            const person = await signUp(name);
            expect((await api('POST', '/api/articles', person.token, { article: articleBody(`${name}’s garden`, ['gardens']) })).status).toBe(201);
            expect((await api('POST', `/api/articles/${await slugOf('Garden 11')}/comments`, person.token, { comment: { body: `${name} was here.` } })).status).toBe(201);
            selfDeleting.set(name, person);
          }
        }],
        ['delete my account, keeping my articles (web)', async () => void (await post(selfDeleting.get('frank')!, '/settings/delete', { password: PASSWORD, keepContent: 'yes' }))],
        ['delete my account, with my articles (web)', async () => void (await post(selfDeleting.get('grace')!, '/settings/delete', { password: PASSWORD, keepContent: 'no' }))],
        // issue #18: an image in an article's body, another's cover and an avatar; then a moderator removes it everywhere
        ['upload an image and show it in a body, a cover and an avatar (API)', async () => {
          const file = new FormData();
          const png = await sharp({ create: { width: 600, height: 300, channels: 3, background: '#3a6' } }).png().toBuffer();
          file.set('file', new File([new Uint8Array(png)], 'pond.png', { type: 'image/png' }));
          const res = await cached.request(`${ORIGIN}/api/uploads`, { method: 'POST', headers: { authorization: `Token ${alice.token}` }, body: file });
          expect(res.status).toBe(201);
          imageUrl = ((await res.json()) as { upload: { url: string } }).upload.url;
          const slug = await slugOf('Garden 11');
          expect((await api('PUT', `/api/articles/${slug}`, alice.token, { article: { body: `A pond: ![a pond](${imageUrl.slice(ORIGIN.length)})` } })).status).toBe(200);
          const covered = (await findArticleBySlug(db, await slugOf('Garden 13'), null))!;
          await updateArticle(db, covered, { coverImage: imageUrl.slice(ORIGIN.length) }, null, clock());
          expect((await api('PUT', '/api/user', alice.token, { user: { image: imageUrl } })).status).toBe(200);
        }],
        ['a moderator removes the image everywhere (web)', async () => {
          const key = /\/media\/([0-9a-f]{20})-/.exec(imageUrl)![1]!;
          await post(alice, `/admin/media/${key}/remove`, { reason: 'Not ours' });
          expect((await cached.request(imageUrl)).status).toBe(404);
        }],
        ['hand over ownership (web)', async () => void (await post(alice, '/admin/users/bob/ownership'))],
      ];

      const everything = async () => {
        for (const target of await answers()) for (const who of readers) await ask(cached, who, target);
      };
      for (const [useCase, run] of USE_CASES) {
        await everything(); // whatever can be cached now is
        await run();
        for (const target of await answers()) {
          for (const who of readers) {
            const fromCache = await ask(cached, who, target);
            expect(fromCache, `${useCase}: ${target} for ${who.name}`).toBe(await ask(fresh, who, target));
          }
        }
      }
    },
    4 * CLI_TIMEOUT_MS,
  );
});
