/**
 * `node --import tsx src/test-support/with-postgres.ts COMMAND [ARG...]`: runs COMMAND with
 * DATABASE_URL naming an empty database (`quire`) on a throwaway PostgreSQL cluster
 * (./postgres-cluster.ts), and stops the cluster once COMMAND has exited, whatever its outcome.
 * Exits with COMMAND's status. The end-to-end suite's PostgreSQL server is `npm start` run through
 * this (playwright.config.ts).
 *
 * SIGTERM or SIGINT is passed on to COMMAND's process group once (COMMAND runs in a group of its
 * own, so a signal to this process's group, as Playwright stops a web server, does not reach it
 * twice: a second SIGTERM would cut Quire's drain short); the cluster is stopped after COMMAND
 * has exited, so a server draining its last requests still has its database. COMMAND is killed
 * if it has not exited STOP_TIMEOUT_MS after the signal.
 */
import { spawn } from 'node:child_process';
import pg from 'pg';
import { databaseUrl, startPostgresCluster } from './postgres-cluster';

const DATABASE = 'quire';
const STOP_TIMEOUT_MS = 15_000;

const say = (message: string) => process.stderr.write(`[with-postgres] ${message}\n`);

async function main(): Promise<number> {
  const [command, ...args] = process.argv.slice(2);
  if (!command) {
    say('usage: node --import tsx src/test-support/with-postgres.ts COMMAND [ARG...]');
    return 2;
  }
  const cluster = await startPostgresCluster({ handleSignals: false });
  try {
    const admin = new pg.Client({ connectionString: cluster.url });
    await admin.connect();
    await admin.query(`create database ${DATABASE}`).finally(() => admin.end());
    const url = databaseUrl(cluster.url, DATABASE);
    say(`PostgreSQL ${cluster.version} at ${url}`);
    const child = spawn(command, args, { stdio: 'inherit', detached: true, env: { ...process.env, DATABASE_URL: url } });
    const exited = new Promise<number>((resolve, reject) => {
      child.once('error', reject);
      child.once('exit', (code, signal) => resolve(code ?? 128 + (signal === 'SIGKILL' ? 9 : signal === 'SIGINT' ? 2 : 15)));
    });
    const toGroup = (signal: NodeJS.Signals) => {
      try {
        process.kill(-child.pid!, signal);
      } catch {
        // already gone
      }
    };
    let signalled = false;
    const onSignal = (signal: NodeJS.Signals) => {
      if (signalled) return;
      signalled = true;
      toGroup(signal);
      setTimeout(() => toGroup('SIGKILL'), STOP_TIMEOUT_MS).unref();
    };
    process.on('SIGTERM', onSignal);
    process.on('SIGINT', onSignal);
    // this process ending any other way (an error) takes COMMAND with it
    process.once('exit', () => toGroup('SIGKILL'));
    return await exited;
  } finally {
    await cluster.stop();
  }
}

main().then(
  (code) => process.exit(code),
  (error: unknown) => {
    say((error as Error).stack ?? String(error));
    process.exit(1);
  },
);
