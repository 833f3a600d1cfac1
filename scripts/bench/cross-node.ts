/**
 * `npx tsx scripts/bench/cross-node.ts [--writes=200] [--url=postgres://.../postgres]`
 *
 * The cross-node invalidation delay: two `quire serve` nodes on one PostgreSQL database; a write
 * through node A, while node B is asked for the page that shows it, again and again, as an
 * anonymous reader (a cached page: the case where a stale answer could be kept). For each write,
 * the delay is the time B's first answer showing the change arrived, less the time A's answer to
 * the write arrived (negative: B showed it before A's answer had come back). Half the writes are
 * comments (B reads the article page, which follows that article's comments version), half are
 * articles (B reads the home page, which follows the content version).
 *
 * Also says how often the first request B was sent after A's write returned already showed it:
 * the contract is "every time" (src/cache/versions.ts reads the versions per request).
 *
 * Without --url, a throwaway PostgreSQL cluster is started (src/test-support/postgres-cluster.ts).
 * Everything runs on this machine: the two nodes, PostgreSQL and this client share its cores.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import pg from 'pg';
import { startPostgresCluster, type PostgresCluster } from '../../src/test-support/postgres-cluster';
import { startPostgresNode, type Quire } from '../../src/test-support/quire-process';

const PASSWORD = 'lantern orchard velvet';

type Sample = { kind: 'comment' | 'article'; delayMs: number; nextRequestShowed: boolean; polls: number };

function option(name: string): string | undefined {
  return process.argv.find((arg) => arg.startsWith(`--${name}=`))?.slice(name.length + 3);
}

/** A node; the writes come from one user at a rate no limit allows, and limits are not what is measured. */
const startNode = (databaseUrl: string, dir: string, name: string) => startPostgresNode(databaseUrl, dir, name, { env: { RATE_LIMITS: 'off' } });

async function json<T>(res: Response, what: string): Promise<T> {
  if (!res.ok) throw new Error(`${what}: ${res.status} ${await res.text()}`);
  return (await res.json()) as T;
}

/** One write through `writer`, while `reader` is asked for `target` until its answer holds `marker`. */
async function measureOne(write: () => Promise<void>, readerUrl: string, marker: string): Promise<Omit<Sample, 'kind'>> {
  let returnedAt = Number.POSITIVE_INFINITY;
  let seenAt = 0;
  let nextRequestShowed = false;
  let firstAfterWrite = true;
  let polls = 0;
  let seen = false;
  const poll = (async () => {
    while (!seen) {
      const sentAt = performance.now();
      const text = await (await fetch(readerUrl)).text();
      polls++;
      const sentAfterWrite = sentAt >= returnedAt;
      if (text.includes(marker)) {
        seen = true;
        seenAt = performance.now();
        if (sentAfterWrite && firstAfterWrite) nextRequestShowed = true;
        if (!sentAfterWrite) nextRequestShowed = true; // shown even before the write had returned
      } else if (sentAfterWrite) {
        firstAfterWrite = false;
      }
    }
  })();
  await write();
  returnedAt = performance.now();
  await poll;
  return { delayMs: seenAt - returnedAt, nextRequestShowed, polls };
}

const percentile = (sorted: number[], p: number) => sorted[Math.min(sorted.length - 1, Math.floor(sorted.length * p))]!;

function summary(samples: Sample[]): string {
  const delays = samples.map((sample) => sample.delayMs).sort((a, b) => a - b);
  const next = samples.filter((sample) => sample.nextRequestShowed).length;
  return (
    `p50 ${percentile(delays, 0.5).toFixed(2)} ms, p99 ${percentile(delays, 0.99).toFixed(2)} ms, ` +
    `min ${delays[0]!.toFixed(2)}, max ${delays[delays.length - 1]!.toFixed(2)} ms; ` +
    `the next request showed it ${next}/${samples.length}`
  );
}

