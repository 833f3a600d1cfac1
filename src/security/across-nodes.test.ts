/**
 * Two Quire nodes on one PostgreSQL database behind a round-robin balancer, with no sticky
 * sessions (issue #15): a session, a rate limit and the sign-in back-off are the same whichever
 * node a request reaches. Each node is a createApp() over a pool of its own; they share the
 * database and nothing else (the clock is shared so that the test can move time).
 */
import { Hono } from 'hono';
import { afterEach, describe, expect, it } from 'vitest';
import { api } from '../api/test-helpers';
import { createApp } from '../app';
import type { Db } from '../db/client';
import { rateLimitBuckets, throttleCounters } from '../db/schema';
import { closePostgres, openPostgres, type PgDb } from '../db/postgres';
import { silentLog } from '../lib/logger';
import { Browser, createTestApp, insertArticle, insertUser, PASSWORD, rowCount, testEnv, type TestApp } from '../test-support';
import { postgresTestDbUrl } from '../test-support/postgres';

const MINUTE = 60_000;

const pools: PgDb[] = [];
afterEach(async () => {
  await Promise.all(pools.splice(0).map(closePostgres));
});

type Node = TestApp['app'];

/**
 * Node 0 is createTestApp()'s; node 1 a second app on a second pool of the same database. The
 * balancer sends each request to the next node in turn and notes which one served it.
 */
async function twoNodes(env: Record<string, string> = {}) {
  const t = await createTestApp({ engine: 'postgres', env });
  const pool = await openPostgres(postgresTestDbUrl(t.db), { migrate: false, max: 4 });
  pools.push(pool);
  const other = createApp({ db: pool as unknown as Db, env: testEnv(env), clock: t.clock, log: silentLog });
  const nodes: Node[] = [t.app, other as unknown as Node];
  const served: number[] = [];
  const balancer = new Hono();
  balancer.all('*', (c) => {
    const node = served.length % nodes.length;
    served.push(node);
    return nodes[node]!.fetch(c.req.raw, c.env);
  });
  return { t, nodes, served, balanced: balancer as unknown as Node };
}

/** `browser`'s cookies, carried to a browser on `node`: the same person, another node. */
function sameBrowserOn(node: Node, browser: Browser, ip?: string): Browser {
  const moved = new Browser(node, ip ? { ip } : {});
  for (const [name, value] of browser.cookies) moved.cookies.set(name, value);
  return moved;
}

async function expectSignedIn(browser: Browser, username: string): Promise<void> {
  const res = await browser.get('/settings');
  expect(res.status).toBe(200);
  expect(await res.text()).toContain(username);
}

async function expectSignedOut(browser: Browser): Promise<void> {
  const res = await browser.get('/settings');
  expect(res.status).toBe(303);
  expect(res.headers.get('location')).toBe('/login');
}

describe('sessions across nodes', () => {
  it('a session made on one node is valid on the other; signing out on one ends it on both', async () => {
    const { t, nodes } = await twoNodes();
    await insertUser(t.db, 'alice');
    const onA = new Browser(nodes[0]!);
    expect((await onA.post('/login', { email: 'alice@example.com', password: PASSWORD })).status).toBe(303);
    const onB = sameBrowserOn(nodes[1]!, onA);
    await expectSignedIn(onB, 'alice');
    await expectSignedIn(onA, 'alice');

    expect((await onA.post('/logout')).status).toBe(303);
    // B still holds the cookie, but the session it names is gone
    expect(onB.cookies.get('session')).toBeTruthy();
    await expectSignedOut(onB);
  });

  it("ending one's other sessions on one node ends them on every node, the API's tokens too", async () => {
    const { t, nodes } = await twoNodes();
    await insertUser(t.db, 'alice');
    const here = new Browser(nodes[0]!);
    const elsewhere = new Browser(nodes[1]!);
    for (const browser of [here, elsewhere]) {
      expect((await browser.post('/login', { email: 'alice@example.com', password: PASSWORD })).status).toBe(303);
    }
    const login = await api({ app: nodes[1]! } as TestApp).post('/users/login', { user: { email: 'alice@example.com', password: PASSWORD } });
    const token = login.body.user.token as string;
    expect((await api({ app: nodes[0]! } as TestApp).get('/user', token)).status).toBe(200);

    expect((await here.post('/settings/sessions/others/delete')).status).toBe(303);
    await expectSignedIn(sameBrowserOn(nodes[1]!, here), 'alice');
    await expectSignedOut(elsewhere);
    await expectSignedOut(sameBrowserOn(nodes[0]!, elsewhere));
    expect((await api({ app: nodes[1]! } as TestApp).get('/user', token)).status).toBe(401);
  });
});

describe('limits across nodes, requests taking turns between them', () => {
  it('a per-user limit is one budget: spent on either node, refused on either', async () => {
    const { t, balanced, served } = await twoNodes({ RATE_LIMIT_COMMENTS: '3/h' });
    const author = await insertUser(t.db, 'author');
    const { slug } = await insertArticle(t.db, author.id, { title: 'Shared' });
    const browser = new Browser(balanced);
    expect((await browser.post('/login', { email: 'author@example.com', password: PASSWORD })).status).toBe(303);
    browser.cookies.delete('flash');
    const statuses: number[] = [];
    for (let i = 0; i < 5; i++) {
      const res = await browser.post(`/article/${slug}/comments`, { body: `Comment ${i}` });
      statuses.push(res.status);
      if (res.status === 429) expect(res.headers.get('retry-after')).toBe(String(20 * 60));
    }
    // three in all, whichever node took them; both nodes refused one
    expect(statuses).toEqual([303, 303, 303, 429, 429]);
    expect(new Set(served.slice(1))).toEqual(new Set([0, 1]));
    t.clock.advance(20 * MINUTE);
    expect((await browser.post(`/article/${slug}/comments`, { body: 'Later' })).status).toBe(303);
    // the budget is in the database, not in either node
    expect(await rowCount(t.db, rateLimitBuckets)).toBeGreaterThan(0);
  });

  it('the sign-in back-off counts failures on both nodes together', async () => {
    const { t, balanced } = await twoNodes();
    await insertUser(t.db, 'alice');
    const statuses: number[] = [];
    for (let i = 0; i < 6; i++) {
      const res = await new Browser(balanced, { ip: `198.51.100.${i + 1}` }).post('/login', { email: 'alice@example.com', password: 'wrong guess' });
      statuses.push(res.status);
    }
    // as on one node: two checked, then backing off (each node counting alone would have let four through)
    expect(statuses).toEqual([422, 422, 429, 429, 429, 429]);
    expect(await rowCount(t.db, throttleCounters)).toBeGreaterThan(0);
    t.clock.advance(MINUTE);
    const owner = new Browser(balanced, { ip: '192.0.2.10' });
    expect((await owner.post('/login', { email: 'alice@example.com', password: PASSWORD })).status).toBe(303);
  });

  it('the global budget per address is each node\'s own (docs/decisions/010-postgresql.md)', async () => {
    const { balanced } = await twoNodes({ RATE_LIMIT_GLOBAL: '2/m' });
    const browser = new Browser(balanced, { ip: '203.0.113.20' });
    const statuses: number[] = [];
    for (let i = 0; i < 6; i++) statuses.push((await browser.get('/about')).status);
    // two on each node, then both refuse
    expect(statuses).toEqual([200, 200, 200, 200, 429, 429]);
  });
});
