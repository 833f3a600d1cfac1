/**
 * A throwaway PostgreSQL server for the tests: initdb into a temporary directory, started on
 * 127.0.0.1 on a free port, with durability off (fsync, full_page_writes: a crash loses a test
 * run, nothing else), in memory (/dev/shm) when there is room. `stop()` stops it and removes the
 * directory; so does
 * SIGINT, SIGTERM or the process exiting. PostgreSQL refuses to run as root: as root, the server
 * runs as the `postgres` user (runuser), which Debian's package creates.
 *
 * Used by the vitest globalSetup (src/test-support/postgres-global-setup.ts) unless
 * QUIRE_TEST_POSTGRES_URL names a server already; `npx tsx src/test-support/postgres-cluster.ts`
 * starts one by hand and prints its URL (Ctrl-C stops it).
 */
import { execFileSync, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import pg from 'pg';

export type PostgresCluster = {
  /** postgres://postgres@127.0.0.1:PORT/postgres (trust authentication, superuser) */
  url: string;
  port: number;
  dir: string;
  /** PostgreSQL's major version, from the binaries */
  version: string;
  stop(): Promise<void>;
};

const DEBIAN_HINT =
  "PostgreSQL's server programs (initdb, pg_ctl) were not found in /usr/lib/postgresql/*/bin or on PATH. " +
  "Install Debian's package: `apt-get install postgresql` (PostgreSQL 15 or later), set POSTGRES_BIN_DIR to " +
  'the folder holding initdb and pg_ctl, or set QUIRE_TEST_POSTGRES_URL to a server of your own.';

/** The folder with initdb and pg_ctl: POSTGRES_BIN_DIR, the newest /usr/lib/postgresql/N/bin, or PATH. */
export function findPostgresBinDir(env: NodeJS.ProcessEnv = process.env, root = '/usr/lib/postgresql'): string {
  const has = (dir: string) => fs.existsSync(path.join(dir, 'initdb')) && fs.existsSync(path.join(dir, 'pg_ctl'));
  const fromEnv = env.POSTGRES_BIN_DIR;
  if (fromEnv) {
    if (has(fromEnv)) return fromEnv;
    throw new Error(`POSTGRES_BIN_DIR=${fromEnv} holds no initdb and pg_ctl. ${DEBIAN_HINT}`);
  }
  const versions = fs.existsSync(root)
    ? fs
        .readdirSync(root)
        .filter((name) => /^\d+$/.test(name) && has(path.join(root, name, 'bin')))
        .sort((a, b) => Number(b) - Number(a))
    : [];
  if (versions[0]) return path.join(root, versions[0], 'bin');
  for (const dir of (env.PATH ?? '').split(path.delimiter)) if (dir && has(dir)) return dir;
  throw new Error(DEBIAN_HINT);
}

/** `url` with its database replaced by `name`. */
export function databaseUrl(url: string, name: string): string {
  const parsed = new URL(url);
  parsed.pathname = `/${encodeURIComponent(name)}`;
  return parsed.toString();
}

/** The prefix of a test run's database names (src/test-support/postgres.ts makes them). */
export function testDatabasePrefix(runId: string): string {
  return `quire_test_${runId}_`;
}

/** Drops every database a test run made on the server at `url` (those still connected too). */
export async function dropTestDatabases(url: string, runId: string): Promise<void> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    const { rows } = await client.query<{ datname: string }>(
      "select datname from pg_database where starts_with(datname, $1) order by datname like '%template' ",
      [testDatabasePrefix(runId)],
    );
    for (const { datname } of rows) await client.query(`drop database if exists ${client.escapeIdentifier(datname)} with (force)`);
  } finally {
    await client.end();
  }
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as net.AddressInfo;
      server.close(() => resolve(port));
    });
  });
}

/**
 * Where the cluster lives: /dev/shm (memory) when it has room, else the temporary directory. On
 * this machine's disk (ext4 on a virtual disk) CREATE DATABASE took 250-350 ms whatever the
 * settings; in memory 7-10 ms, and every test's database is one.
 */
function clusterParent(): string {
  const shm = '/dev/shm';
  try {
    fs.accessSync(shm, fs.constants.W_OK);
    const { bavail, bsize } = fs.statfsSync(shm);
    if (bavail * bsize >= 1024 ** 3) return shm;
  } catch {
    // no /dev/shm here
  }
  return os.tmpdir();
}

const isRoot = () => typeof process.getuid === 'function' && process.getuid() === 0;

