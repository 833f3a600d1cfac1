import type { IncomingMessage, ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createApp } from './app';
import { renderMissingBodies } from './articles/render-bodies';
import { closeDatabase } from './db/engine';
import { configuredEngine, databaseLabel, openDatabaseFrom } from './db/open';
import type { Env } from './env';
import { listen } from './http-server';
import { systemClock } from './lib/clock';
import { createLog, errorText } from './lib/logger';
import { acquireServerLock } from './ops/backup';
import { scheduleMail, smtpTransport } from './mail/sender';
import { CLEANUPS, notificationDigests, scheduleCleanups } from './ops/cleanups';
import { mediaCleanup } from './media/cleanup';
import { backupInChildProcess, backupOnOneNode, scheduleBackups } from './ops/scheduled-backups';
import { defaultCacheDir, prepareRuntime } from './runtime';
import { mediaDirOf, openMediaStore } from './media/open-store';

/** Bound on how long in-flight requests may take to finish at shutdown. */
export const SHUTDOWN_GRACE_MS = 10_000;

/**
 * Runs the site until SIGTERM or SIGINT; then stops accepting connections (a load balancer sends
 * the next requests to another node), answers /healthz with 503, lets in-flight requests finish
 * (up to SHUTDOWN_GRACE_MS), ends the scheduled work, closes the database (on SQLite after
 * checkpointing the WAL) and exits 0. Expired rows are cleaned up every CLEANUP_INTERVAL_MS, on
 * one node at a time (src/ops/cleanups.ts).
 *
 * On SQLite it first takes the start-up lock beside the file (one server per file; restore refuses
 * while it is held). On PostgreSQL there is none: any number of nodes serve one database.
 */
export async function serve(env: Env): Promise<void> {
  const log = createLog(env.LOG_FORMAT);
  const started = performance.now();
  const cacheDir = env.QUIRE_CACHE_DIR ?? defaultCacheDir(env.DATABASE_PATH);
  prepareRuntime(cacheDir);
  const sqlite = configuredEngine(env) === 'sqlite';
  const releaseLock = sqlite ? acquireServerLock(env.DATABASE_PATH) : () => {};
  const db = await openDatabaseFrom(env, {
    onConnectionError: (error) => log({ level: 'warn', msg: 'database.connection_failed', error: errorText(error) }),
  }).catch((error: unknown) => {
    releaseLock();
    throw error;
  });
  await renderMissingBodies(db);
  let stopping = false;
  // one media store for the pages and the clean-ups (src/media/cleanup.ts)
  const media = openMediaStore(env);
  const app = createApp({ db, env, log, media, draining: () => stopping });
  await app.ready;
  const server = await listen(app, { port: env.PORT, hostname: env.HOST });
  // Responses still to be written. At shutdown each one ends its connection (`Connection: close`):
  // a keep-alive client (a browser, a reverse proxy's pool) could otherwise hold the server open
  // for the keep-alive timeout, or send more requests, until the grace period cuts it off.
  const pending = new Set<ServerResponse>();
  server.prependListener('request', (_req: IncomingMessage, res: ServerResponse) => {
    if (stopping) res.setHeader('connection', 'close');
    pending.add(res);
    res.once('close', () => pending.delete(res));
  });
  const address = server.address() as AddressInfo;
  log({
    level: 'info',
    msg: 'listening',
    url: `http://${address.family === 'IPv6' ? `[${address.address}]` : address.address}:${address.port}`,
    publicUrl: env.PUBLIC_URL,
    database: databaseLabel(env),
    startupMs: Math.round(performance.now() - started),
  });
  // SQLite: `quire backup` in a child process; PostgreSQL: pg_dump, on one node an interval; each
  // with the media store's images beside it (src/ops/media-backup.ts)
  const stopBackups = env.BACKUP_DIR
    ? scheduleBackups(
        sqlite
          ? backupInChildProcess({ databasePath: env.DATABASE_PATH, cacheDir, mediaDir: mediaDirOf(env) })
          : backupOnOneNode(db, env.DATABASE_URL!, {
              dir: env.BACKUP_DIR,
              intervalMs: env.BACKUP_INTERVAL_MS,
              binDir: env.POSTGRES_BIN_DIR,
              media,
            }),
        { dir: env.BACKUP_DIR, intervalMs: env.BACKUP_INTERVAL_MS, keep: env.BACKUP_KEEP, log, extension: sqlite ? '.db' : '.dump' },
      )
    : async () => {};
  const stopCleanups = scheduleCleanups(db, { tasks: [...CLEANUPS, notificationDigests(env), mediaCleanup({ media, env })], clock: systemClock, log });
  // the outbox's mail, over SMTP_URL; unset, messages stay listed in /admin/mail as not sent
  const stopMail = env.SMTP_URL ? scheduleMail(db, smtpTransport(env.SMTP_URL), { from: env.MAIL_FROM, clock: systemClock, log }) : async () => {};

  const stop = (signal: string) => {
    if (stopping) return;
    stopping = true;
    log({ level: 'info', msg: 'stopping', signal });
    for (const res of pending) if (!res.headersSent) res.setHeader('connection', 'close');
    const backupsStopped = stopBackups();
    const cleanupsStopped = stopCleanups();
    const mailStopped = stopMail();
    const force = setTimeout(() => server.closeAllConnections(), SHUTDOWN_GRACE_MS);
    force.unref();
    server.close(async () => {
      await backupsStopped;
      await cleanupsStopped;
      await mailStopped;
      await closeDatabase(db, { checkpoint: true });
      releaseLock();
      log({ level: 'info', msg: 'stopped' });
      process.exit(0);
    });
    server.closeIdleConnections();
  };
  process.once('SIGTERM', () => stop('SIGTERM'));
  process.once('SIGINT', () => stop('SIGINT'));
}
