import { serve } from '@hono/node-server';
import { createApp } from './app';
import { openDatabase } from './db/client';
import { EnvError, loadEnv } from './env';
import { jsonLog } from './lib/logger';

/** Bound on how long in-flight requests may take to finish at shutdown. */
const SHUTDOWN_GRACE_MS = 10_000;

function main(): void {
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
  const server = serve({ fetch: app.fetch, port: env.PORT, hostname: env.HOST }, (info) => {
    jsonLog({ level: 'info', msg: 'listening', url: `http://${info.address}:${info.port}`, publicUrl: env.PUBLIC_URL });
  });

  const stop = (signal: string) => {
    jsonLog({ level: 'info', msg: 'stopping', signal });
    const timer = setTimeout(() => process.exit(1), SHUTDOWN_GRACE_MS);
    timer.unref();
    server.close(() => {
      db.$client.pragma('wal_checkpoint(TRUNCATE)');
      db.$client.close();
      process.exit(0);
    });
  };
  process.once('SIGTERM', () => stop('SIGTERM'));
  process.once('SIGINT', () => stop('SIGINT'));
}

main();
