/**
 * The cache across nodes: two apps on one PostgreSQL database, each with its own pool and its own
 * caches (pages, API answers, memos, fragments), as two `quire serve` processes have. After a write
 * through one node, the other node's very next request shows it, for an anonymous and a signed-in
 * reader, on pages and through the API: each cache reads the versions the write's triggers moved
 * from the database (src/cache/versions.ts), and nothing else a node keeps in memory can be stale
 * (fragments are keyed by their whole input).
 *
 * Each use case names what must show on the other node; every cacheable answer is also compared
 * with the same request to an app that caches nothing (CACHE=off), as src/cache/differential.test.ts
 * does for one node. Every answer is asked for on both nodes before each write, so both are warm.
 */
import { eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApp } from '../app';
import type { Db } from '../db/client';
import { tablesOf } from '../db/engine';
import { createTestClock } from '../lib/clock';
import { silentLog } from '../lib/logger';
import { Browser, createSharedTestDb, ORIGIN, testEnv, type SharedTestDb } from '../test-support';

const PASSWORD = 'lantern orchard velvet';
const env = { RATE_LIMITS: 'off', BLOCK_COMMON_PASSWORDS: 'false' };
const clock = createTestClock();

type App = ReturnType<typeof createApp>;
type Node = { name: 'A' | 'B'; app: App; fresh: App };

let shared: SharedTestDb;
let db: Db;
let nodes: [Node, Node];

beforeAll(async () => {
  shared = await createSharedTestDb('postgres');
  db = shared.db;
  // each node its own pool, as each process has; `fresh` caches nothing, on the same pool
  const node = async (name: 'A' | 'B'): Promise<Node> => {
    const pool = await shared.connect();
    return {
      name,
      app: createApp({ db: pool, env: testEnv(env), clock, log: silentLog }),
      fresh: createApp({ db: pool, env: testEnv({ ...env, CACHE: 'off' }), clock, log: silentLog }),
    };
  };
  nodes = [await node('A'), await node('B')];
});
afterAll(() => shared?.close());

/** A person with one cookie jar and one API token, whichever node answers them. */
type Person = { cookies: Map<string, string>; token: string; email: string; username: string };
type Reader = { name: string; person: Person | null };

async function post(app: App, person: Person, target: string, fields: Record<string, string | string[]> = {}): Promise<Response> {
  const browser = new Browser(app);
  for (const [name, value] of person.cookies) browser.cookies.set(name, value);
  const res = await browser.post(target, fields);
  expect(res.status, `POST ${target}`).toBeLessThan(400);
  person.cookies = new Map(browser.cookies);
  person.cookies.delete('flash');
  return res;
}

async function api(app: App, method: string, target: string, token: string | null, body?: unknown): Promise<Response> {
  const headers: Record<string, string> = { 'content-type': 'application/json' };
  if (token) headers.authorization = `Token ${token}`;
  return app.request(`${ORIGIN}${target}`, { method, headers, body: body === undefined ? undefined : JSON.stringify(body) });
}

/** Signs up on `app` through the form, then takes an API token there. */
async function signUp(app: App, username: string): Promise<Person> {
  const email = `${username}@example.com`;
  const person: Person = { cookies: new Map(), token: '', email, username };
  await post(app, person, '/register', { username, email, password: PASSWORD });
  const res = await api(app, 'POST', '/api/users/login', null, { user: { email, password: PASSWORD } });
  person.token = ((await res.json()) as { user: { token: string } }).user.token;
  return person;
}

/** One request as the reader sends it: pages with their cookie, the API with their token. */
async function ask(app: App, reader: Reader, target: string): Promise<string> {
  const headers: Record<string, string> = {};
  if (target.startsWith('/api/')) {
    if (reader.person) headers.authorization = `Token ${reader.person.token}`;
  } else if (reader.person) {
    headers.cookie = [...reader.person.cookies].map(([name, value]) => `${name}=${value}`).join('; ');
  }
  const res = await app.request(`${ORIGIN}${target}`, { headers });
  // an error page names its request, which no two requests share
  return `${res.status}\n${(await res.text()).replace(/(Request id: <code>)[^<]*/, '$1…')}`;
}

const slugOf = async (title: string) => {
  const { articles } = tablesOf(db);
  return (await db.select({ slug: articles.slug }).from(articles).where(eq(articles.title, title)))[0]!.slug;
};

const articleFields = (title: string, body: string) => ({ title, description: `About ${title}`, body, tagList: ['gardens'], tag: '', op: 'publish' });

/** What must show on the other node after a write: a request, and text its answer has (or lacks). */
type Shown = { target: string; has?: string[]; lacks?: string[]; status?: number; as?: 'anonymous' | 'signed in' };

