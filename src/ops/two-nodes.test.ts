/**
 * The real thing (issue #15): PostgreSQL, two `quire serve` processes on one fresh database
 * (started together: one migrates, the other waits on the lock), and a load balancer in front
 * (src/test-support/balancer.ts: round robin, no sticky sessions, a node that refuses connections
 * left out), all on 127.0.0.1. People use the site only through the balancer: a writer signs up
 * and writes, her requests landing on both nodes, and every change shows from both nodes, to her
 * and to an anonymous reader. Then, with requests still coming, one node is stopped (SIGTERM) and
 * the site answers every one of them.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { NODE_HEADER, startBalancer, type Balancer } from '../test-support/balancer';
import { createEmptyPostgresDatabase } from '../test-support/postgres';
import { startPostgresNode, type Quire } from '../test-support/quire-process';

const PASSWORD = 'lantern orchard velvet';
/** two processes start, a user signs up twice (Argon2), a hundred-odd requests: on a busy 2-core machine */
const TIMEOUT_MS = 120_000;

let dir: string;
let nodes: Quire[];
let balancer: Balancer | null;

beforeEach(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'quire-two-nodes-'));
  nodes = [];
  balancer = null;
});

afterEach(async () => {
  for (const node of nodes) if (node.running) node.child.kill('SIGKILL');
  await Promise.all(nodes.map((node) => node.exited.catch(() => null)));
  await balancer?.close();
  fs.rmSync(dir, { recursive: true, force: true });
});

/** A node behind the balancer, stopped by afterEach even if it never listens. */
const startNode = (databaseUrl: string, publicUrl: string, name: string) =>
  startPostgresNode(databaseUrl, dir, name, { env: { PUBLIC_URL: publicUrl }, started: (quire) => nodes.push(quire) });

type Answer = { status: number; node: number; location: string | null; text: string };

/** A person's browser, pointed at the balancer: a cookie jar, redirects not followed. */
class Visitor {
  readonly cookies = new Map<string, string>();
  constructor(private readonly site: string) {}

  async request(target: string, init: RequestInit = {}): Promise<Answer> {
    const headers = new Headers(init.headers);
    if (this.cookies.size > 0) headers.set('cookie', [...this.cookies].map(([name, value]) => `${name}=${value}`).join('; '));
    const res = await fetch(`${this.site}${target}`, { ...init, headers, redirect: 'manual' });
    for (const line of res.headers.getSetCookie()) {
      const [pair, ...attributes] = line.split(';');
      const name = pair!.slice(0, pair!.indexOf('=')).trim();
      const value = pair!.slice(pair!.indexOf('=') + 1).trim();
      if (value === '' || attributes.some((attribute) => /max-age=0\b|expires=Thu, 01 Jan 1970/i.test(attribute))) this.cookies.delete(name);
      else this.cookies.set(name, value);
    }
    return { status: res.status, node: Number(res.headers.get(NODE_HEADER)), location: res.headers.get('location'), text: await res.text() };
  }

  /** A form sent from the site's own page (its Origin), as a browser sends it. */
  post(target: string, fields: Record<string, string | string[]>): Promise<Answer> {
    const body = new URLSearchParams();
    for (const [name, value] of Object.entries(fields)) for (const v of [value].flat()) body.append(name, v);
    return this.request(target, { method: 'POST', body, headers: { 'content-type': 'application/x-www-form-urlencoded', origin: this.site } });
  }
}

