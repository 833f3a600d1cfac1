import type { AddressInfo } from 'node:net';
import { createApp } from './app';
import { openDatabase } from './db/client';
import { EnvError, loadEnv } from './env';
import { listen } from './http-server';
import { jsonLog } from './lib/logger';

/** Bound on how long in-flight requests may take to finish at shutdown. */
const SHUTDOWN_GRACE_MS = 10_000;

async function main(): Promise<void> {
  let env;
  try {
    env = loadEnv();
  } catch (error) {
    if (error instanceof EnvError) {
      console.error(error.message);
      process.exit(1);
    }
    throw error;
  }
  const db = openDatabase(env.DATABASE_PATH);
  const app = createApp({ db, env });
  const server = await listen(app, { port: env.PORT, hostname: env.HOST });
  const address = server.address() as AddressInfo;
  jsonLog({ level: 'info', msg: 'listening', url: `http://${address.address}:${address.port}`, publicUrl: env.PUBLIC_URL });

  const stop = (signal: string) => {
    jsonLog({ level: 'info', msg: 'stopping', signal });
    const timer = setTimeout(() => process.exit(1), SHUTDOWN_GRACE_MS);
    timer.unref();
    server.close(() => {
      db.$client.pragma('wal_checkpoint(TRUNCATE)');
      db.$client.close();
      process.exit(0);
    });
    server.closeIdleConnections();
  };
  process.once('SIGTERM', () => stop('SIGTERM'));
  process.once('SIGINT', () => stop('SIGINT'));
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
