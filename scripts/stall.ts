/**
 * `npx tsx scripts/stall.ts [--root DIR] [--seconds 20] [--rate-limits on|off] [--port 4951]`:
 * can one client stall the server? Starts Quire as `npm start` runs it (scripts/start.mjs, from
 * DIR: another checkout measures another version) on 127.0.0.1 with a fresh database, then, for
 * each endpoint that can be made to work hard, four clients send it the costliest input found for
 * `--seconds` while one more asks /healthz every 20 ms. Prints /healthz's median, p99 and max per
 * endpoint, and what the four clients were answered. Run by hand; not a test (its figures depend
 * on the machine). The figures go in SECURITY.md ("Denial of service").
 *
 * With --rate-limits off the limits are out of the way, so what is left is the worker thread
 * (src/lib/offthread.ts) alone; with them on (the default), what a deployed server does.
 */
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';

const { values: args } = parseArgs({
  options: {
    root: { type: 'string', default: path.resolve(import.meta.dirname, '..') },
    seconds: { type: 'string', default: '20' },
    'rate-limits': { type: 'string', default: 'on' },
    port: { type: 'string', default: '4951' },
    only: { type: 'string' },
  },
});
const SECONDS = Number(args.seconds);
const PORT = Number(args.port);
const ORIGIN = `http://127.0.0.1:${PORT}`;
const CLIENTS = 4;
const HEALTH_EVERY_MS = 20;

/** 100 characters of days, months and years: zxcvbn's date and sequence matching at its slowest. */
const COSTLY_PASSWORD = Array.from({ length: 40 }, (_, i) => `${1 + (i % 28)}${1 + (i % 12)}${1950 + i}`).join('').slice(0, 100);

/** An 80 KB Markdown table of links, emphasis and code: markdown-it's inline rules on every cell. */
function costlyBody(): string {
  const columns = 8;
  const header = `| ${Array.from({ length: columns }, (_, i) => `col ${i}`).join(' | ')} |\n|${' --- |'.repeat(columns)}\n`;
  const rows: string[] = [];
  let size = header.length;
  for (let row = 0; size < 80_000; row++) {
    const line = `| ${Array.from({ length: columns }, (_, i) => (i % 2 ? `*e${row}*` : `[l](https://e.x/${row})`)).join(' | ')} |\n`;
    rows.push(line);
    size += line.length;
  }
  return header + rows.join('');
}

const BODY = costlyBody();

type Attack = { name: string; send: (client: number, n: number) => Promise<number> };

async function post(pathname: string, init: RequestInit): Promise<number> {
  const res = await fetch(`${ORIGIN}${pathname}`, { redirect: 'manual', ...init });
  await res.arrayBuffer();
  return res.status;
}

const form = (fields: Record<string, string>) => new URLSearchParams(fields).toString();
const formHeaders = (cookie?: string) => ({
  'content-type': 'application/x-www-form-urlencoded',
  origin: ORIGIN,
  ...(cookie && { cookie }),
});

async function waitForHealth(child: ReturnType<typeof spawn>): Promise<void> {
  const deadline = Date.now() + 60_000;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) throw new Error(`the server exited with ${child.exitCode}`);
    try {
      if ((await fetch(`${ORIGIN}/healthz`)).ok) return;
    } catch {
      // not listening yet
    }
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  throw new Error('the server did not answer /healthz within 60 s');
}