async function main() {
  const writes = Number(option('writes') ?? 200);
  const given = option('url');
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'quire-cross-node-'));
  let cluster: PostgresCluster | null = null;
  const nodes: Quire[] = [];
  try {
    const server = given ?? (cluster = await startPostgresCluster()).url;
    const name = `quire_cross_node_${process.pid}`;
    const admin = new pg.Client({ connectionString: server });
    await admin.connect();
    await admin.query(`create database ${name}`);
    await admin.end();
    const url = new URL(server);
    url.pathname = `/${name}`;

    // two nodes starting together: one migrates, the other waits on the lock
    const [a, b] = await Promise.all([startNode(url.toString(), dir, 'a'), startNode(url.toString(), dir, 'b')]);
    nodes.push(a.quire, b.quire);

    const { user } = await json<{ user: { token: string } }>(
      await fetch(`${a.url}/api/users`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ user: { username: 'writer', email: 'writer@example.com', password: PASSWORD } }),
      }),
      'sign up',
    );
    const headers = { 'content-type': 'application/json', authorization: `Token ${user.token}` };
    const post = (target: string, body: unknown) => fetch(`${a.url}${target}`, { method: 'POST', headers, body: JSON.stringify(body) });
    const { article } = await json<{ article: { slug: string } }>(
      await post('/api/articles', { article: { title: 'Commented', description: 'Comments go here', body: 'Say something.', tagList: [] } }),
      'article',
    );

    // warm both nodes: the JIT, the pools, the caches
    for (let i = 0; i < 200; i++) {
      await (await fetch(`${b.url}/article/${article.slug}`)).text();
      await (await fetch(`${b.url}/`)).text();
      await (await fetch(`${a.url}/`)).text();
    }

    const samples: Sample[] = [];
    for (let i = 0; i < writes; i++) {
      const marker = `marker-${i}-${Math.random().toString(36).slice(2, 10)}`;
      if (i % 2 === 0) {
        const sample = await measureOne(
          async () => void (await json(await post(`/api/articles/${article.slug}/comments`, { comment: { body: `Comment ${marker}` } }), 'comment')),
          `${b.url}/article/${article.slug}`,
          marker,
        );
        samples.push({ kind: 'comment', ...sample });
      } else {
        const sample = await measureOne(
          async () => void (await json(await post('/api/articles', { article: { title: `Article ${marker}`, description: 'd', body: 'b', tagList: [] } }), 'article')),
          `${b.url}/`,
          marker,
        );
        samples.push({ kind: 'article', ...sample });
      }
    }

    // what one of B's requests takes, for scale: the poll's own granularity
    const single: number[] = [];
    for (let i = 0; i < 200; i++) {
      const started = performance.now();
      await (await fetch(`${b.url}/article/${article.slug}`)).text();
      single.push(performance.now() - started);
    }
    single.sort((x, y) => x - y);

    const load = os.loadavg().map((value) => value.toFixed(1)).join(' ');
    process.stdout.write(
      `cross-node invalidation delay, ${writes} writes on node A, node B polled ` +
        `(${os.cpus().length} cores, load average ${load}, PostgreSQL ${cluster?.version ?? 'given'})\n`,
    );
    process.stdout.write(`  all:      ${summary(samples)}\n`);
    process.stdout.write(`  comments: ${summary(samples.filter((s) => s.kind === 'comment'))}  (B: /article/:slug)\n`);
    process.stdout.write(`  articles: ${summary(samples.filter((s) => s.kind === 'article'))}  (B: /)\n`);
    process.stdout.write(`  one cached article page from B: p50 ${percentile(single, 0.5).toFixed(2)} ms, p99 ${percentile(single, 0.99).toFixed(2)} ms\n`);
  } finally {
    for (const node of nodes) if (node.running) node.child.kill('SIGTERM');
    await Promise.all(nodes.map((node) => node.exited.catch(() => null)));
    await cluster?.stop();
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

main().catch((error: unknown) => {
  process.stderr.write(`${(error as Error).stack ?? String(error)}\n`);
  process.exit(1);
});