/** Runs a PostgreSQL program, as the postgres user when we are root. */
function runAsServerUser(program: string, args: string[]): void {
  const [file, argv] = isRoot() ? ['runuser', ['-u', 'postgres', '--', program, ...args]] : [program, args];
  const result = spawnSync(file, argv, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
  if (result.error) throw result.error;
  if (result.status !== 0) throw new Error(`${path.basename(program)} failed (${result.status}):\n${result.stdout}${result.stderr}`);
}

/** initdb + pg_ctl start -w on a free port of 127.0.0.1. */
export async function startPostgresCluster(
  options: {
    maxConnections?: number;
    /**
     * false: the caller handles SIGINT and SIGTERM and calls stop() (./with-postgres.ts stops its
     * command first); the cluster is still stopped if the process exits without stopping it
     */
    handleSignals?: boolean;
  } = {},
): Promise<PostgresCluster> {
  const bin = findPostgresBinDir();
  const version = execFileSync(path.join(bin, 'pg_ctl'), ['--version'], { encoding: 'utf8' }).trim().replace(/^.*?(\d+)(\.\d+)*.*$/, '$1');
  const dir = fs.mkdtempSync(path.join(clusterParent(), 'quire-pg-'));
  const data = path.join(dir, 'data');
  let running = false;
  let stopped = false;

  const stopNow = (mode: 'fast' | 'immediate') => {
    if (stopped) return;
    stopped = true;
    process.off('exit', onExit);
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
    try {
      if (running) runAsServerUser(path.join(bin, 'pg_ctl'), ['-D', data, '-m', mode, '-w', 'stop']);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  };
  // a test run interrupted (Ctrl-C) or ending without calling stop() leaves no server or files behind
  const onExit = () => stopNow('immediate');
  const onSignal = (signal: NodeJS.Signals) => {
    stopNow('immediate');
    // then die of the signal as we would have, unless someone else handles it
    if (process.listenerCount(signal) === 0) process.kill(process.pid, signal);
  };
  process.on('exit', onExit);
  if (options.handleSignals !== false) {
    process.once('SIGINT', onSignal);
    process.once('SIGTERM', onSignal);
  }

  try {
    if (isRoot()) {
      const uid = Number(execFileSync('id', ['-u', 'postgres'], { encoding: 'utf8' }).trim());
      const gid = Number(execFileSync('id', ['-g', 'postgres'], { encoding: 'utf8' }).trim());
      fs.chownSync(dir, uid, gid);
    }
    // C locale: text sorts and changes case as SQLite's does (the columns say COLLATE "C" anyway)
    runAsServerUser(path.join(bin, 'initdb'), ['-D', data, '-U', 'postgres', '-A', 'trust', '-E', 'UTF8', '--locale=C', '--no-sync']);
    const settings = [
      'listen_addresses=127.0.0.1',
      `unix_socket_directories=${dir}`,
      'fsync=off',
      'full_page_writes=off',
      `max_connections=${options.maxConnections ?? 300}`,
      'shared_buffers=64MB',
    ];
    // a port found free may be taken before the server binds it: try another
    for (let attempt = 1; ; attempt++) {
      const port = await freePort();
      const args = ['-D', data, '-l', path.join(dir, 'server.log'), '-w', '-t', '60'];
      args.push('-o', [`-p ${port}`, ...settings.map((setting) => `-c ${setting}`)].join(' '), 'start');
      try {
        runAsServerUser(path.join(bin, 'pg_ctl'), args);
        running = true;
        return {
          url: `postgres://postgres@127.0.0.1:${port}/postgres`,
          port,
          dir,
          version,
          stop: async () => stopNow('fast'),
        };
      } catch (error) {
        const log = fs.existsSync(path.join(dir, 'server.log')) ? fs.readFileSync(path.join(dir, 'server.log'), 'utf8') : '';
        if (attempt >= 3 || !/could not bind|address already in use/i.test(log)) throw new Error(`${(error as Error).message}\n${log}`);
      }
    }
  } catch (error) {
    stopNow('immediate');
    throw error;
  }
}

// `npx tsx src/test-support/postgres-cluster.ts`: a server for trying things by hand
if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const started = performance.now();
  startPostgresCluster().then(
    (cluster) => {
      process.stdout.write(`PostgreSQL ${cluster.version} at ${cluster.url} (started in ${Math.round(performance.now() - started)} ms); Ctrl-C stops it\n`);
      setInterval(() => {}, 1 << 30);
    },
    (error: unknown) => {
      process.stderr.write(`${(error as Error).message}\n`);
      process.exit(1);
    },
  );
}
