/**
 * `quire serve` as a node behind a load balancer sees it: stopped by SIGTERM it drains (the request
 * in flight completes, new connections are refused, exit 0), and /healthz says whether the node can
 * reach its database (503 while the network to PostgreSQL is cut, 200 once it is back) and whether
 * it is shutting down. Real processes on a real database, on both engines.
 */
import fs from 'node:fs';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import { eq } from 'drizzle-orm';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createApp } from '../app';
import { tablesOf } from '../db/engine';
import { silentLog } from '../lib/logger';
import { createSharedTestDb, createTestDb, testEnv, type SharedTestDb } from '../test-support';
import { PROCESS_TEST_TIMEOUT_MS, Quire } from '../test-support/quire-process';
import { startTcpProxy, throughProxy, type TcpProxy } from '../test-support/tcp-proxy';

const PASSWORD = 'lantern orchard velvet';

let dir: string;
let processes: Quire[];
let shared: SharedTestDb | null;
let proxy: TcpProxy | null;

beforeEach(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'quire-drain-test-'));
  processes = [];
  shared = null;
  proxy = null;
});

afterEach(async () => {
  for (const quire of processes) {
    if (quire.running) quire.child.kill('SIGKILL');
    await quire.exited.catch(() => {});
  }
  await proxy?.close();
  await shared?.close();
  fs.rmSync(dir, { recursive: true, force: true });
});

async function startServer(databaseEnv: Record<string, string>): Promise<{ server: Quire; url: string }> {
  const env = {
    PATH: process.env.PATH ?? '/usr/bin:/bin',
    HOME: process.env.HOME ?? dir,
    DATABASE_PATH: path.join(dir, 'quire.db'),
    LOG_FORMAT: 'json',
    PORT: '0',
    HOST: '127.0.0.1',
    ...databaseEnv,
  };
  const server = new Quire(['serve'], env);
  processes.push(server);
  const listening = JSON.parse(await server.waitForLine(/"msg":"listening"/)) as { url: string };
  return { server, url: listening.url };
}

/** What a refused connection does to fetch(): its cause's code. */
async function connectionError(url: string): Promise<string | undefined> {
  try {
    await fetch(url);
    return undefined;
  } catch (error) {
    return ((error as Error).cause as NodeJS.ErrnoException | undefined)?.code;
  }
}

type Answer = { status: number; headers: http.IncomingHttpHeaders; body: string };

/**
 * A sign-up through the API whose body is held back until `release()`: `received` resolves once the
 * server has the request (its 100 Continue), so the request is in flight from then on.
 */
function heldSignUp(url: string, username: string) {
  const body = JSON.stringify({ user: { username, email: `${username}@example.com`, password: PASSWORD } });
  const request = http.request(`${url}/api/users`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body), expect: '100-continue' },
  });
  const received = new Promise<void>((resolve) => request.once('continue', resolve));
  const answer = new Promise<Answer>((resolve, reject) => {
    request.once('error', reject);
    request.once('response', (res) => {
      let text = '';
      res.setEncoding('utf8').on('data', (chunk: string) => (text += chunk));
      res.once('end', () => resolve({ status: res.statusCode!, headers: res.headers, body: text }));
    });
  });
  return { received, answer, release: () => request.end(body) };
}

describe.each(['sqlite', 'postgres'] as const)('quire serve on %s, stopped by SIGTERM', (engine) => {
  it(
    'finishes the request in flight, refuses new connections meanwhile, and exits 0',
    async () => {
      shared = await createSharedTestDb(engine);
      const { server, url } = await startServer(shared.env);
      expect((await fetch(`${url}/healthz`)).status).toBe(200);

      const signUp = heldSignUp(url, 'alice');
      await signUp.received;
      server.child.kill('SIGTERM');
      await server.waitForLine(/"msg":"stopping"/);

      // the listening socket is closed: a balancer's next connection goes to another node
      expect(await connectionError(`${url}/healthz`)).toBe('ECONNREFUSED');
      expect(server.running).toBe(true);

      signUp.release();
      const answer = await signUp.answer;
      expect(answer.status).toBe(201);
      expect(answer.headers.connection).toBe('close');
      expect(await server.exited).toBe(0);

      // the write was committed before the database was closed
      const { users } = tablesOf(shared.db);
      expect(await shared.db.select({ username: users.username }).from(users).where(eq(users.email, 'alice@example.com'))).toEqual([{ username: 'alice' }]);
      const messages = server.stdout
        .trim()
        .split('\n')
        .map((line) => (JSON.parse(line) as { msg: string }).msg);
      expect(messages.slice(messages.indexOf('stopping'))).toEqual(['stopping', 'security.signup', 'request', 'stopped']);
    },
    PROCESS_TEST_TIMEOUT_MS,
  );
});

describe('/healthz of a node on PostgreSQL', () => {
  it(
    'answers 503 while the node cannot reach PostgreSQL, and 200 again once it can',
    async () => {
      shared = await createSharedTestDb('postgres');
      const database = new URL(shared.env.DATABASE_URL!);
      proxy = await startTcpProxy({ host: database.hostname, port: Number(database.port) });
      const { server, url } = await startServer({ DATABASE_URL: throughProxy(shared.env.DATABASE_URL!, proxy) });
      expect((await fetch(`${url}/healthz`)).status).toBe(200);

      proxy.cut();
      const down = await fetch(`${url}/healthz`);
      expect([down.status, await down.json()]).toEqual([503, { status: 'error', error: 'database unavailable' }]);
      expect(down.headers.get('cache-control')).toBe('no-store');
      // pages fail too, and the node keeps running
      expect((await fetch(`${url}/`)).status).toBe(500);
      expect(server.running).toBe(true);

      proxy.restore();
      expect((await fetch(`${url}/healthz`)).status).toBe(200);
      expect((await fetch(`${url}/`)).status).toBe(200);

      server.child.kill('SIGTERM');
      expect(await server.exited).toBe(0);
    },
    PROCESS_TEST_TIMEOUT_MS,
  );

  it('answers 503 once the server is shutting down, whatever the database says', async () => {
    const db = await createTestDb('postgres');
    let draining = false;
    const app = createApp({ db, env: testEnv(), log: silentLog, draining: () => draining });
    expect((await app.request('/healthz')).status).toBe(200);
    draining = true;
    const res = await app.request('/healthz');
    expect([res.status, await res.json(), res.headers.get('cache-control')]).toEqual([503, { status: 'draining' }, 'no-store']);
  });
});
