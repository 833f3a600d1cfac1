/**
 * `node --import tsx src/test-support/with-postgres.ts COMMAND [ARG...]`: runs COMMAND with
 * DATABASE_URL naming an empty database on a throwaway PostgreSQL cluster (./postgres-cluster.ts),
 * and stops the cluster once COMMAND has exited, whatever its outcome. With QUIRE_TEST_POSTGRES_URL
 * set (a server of your own, as for vitest) the database is made there instead, and dropped at the
 * end. Exits with COMMAND's status. The end-to-end suite's PostgreSQL server is `npm start` run
 * through this (playwright.config.ts).
 *
 * SIGTERM or SIGINT is passed on to COMMAND's process group once (COMMAND runs in a group of its
 * own, so a signal to this process's group, as Playwright stops a web server, does not reach it
 * twice: a second SIGTERM would cut Quire's drain short); the cluster is stopped after COMMAND
 * has exited, so a server draining its last requests still has its database. COMMAND is killed
 * if it has not exited STOP_TIMEOUT_MS after the signal.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { databaseUrl, startPostgresCluster } from './postgres-cluster';

const STOP_TIMEOUT_MS = 15_000;

const say = (message: string) => process.stderr.write(`[with-postgres] ${message}\n`);

const SIGNAL_NUMBERS: Partial<Record<NodeJS.Signals, number>> = { SIGINT: 2, SIGKILL: 9, SIGTERM: 15 };

async function main(): Promise<number> {
  const [command, ...args] = process.argv.slice(2);
  if (!command) {
    say('usage: node --import tsx src/test-support/with-postgres.ts COMMAND [ARG...]');
    return 2;
  }
  // from the start: a signal while the cluster starts must still stop it
  let child: ChildProcess | null = null;
  let signalled: NodeJS.Signals | null = null;
  const toGroup = (signal: NodeJS.Signals) => {
    try {
      if (child) process.kill(-child.pid!, signal);
    } catch {
      // already gone
    }
  };
  const onSignal = (signal: NodeJS.Signals) => {
    if (signalled) return;
    signalled = signal;
    toGroup(signal);
    setTimeout(() => toGroup('SIGKILL'), STOP_TIMEOUT_MS).unref();
  };
  process.on('SIGTERM', onSignal);
  process.on('SIGINT', onSignal);
  // this process ending any other way (an error) takes COMMAND with it
  process.once('exit', () => toGroup('SIGKILL'));

  const server = await startServer();
  try {
    if (signalled) return 128 + (SIGNAL_NUMBERS[signalled] ?? 15);
    say(`PostgreSQL at ${server.url}`);
    const running = spawn(command, args, { stdio: 'inherit', detached: true, env: { ...process.env, DATABASE_URL: server.url } });
    child = running;
    return await new Promise<number>((resolve, reject) => {
      running.once('error', reject);
      running.once('exit', (code, signal) => resolve(code ?? 128 + (SIGNAL_NUMBERS[signal!] ?? 15)));
    });
  } finally {
    await server.stop();
  }
}

/** An empty database of its own: on a throwaway cluster, or on QUIRE_TEST_POSTGRES_URL's server. */
async function startServer(): Promise<{ url: string; stop(): Promise<void> }> {
  const own = process.env.QUIRE_TEST_POSTGRES_URL;
  const cluster = own ? null : await startPostgresCluster({ handleSignals: false });
  const serverUrl = own ?? cluster!.url;
  const name = own ? `quire_with_postgres_${randomBytes(4).toString('hex')}` : 'quire';
  const admin = async (statement: string) => {
    const client = new pg.Client({ connectionString: serverUrl });
    await client.connect();
    await client.query(statement).finally(() => client.end());
  };
  try {
    await admin(`create database ${pg.escapeIdentifier(name)}`);
  } catch (error) {
    await cluster?.stop();
    throw error;
  }
  return {
    url: databaseUrl(serverUrl, name),
    stop: async () => {
      if (cluster) await cluster.stop();
      else await admin(`drop database if exists ${pg.escapeIdentifier(name)} with (force)`);
    },
  };
}

main().then(
  (code) => process.exit(code),
  (error: unknown) => {
    say((error as Error).stack ?? String(error));
    process.exit(1);
  },
);