describe('two Quire nodes on PostgreSQL behind a load balancer', () => {
  it(
    'a writer signs up and writes through the balancer, every change shows from both nodes, and the site keeps answering while a node stops',
    async () => {
      const database = await createEmptyPostgresDatabase();
      balancer = await startBalancer();
      const [a, b] = await Promise.all([startNode(database, balancer.url, 'a'), startNode(database, balancer.url, 'b')]);
      balancer.nodes.push(a.url, b.url);
      const site = balancer.url;

      const writer = new Visitor(site);
      const anonymous = new Visitor(site);
      const writes: number[] = [];
      /** a form post that must succeed with a redirect; the node that took it is remembered */
      const write = async (target: string, fields: Record<string, string | string[]>) => {
        const answer = await writer.post(target, fields);
        expect(answer.status, `POST ${target}: ${answer.text.slice(0, 300)}`).toBe(303);
        writes.push(answer.node);
        writer.cookies.delete('flash');
        return answer;
      };
      /** `target` asked until both nodes have answered it: each answer must show (or not show) the texts */
      const fromBothNodes = async (who: Visitor, target: string, expected: { has?: string[]; lacks?: string[]; status?: number }) => {
        const answered = new Set<number>();
        for (let i = 0; i < 6 && answered.size < 2; i++) {
          const answer = await who.request(target);
          answered.add(answer.node);
          const where = `${target} from node ${answer.node} for ${who === anonymous ? 'an anonymous reader' : 'the writer'}`;
          expect(answer.status, where).toBe(expected.status ?? 200);
          for (const text of expected.has ?? []) expect(answer.text, where).toContain(text);
          for (const text of expected.lacks ?? []) expect(answer.text, where).not.toContain(text);
        }
        expect([...answered].sort(), `${target} answered by both nodes`).toEqual([0, 1]);
      };
      const everyone = async (target: string, expected: { has?: string[]; lacks?: string[]; status?: number }) => {
        await fromBothNodes(writer, target, expected);
        await fromBothNodes(anonymous, target, expected);
      };

      // both nodes answer before anything is written (the anonymous pages are now cached on both)
      await everyone('/', { has: ['No articles are here yet.'] });

      // a second author to follow, signed up through the API
      const signUp = await fetch(`${site}/api/users`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ user: { username: 'bob', email: 'bob@example.com', password: PASSWORD } }),
      });
      expect(signUp.status).toBe(201);

      // the writer signs up on one node; her session cookie works on both
      await write('/register', { username: 'alice', email: 'alice@example.com', password: PASSWORD });
      await fromBothNodes(writer, '/settings', { has: ['alice@example.com'] });

      const created = await write('/editor', { title: 'Winter garden', description: 'Frost', body: 'Frost on *kale*.', tagList: ['gardens'], tag: '', op: 'publish' });
      const article = created.location!;
      expect(article).toBe('/article/winter-garden');
      await everyone('/', { has: ['Winter garden'] });
      await everyone(article, { has: ['Frost on <em>kale</em>'] });
      await everyone('/api/articles', { has: ['"title":"Winter garden"'] });

      await write('/editor/winter-garden', { title: 'Winter garden', description: 'Leeks', body: 'Snow on *leeks*.', tagList: ['gardens'], tag: '', op: 'publish' });
      await everyone(article, { has: ['Snow on <em>leeks</em>'], lacks: ['kale'] });
      await everyone('/api/articles/winter-garden', { has: ['"body":"Snow on *leeks*."'] });

      await write(`${article}/comments`, { body: 'First frost tonight.' });
      await everyone(article, { has: ['First frost tonight.'] });
      await everyone(`/api/articles/winter-garden/comments`, { has: ['"body":"First frost tonight."'] });

      await write(`${article}/favorite`, {});
      await everyone('/api/articles/winter-garden', { has: ['"favoritesCount":1'] });
      await fromBothNodes(writer, '/profile/alice/favorites', { has: ['Winter garden'] });

      await write('/profile/bob/follow', {});
      await fromBothNodes(writer, '/profile/bob', { has: ['Unfollow'] });
      await fromBothNodes(anonymous, '/profile/bob', { lacks: ['Unfollow'] });

      await write('/settings', { image: 'https://example.com/alice.png', username: 'alice', bio: 'Grows leeks.', email: 'alice@example.com', password: '', currentPassword: '' });
      await everyone('/profile/alice', { has: ['Grows leeks.', 'https://example.com/alice.png'] });
      await everyone('/', { has: ['https://example.com/alice.png'] });

      // the writes themselves landed on both nodes
      expect(new Set(writes)).toEqual(new Set([0, 1]));

      // now a node stops while requests keep coming: four visitors at once, reads and comments
      const before = [...balancer.served];
      const answers: Answer[] = [];
      let stopped = false;
      const stopAfter = 20;
      const traffic = async (who: Visitor, turn: number) => {
        for (let i = 0; i < 20; i++) {
          const answer = turn === 0 && i % 4 === 3 ? await writer.post(`${article}/comments`, { body: `Still here ${i}.` }) : await who.request(i % 2 ? article : '/');
          answers.push(answer);
          if (!stopped && answers.length >= stopAfter) {
            stopped = true;
            a.quire.child.kill('SIGTERM');
          }
        }
      };
      await Promise.all([traffic(writer, 0), traffic(anonymous, 1), traffic(new Visitor(site), 2), traffic(writer, 3)]);

      expect(await a.quire.exited).toBe(0);
      expect(answers).toHaveLength(80);
      for (const answer of answers) expect(answer.status, answer.text.slice(0, 300)).toBeLessThan(400);
      expect(balancer.failed).toBe(0);
      // node A had its share before it stopped, and node B took everything after
      expect(balancer.served[0]! - before[0]!).toBeGreaterThan(0);
      expect(answers.slice(-10).every((answer) => answer.node === 1)).toBe(true);
      // the comments written while it stopped are all there, from the node still running
      const page = await writer.request(article);
      expect(page.node).toBe(1);
      for (const i of [3, 7, 11, 15, 19]) expect(page.text).toContain(`Still here ${i}.`);
      expect((await fetch(`${site}/healthz`)).status).toBe(200);
      expect(fs.readdirSync(dir)).toEqual([]);

      b.quire.child.kill('SIGTERM');
      expect(await b.quire.exited).toBe(0);
    },
    TIMEOUT_MS,
  );
});