/** A user with an API token and a web session, and one article of theirs with the costly body. */
async function setUp(): Promise<{ token: string; cookie: string; slug: string }> {
  const user = { username: 'stall', email: 'stall@example.com', password: 'velvet-otter-quarry-71' };
  const res = await fetch(`${ORIGIN}/api/users`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ user }),
  });
  if (res.status !== 201 && res.status !== 200) throw new Error(`sign-up answered ${res.status}: ${await res.text()}`);
  const { user: created } = (await res.json()) as { user: { token: string } };
  const article = await fetch(`${ORIGIN}/api/articles`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Token ${created.token}` },
    body: JSON.stringify({ article: { title: 'Stall', description: 'A big table', body: BODY, tagList: [] } }),
  });
  if (!article.ok) throw new Error(`creating the article answered ${article.status}: ${await article.text()}`);
  const { article: made } = (await article.json()) as { article: { slug: string } };
  const login = await fetch(`${ORIGIN}/login`, {
    method: 'POST',
    redirect: 'manual',
    headers: formHeaders(),
    body: form({ email: user.email, password: user.password }),
  });
  const cookie = (login.headers.getSetCookie()[0] ?? '').split(';')[0]!;
  if (login.status !== 303 || !cookie) throw new Error(`signing in answered ${login.status}`);
  return { token: created.token, cookie, slug: made.slug };
}

function attacks(session: { token: string; cookie: string; slug: string }): Attack[] {
  const fresh = (client: number, n: number) => `s${process.pid}c${client}n${n}${Math.random().toString(36).slice(2, 8)}`;
  return [
    {
      name: 'POST /password-strength',
      send: (client, n) =>
        post('/password-strength', { method: 'POST', headers: formHeaders(), body: form({ password: COSTLY_PASSWORD, username: fresh(client, n) }) }),
    },
    {
      name: 'POST /register',
      send: (client, n) => {
        const name = fresh(client, n);
        return post('/register', { method: 'POST', headers: formHeaders(), body: form({ username: name, email: `${name}@example.com`, password: COSTLY_PASSWORD }) });
      },
    },
    {
      name: 'POST /api/users',
      send: (client, n) => {
        const name = fresh(client, n);
        return post('/api/users', {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify({ user: { username: name, email: `${name}@example.com`, password: COSTLY_PASSWORD } }),
        });
      },
    },
    {
      name: 'POST /editor/:slug',
      send: (_client, n) =>
        post(`/editor/${session.slug}`, {
          method: 'POST',
          headers: formHeaders(session.cookie),
          // the same title keeps the slug; a changing body is rendered every time
          body: form({ title: 'Stall', description: `A big table ${n}`, body: `${BODY}\n${n}`, op: 'publish' }),
        }),
    },
    {
      name: 'PUT /api/articles/:slug',
      send: (_client, n) =>
        post(`/api/articles/${session.slug}`, {
          method: 'PUT',
          headers: { 'content-type': 'application/json', authorization: `Token ${session.token}` },
          body: JSON.stringify({ article: { body: `${BODY}\n${n}` } }),
        }),
    },
  ];
}

const percentile = (sorted: number[], p: number) => sorted[Math.min(sorted.length - 1, Math.floor((sorted.length * p) / 100))]!;

async function measure(attack: Attack): Promise<string> {
  const until = Date.now() + SECONDS * 1000;
  const statuses = new Map<number, number>();
  const clients = Array.from({ length: CLIENTS }, async (_, client) => {
    for (let n = 0; Date.now() < until; n++) {
      const status = await attack.send(client, n).catch(() => 0);
      statuses.set(status, (statuses.get(status) ?? 0) + 1);
    }
  });
  const health: number[] = [];
  let failed = 0;
  const probe = (async () => {
    while (Date.now() < until) {
      const t0 = performance.now();
      try {
        const res = await fetch(`${ORIGIN}/healthz`);
        await res.arrayBuffer();
      } catch {
        // a keep-alive connection the server closed as it was reused: counted, at its time
        failed++;
      }
      health.push(performance.now() - t0);
      await new Promise((resolve) => setTimeout(resolve, HEALTH_EVERY_MS));
    }
  })();
  await Promise.all([...clients, probe]);
  health.sort((a, b) => a - b);
  const answered = [...statuses].sort(([a], [b]) => a - b).map(([status, count]) => `${status}x${count}`).join(' ');
  return `${attack.name.padEnd(26)} /healthz n=${health.length} median ${percentile(health, 50).toFixed(1)} ms, p99 ${percentile(health, 99).toFixed(1)} ms, max ${health.at(-1)!.toFixed(1)} ms, ${failed} failed; attackers: ${answered}`;
}

async function main(): Promise<void> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'quire-stall-'));
  const child = spawn(process.execPath, [path.join(args.root, 'scripts/start.mjs'), 'serve'], {
    cwd: args.root,
    env: {
      PATH: process.env.PATH,
      PORT: String(PORT),
      HOST: '127.0.0.1',
      DATABASE_PATH: path.join(dir, 'quire.db'),
      PUBLIC_URL: ORIGIN,
      RATE_LIMITS: args['rate-limits'],
      // many sign-ups from one address would otherwise stop at the sign-up limit before the check
      ...(args['rate-limits'] === 'on' ? {} : { RATE_LIMIT_SIGNUP: '1000000/h' }),
      NODE_ENV: 'production',
    },
    stdio: ['ignore', 'ignore', 'inherit'],
  });
  try {
    await waitForHealth(child);
    const session = await setUp();
    console.log(`${args.root}, rate limits ${args['rate-limits']}, ${CLIENTS} clients x ${SECONDS} s per endpoint, body ${BODY.length} chars`);
    for (const attack of attacks(session)) {
      if (args.only && !attack.name.includes(args.only)) continue;
      console.log(await measure(attack));
    }
  } finally {
    child.kill('SIGTERM');
    await new Promise((resolve) => child.once('exit', resolve));
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

await main();