describe('two nodes on one PostgreSQL database', () => {
  it(
    "a write through one node is seen by the other node's very next request, signed in and anonymous, on pages and through the API",
    async () => {
      const [a, b] = nodes;
      const alice = await signUp(a.app, 'alice');
      // the reader signs in on one node and reads on both: sessions live in the database
      const reader = await signUp(b.app, 'reader');
      const readers: Reader[] = [
        { name: 'anonymous', person: null },
        { name: 'signed in', person: reader },
      ];
      let slug = '';

      const useCases: Array<{ name: string; via: Node; write: () => Promise<void>; shown: () => Promise<Shown[]> }> = [
        {
          name: 'create article (web)',
          via: a,
          write: async () => {
            clock.advance(60_000);
            await post(a.app, alice, '/editor', articleFields('Winter garden', 'Frost on *kale*.'));
            slug = await slugOf('Winter garden');
          },
          shown: async () => [
            { target: '/', has: ['Winter garden'] },
            { target: `/article/${slug}`, has: ['Winter garden', 'Frost on <em>kale</em>'] },
            { target: '/profile/alice', has: ['Winter garden'] },
            { target: '/tag/gardens', has: ['Winter garden'] },
            { target: '/api/articles', has: ['"title":"Winter garden"'] },
            { target: `/api/articles/${slug}`, has: ['"body":"Frost on *kale*."'] },
          ],
        },
        {
          name: 'edit article (API)',
          via: b,
          write: async () => {
            clock.advance(60_000);
            const res = await api(b.app, 'PUT', `/api/articles/${slug}`, alice.token, { article: { body: 'Snow on *leeks*.', description: 'Leeks now' } });
            expect(res.status).toBe(200);
          },
          shown: async () => [
            { target: `/article/${slug}`, has: ['Snow on <em>leeks</em>'], lacks: ['kale'] },
            { target: '/', has: ['Leeks now'] },
            { target: `/api/articles/${slug}`, has: ['"body":"Snow on *leeks*."'] },
            { target: '/api/articles', has: ['"description":"Leeks now"'] },
          ],
        },
        {
          name: 'edit article (web, new title)',
          via: a,
          write: async () => {
            clock.advance(60_000);
            await post(a.app, alice, `/editor/${slug}`, articleFields('Spring garden', 'Snow on *leeks*.'));
            slug = await slugOf('Spring garden');
          },
          shown: async () => [
            { target: '/', has: ['Spring garden'], lacks: ['Winter garden'] },
            { target: `/article/${slug}`, has: ['Spring garden'] },
            { target: '/api/articles', has: ['"title":"Spring garden"'] },
          ],
        },
        {
          name: 'comment (web)',
          via: b,
          write: async () => {
            clock.advance(1000);
            await post(b.app, reader, `/article/${slug}/comments`, { body: 'Lovely leeks.' });
          },
          shown: async () => [
            { target: `/article/${slug}`, has: ['Lovely leeks.'] },
            { target: `/api/articles/${slug}/comments`, has: ['"body":"Lovely leeks."'] },
          ],
        },
        {
          name: 'comment (API)',
          via: a,
          write: async () => {
            clock.advance(1000);
            const res = await api(a.app, 'POST', `/api/articles/${slug}/comments`, alice.token, { comment: { body: 'Thank you!' } });
            expect(res.status).toBe(201);
          },
          shown: async () => [
            { target: `/article/${slug}`, has: ['Lovely leeks.', 'Thank you!'] },
            { target: `/api/articles/${slug}/comments`, has: ['"body":"Thank you!"'] },
          ],
        },
        {
          name: 'delete comment (API)',
          via: b,
          write: async () => {
            const { comments } = tablesOf(db);
            const [comment] = await db.select({ id: comments.id }).from(comments).where(eq(comments.body, 'Thank you!'));
            expect((await api(b.app, 'DELETE', `/api/articles/${slug}/comments/${comment!.id}`, alice.token)).status).toBe(204);
          },
          shown: async () => [
            { target: `/article/${slug}`, has: ['Lovely leeks.'], lacks: ['Thank you!'] },
            { target: `/api/articles/${slug}/comments`, lacks: ['Thank you!'] },
          ],
        },
        {
          name: 'favorite (API)',
          via: a,
          write: async () => {
            expect((await api(a.app, 'POST', `/api/articles/${slug}/favorite`, reader.token)).status).toBe(200);
          },
          shown: async () => [
            { target: `/api/articles/${slug}`, has: ['"favoritesCount":1'] },
            { target: `/api/articles/${slug}`, has: ['"favorited":true'], as: 'signed in' },
            { target: '/api/articles?favorited=reader', has: ['"title":"Spring garden"'] },
            { target: '/profile/reader/favorites', has: ['Spring garden'] },
          ],
        },
        {
          name: 'unfavorite (web)',
          via: b,
          write: async () => void (await post(b.app, reader, `/article/${slug}/unfavorite`)),
          shown: async () => [
            { target: `/api/articles/${slug}`, has: ['"favoritesCount":0', '"favorited":false'] },
            { target: '/profile/reader/favorites', lacks: ['Spring garden'] },
          ],
        },
        {
          name: 'follow (web)',
          via: a,
          write: async () => void (await post(a.app, reader, '/profile/alice/follow')),
          shown: async () => [
            { target: '/api/profiles/alice', has: ['"following":true'], as: 'signed in' },
            { target: '/?feed=following', has: ['Spring garden'], as: 'signed in' },
            { target: '/api/articles/feed', has: ['"title":"Spring garden"'], as: 'signed in' },
          ],
        },
        {
          name: 'unfollow (API)',
          via: b,
          write: async () => {
            expect((await api(b.app, 'DELETE', '/api/profiles/alice/follow', reader.token)).status).toBe(200);
          },
          shown: async () => [
            { target: '/api/profiles/alice', has: ['"following":false'], as: 'signed in' },
            { target: '/api/articles/feed', lacks: ['Spring garden'], as: 'signed in' },
          ],
        },
        {
          name: 'profile edit (web: bio and image)',
          via: a,
          write: async () => {
            await post(a.app, alice, '/settings', {
              image: 'https://example.com/alice.png',
              username: 'alice',
              bio: 'Grows leeks.',
              email: alice.email,
              password: '',
              currentPassword: '',
            });
          },
          shown: async () => [
            { target: '/profile/alice', has: ['Grows leeks.', 'https://example.com/alice.png'] },
            // the preview and the article page show the author's new picture: fragments keyed by it
            { target: '/', has: ['https://example.com/alice.png'] },
            { target: `/article/${slug}`, has: ['https://example.com/alice.png'] },
            { target: '/api/profiles/alice', has: ['"bio":"Grows leeks."'] },
          ],
        },
        {
          name: 'profile edit (API: username)',
          via: b,
          write: async () => {
            expect((await api(b.app, 'PUT', '/api/user', alice.token, { user: { username: 'alice2' } })).status).toBe(200);
          },
          shown: async () => [
            { target: '/profile/alice', status: 404 },
            { target: '/profile/alice2', has: ['Grows leeks.'] },
            { target: '/', has: ['/profile/alice2'] },
            { target: `/api/articles/${slug}`, has: ['"username":"alice2"'] },
          ],
        },
        {
          name: 'delete article (web)',
          via: a,
          write: async () => void (await post(a.app, alice, `/article/${slug}/delete`)),
          shown: async () => [
            { target: `/article/${slug}`, status: 410 },
            { target: '/', lacks: ['Spring garden'] },
            { target: `/api/articles/${slug}`, status: 404 },
            { target: '/api/articles', lacks: ['Spring garden'] },
          ],
        },
      ];

      /** Every cacheable answer the use cases touch, addressed from what the site holds now. */
      const everyTarget = async (): Promise<string[]> => {
        const { users } = tablesOf(db);
        const [author] = await db.select({ username: users.username }).from(users).where(eq(users.email, alice.email));
        const name = author!.username;
        const list = ['/', '/?feed=following', '/tag/gardens', `/profile/${name}`, '/profile/reader/favorites', '/about', '/feed.atom', '/sitemap.xml'];
        list.push('/api/articles', '/api/articles/feed', '/api/articles?favorited=reader', `/api/profiles/${name}`, '/api/tags');
        if (slug) list.push(`/article/${slug}`, `/api/articles/${slug}`, `/api/articles/${slug}/comments`);
        return list;
      };
      const warm = async () => {
        for (const node of nodes) for (const target of await everyTarget()) for (const who of readers) await ask(node.app, who, target);
      };

      for (const useCase of useCases) {
        await warm();
        const other = useCase.via === a ? b : a;
        const checks = await (async () => {
          await useCase.write();
          return useCase.shown();
        })();
        // first the very next requests on the other node: what the write must have changed
        for (const check of checks) {
          for (const who of readers) {
            if (check.as && check.as !== who.name) continue;
            const answer = await ask(other.app, who, check.target);
            const where = `${useCase.name} via ${useCase.via.name}: ${check.target} on ${other.name} for ${who.name}`;
            expect(answer.slice(0, answer.indexOf('\n')), where).toBe(String(check.status ?? 200));
            for (const text of check.has ?? []) expect(answer, where).toContain(text);
            for (const text of check.lacks ?? []) expect(answer, where).not.toContain(text);
          }
        }
        // then every cacheable answer, on both nodes, as a node that caches nothing answers it
        for (const node of [other, useCase.via]) {
          for (const target of await everyTarget()) {
            for (const who of readers) {
              expect(await ask(node.app, who, target), `${useCase.name}: ${target} on ${node.name} for ${who.name}`).toBe(await ask(node.fresh, who, target));
            }
          }
        }
      }
    },
    120_000,
  );
});
