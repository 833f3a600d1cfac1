/**
 * `npx tsx scripts/bench/limited-writes.ts [--engine=sqlite|postgres] [--count=N] [--concurrency=N] [--rounds=N] [--spends]`
 *
 * What a rate limit costs a write: comments posted through the API (POST /api/articles/:slug/comments,
 * which spends the per-user comment limit) by `concurrency` clients at once, in-process
 * (app.request(), no sockets), with the limits on and off (RATE_LIMITS), alternating rounds.
 * Reports comments per second, this process's CPU per comment and, on PostgreSQL, the server's.
 *
 * `--spends`: the limit alone, Limits.enforce() `count` times by `concurrency` callers at once
 * (each its own key, as addresses are), on the engine's stores (memory on SQLite, the tables on
 * PostgreSQL): what one statement per request would cost.
 *
 * PostgreSQL is a throwaway cluster (fsync off, as the tests'), or QUIRE_BENCH_POSTGRES_URL's
 * server (with QUIRE_BENCH_PGDATA, its data directory, to read its CPU).
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import pg from 'pg';
import { createApp } from '../../src/app';
import { openDatabase, type Db } from '../../src/db/client';
import { closeDatabase } from '../../src/db/engine';
import { openPostgres } from '../../src/db/postgres';
import { loadEnv } from '../../src/env';
import { silentLog } from '../../src/lib/logger';
import { limitStoresFor, Limits } from '../../src/security/limits';
import { startPostgresCluster, type PostgresCluster } from '../../src/test-support/postgres-cluster';
import { cpuMs } from './servers';

const option = (name: string, fallback: string) =>
  process.argv.find((arg) => arg.startsWith(`--${name}=`))?.slice(name.length + 3) ?? fallback;
const engine = option('engine', 'sqlite');
const count = Number(option('count', '2000'));
const concurrency = Number(option('concurrency', '10'));
const rounds = Number(option('rounds', '3'));
const PASSWORD = 'bench-password-not-secret';

const spendsOnly = process.argv.includes('--spends');

/** The server's CPU (postmaster and every backend), in ms; 0 when it is not ours to read. */
function serverCpuMs(cluster: PostgresCluster | null): number {
  const data = cluster ? path.join(cluster.dir, 'data') : process.env.QUIRE_BENCH_PGDATA;
  if (!data || engine !== 'postgres') return 0;
  const pidFile = path.join(data, 'postmaster.pid');
  const postmaster = Number(fs.readFileSync(pidFile, 'utf8').split('\n')[0]);
  let total = cpuMs(postmaster);
  for (const entry of fs.readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = fs.readFileSync(`/proc/${entry}/stat`, 'utf8');
      const parent = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
      if (parent === postmaster) total += cpuMs(Number(entry));
    } catch {
      // the process ended while we looked
    }
  }
  return total;
}

async function openBenchDb(label: string, serverUrl: string | null): Promise<Db> {
  if (engine === 'sqlite') {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'quire-limited-'));
    return openDatabase(path.join(dir, 'quire.db'));
  }
  const admin = new pg.Client({ connectionString: serverUrl! });
  await admin.connect();
  const name = `bench_${label}_${process.pid}`;
  await admin.query(`drop database if exists ${name}`);
  await admin.query(`create database ${name}`);
  await admin.end();
  const url = new URL(serverUrl!);
  url.pathname = `/${name}`;
  return (await openPostgres(url.toString())) as unknown as Db;
}

/** Limits.enforce() alone, `count` times, `concurrency` at once. */
async function spend(round: number, cluster: PostgresCluster | null, serverUrl: string | null) {
  const db = await openBenchDb(`spends_${round}`, serverUrl);
  const env = loadEnv({ PUBLIC_URL: 'http://localhost', NODE_ENV: 'production', RATE_LIMIT_COMMENTS: '9999999/h' });
  const limits = new Limits(env, silentLog, limitStoresFor(db));
  const drive = async (total: number, offset: number) => {
    let next = 0;
    await Promise.all(
      Array.from({ length: concurrency }, async () => {
        while (next < total) await limits.enforce('comments', offset + (next++ % 1000), Date.now());
      }),
    );
  };
  await drive(Math.min(1000, count), 0); // warm-up: connections, prepared statements, rows
  const cpu = process.cpuUsage();
  const server = serverCpuMs(cluster);
  const started = performance.now();
  await drive(count, 0);
  const seconds = (performance.now() - started) / 1000;
  const used = process.cpuUsage(cpu);
  const serverUsed = serverCpuMs(cluster) - server;
  await closeDatabase(db);
  return { perSecond: count / seconds, cpuMs: (used.user + used.system) / 1000 / count, serverCpuMs: serverUsed / count };
}

async function run(limits: boolean, round: number, cluster: PostgresCluster | null, serverUrl: string | null) {
  const db = await openBenchDb(`${limits ? 'on' : 'off'}_${round}`, serverUrl);
  const env = loadEnv({
    PUBLIC_URL: 'http://localhost',
    NODE_ENV: 'production',
    RATE_LIMITS: limits ? 'on' : 'off',
    // spent on every comment, never refusing one
    RATE_LIMIT_COMMENTS: '9999999/h',
    RATE_LIMIT_GLOBAL: '9999999/m',
  });
  const app = createApp({ db, env, log: silentLog });
  const json = (body: unknown, token?: string) => ({
    method: 'POST',
    headers: { 'content-type': 'application/json', ...(token ? { authorization: `Token ${token}` } : {}) },
    body: JSON.stringify(body),
  });
  const signUp = await app.request('/api/users', json({ user: { username: 'bench', email: 'bench@example.com', password: PASSWORD } }));
  const { user } = (await signUp.json()) as { user: { token: string } };
  const created = await app.request('/api/articles', json({ article: { title: 'Bench', description: 'd', body: 'b' } }, user.token));
  const { article } = (await created.json()) as { article: { slug: string } };
  const post = async (n: number) => {
    const res = await app.request(`/api/articles/${article.slug}/comments`, json({ comment: { body: `Comment ${n}` } }, user.token));
    if (res.status !== 201) throw new Error(`comment answered ${res.status}: ${await res.text()}`);
  };
  const drive = async (total: number) => {
    let next = 0;
    await Promise.all(
      Array.from({ length: concurrency }, async () => {
        while (next < total) await post(next++);
      }),
    );
  };
  await drive(Math.min(300, count)); // warm-up
  const cpu = process.cpuUsage();
  const server = serverCpuMs(cluster);
  const started = performance.now();
  await drive(count);
  const seconds = (performance.now() - started) / 1000;
  const used = process.cpuUsage(cpu);
  await closeDatabase(db);
  return {
    limits,
    perSecond: count / seconds,
    cpuMsPerComment: (used.user + used.system) / 1000 / count,
    serverCpuMsPerComment: (serverCpuMs(cluster) - server) / count,
  };
}

async function main() {
  let cluster: PostgresCluster | null = null;
  let serverUrl: string | null = null;
  if (engine === 'postgres') {
    serverUrl = process.env.QUIRE_BENCH_POSTGRES_URL ?? null;
    if (!serverUrl) {
      cluster = await startPostgresCluster();
      serverUrl = cluster.url;
    }
  } else if (engine !== 'sqlite') {
    throw new Error('--engine must be sqlite or postgres');
  }
  try {
    if (spendsOnly) {
      const runs = [];
      for (let round = 0; round < rounds; round++) runs.push(await spend(round, cluster, serverUrl));
      const median = (values: number[]) => values.sort((a, b) => a - b)[Math.floor(values.length / 2)]!;
      console.log(`engine=${engine} spends=${count} concurrency=${concurrency} rounds=${rounds} (medians)`);
      console.log(
        `${median(runs.map((r) => r.perSecond)).toFixed(0)} spends/s, ${(median(runs.map((r) => r.cpuMs)) * 1000).toFixed(1)} µs CPU/spend here` +
          (engine === 'postgres' ? `, ${(median(runs.map((r) => r.serverCpuMs)) * 1000).toFixed(1)} µs CPU/spend in PostgreSQL` : ''),
      );
      return;
    }
    const results: Array<Awaited<ReturnType<typeof run>>> = [];
    for (let round = 0; round < rounds; round++) {
      for (const limits of round % 2 === 0 ? [true, false] : [false, true]) results.push(await run(limits, round, cluster, serverUrl));
    }
    const row = (on: boolean) => {
      const mine = results.filter((r) => r.limits === on);
      const median = (values: number[]) => values.sort((a, b) => a - b)[Math.floor(values.length / 2)]!;
      return {
        perSecond: median(mine.map((r) => r.perSecond)),
        cpu: median(mine.map((r) => r.cpuMsPerComment)),
        server: median(mine.map((r) => r.serverCpuMsPerComment)),
      };
    };
    console.log(`engine=${engine} count=${count} concurrency=${concurrency} rounds=${rounds} (medians)`);
    for (const on of [true, false]) {
      const r = row(on);
      console.log(
        `limits ${on ? 'on ' : 'off'}: ${r.perSecond.toFixed(0)} comments/s, ${r.cpu.toFixed(3)} ms CPU/comment here` +
          (engine === 'postgres' ? `, ${r.server.toFixed(3)} ms CPU/comment in PostgreSQL` : ''),
      );
    }
  } finally {
    await cluster?.stop();
  }
}

main().catch((error) => {
  console.error(error);
  process.exitCode = 1;
});
