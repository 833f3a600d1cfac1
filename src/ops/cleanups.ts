/*
 * Scheduled clean-ups: what has expired is deleted every CLEANUP_INTERVAL_MS by the server, on one
 * node at a time (`onOneNode`: a session advisory lock on PostgreSQL, so of several nodes ticking
 * together one does the work and the others skip it; at once on SQLite, one server per file).
 *
 * A task works in bounded steps (a step reads and deletes at most a hundred or so rows), with a
 * turn of the event loop between steps, so requests keep being answered meanwhile: on SQLite a
 * statement holds the one connection while it runs. Stopping the server ends a run between two
 * steps; a run longer than CLEANUP_MAX_STEPS steps of one task leaves the rest to the next run.
 *
 * What expires today: sessions (src/auth/session.ts), suspensions with an end (lifted by Quire, so
 * a suspended account's content is back within CLEANUP_INTERVAL_MS of the end), and the limits' rows that no longer limit
 * anyone (src/security/limits.ts: buckets full again, sign-in failures an hour old). A new kind of expiring row adds a task to
 * CLEANUPS (or to the list given to `scheduleCleanups`); a task that does its work in one
 * statement is one step: `{ name, step: async (db, now) => ({ deleted: await forget(db, now), next: null }) }`.
 */
import { setImmediate as nextTurn } from 'node:timers/promises';
import { deleteExpiredAccountTokens } from '../account-links/tokens';
import { endOverSuspensions } from '../accounts/use-cases';
import { deleteEndedSessions } from '../auth/session';
import { pruneOldMail } from '../mail/sender';
import { forgetSpentLimits } from '../security/limits';
import type { Db } from '../db/client';
import { onOneNode } from '../db/transaction';
import type { Clock } from '../lib/clock';
import { errorText, type Log } from '../lib/logger';
import type { Env } from '../env';
import { sendDueDigests } from '../notifications/use-cases';

export const CLEANUP_INTERVAL_MS = 10 * 60 * 1000;
/** Steps of one task in one run: a million sessions, at a hundred a step. */
export const CLEANUP_MAX_STEPS = 10_000;

/** What one step did: rows deleted, and where the next step starts (null: the task is done). */
export type CleanupStep = { deleted: number; next: string | null };

/** One kind of expiring row. */
export type CleanupTask = {
  /** the name the log gives its count */
  name: string;
  /** deletes some of what has expired at `now`, from `after` (null: the start) */
  step(db: Db, now: number, after: string | null): Promise<CleanupStep>;
};

/**
 * Rate limits and sign-in throttles that no longer limit anyone, in one step: PostgreSQL's rows in
 * batches of their own that skip what a request holds (no request waits); SQLite keeps its limits
 * in memory, and finds nothing to delete.
 */
const forgetLimits: CleanupTask = {
  name: 'limits',
  step: async (db, now) => {
    const { buckets, throttles } = await forgetSpentLimits(db, now);
    return { deleted: buckets + throttles, next: null };
  },
};

/** Every clean-up the server runs. */
export const CLEANUPS: readonly CleanupTask[] = [
  { name: 'sessions', step: deleteEndedSessions },
  forgetLimits,
  // suspensions whose end has come: lifted, their content back (src/accounts/use-cases.ts)
  { name: 'suspensions', step: (db, now) => endOverSuspensions(db, now) },
  // sent and given-up mail, kept 30 days for /admin/mail (src/mail/sender.ts)
  { name: 'mail', step: (db, now) => pruneOldMail(db, now) },
  // links past their time: resets, confirmations, unsubscribes, two-factor set-ups (src/account-links/tokens.ts)
  { name: 'links', step: (db, now) => deleteExpiredAccountTokens(db, now) },
];

/**
 * Not a clean-up but run with them (every CLEANUP_INTERVAL_MS, on one node): the notification
 * digests whose hour has come (src/notifications/use-cases.ts); its count is the mails queued.
 */
export const notificationDigests = (env: Env): CleanupTask => ({
  name: 'notification-digests',
  step: async (db, now) => ({ deleted: await sendDueDigests({ db, env }, now), next: null }),
});

export type CleanupOptions = {
  tasks?: readonly CleanupTask[];
  clock: Clock;
  log: Log;
  /** ends a run between two steps (the server is stopping) */
  signal?: AbortSignal;
  maxSteps?: number;
};

/** How a run went: what it deleted per task, or skipped (another node was running the clean-ups), or failed. */
export type CleanupRun = { outcome: 'done'; deleted: Record<string, number> } | { outcome: 'skipped' } | { outcome: 'failed' };

/**
 * One run of every task, here unless another node is running them; logs `cleanup.done` (the rows
 * deleted per task), `cleanup.skipped` or `cleanup.failed`, and never throws.
 */
export async function runCleanups(db: Db, options: CleanupOptions): Promise<CleanupRun> {
  const { tasks = CLEANUPS, clock, log, signal, maxSteps = CLEANUP_MAX_STEPS } = options;
  const started = performance.now();
  const now = clock();
  const deleted: Record<string, number> = {};
  const unfinished: string[] = [];
  let failed = false;
  try {
    const result = await onOneNode(db, 'cleanups', async () => {
      for (const task of tasks) {
        if (signal?.aborted) break;
        let count = 0;
        try {
          let after: string | null = null;
          for (let steps = 1; ; steps++) {
            const step = await task.step(db, now, after);
            count += step.deleted;
            if (step.next === null) break;
            if (steps >= maxSteps || signal?.aborted) {
              unfinished.push(task.name);
              break;
            }
            after = step.next;
            await nextTurn(); // requests waiting for the database go first
          }
        } catch (error) {
          // one failing task leaves the others to run
          failed = true;
          log({ level: 'error', msg: 'cleanup.failed', task: task.name, error: errorText(error) });
        }
        deleted[task.name] = count;
      }
    });
    if (!result.ran) {
      log({ level: 'info', msg: 'cleanup.skipped', reason: 'another node is running the clean-ups' });
      return { outcome: 'skipped' };
    }
  } catch (error) {
    // the database could not be reached, or the lock taken: the next run tries again
    log({ level: 'error', msg: 'cleanup.failed', error: errorText(error) });
    return { outcome: 'failed' };
  }
  log({
    level: 'info',
    msg: 'cleanup.done',
    deleted,
    durationMs: Math.round(performance.now() - started),
    ...(unfinished.length > 0 ? { unfinished } : {}),
  });
  return failed ? { outcome: 'failed' } : { outcome: 'done', deleted };
}

/**
 * Runs the clean-ups every `intervalMs` while the server runs (a run still going when the next is
 * due is not overlapped); returns a stop function that ends a run in progress after its current
 * step and waits for it.
 */
export function scheduleCleanups(db: Db, options: Omit<CleanupOptions, 'signal'> & { intervalMs?: number }): () => Promise<void> {
  const { intervalMs = CLEANUP_INTERVAL_MS, ...rest } = options;
  const stopping = new AbortController();
  let running: Promise<unknown> | null = null;
  const timer = setInterval(() => {
    if (running) return;
    running = runCleanups(db, { ...rest, signal: stopping.signal }).finally(() => {
      running = null;
    });
  }, intervalMs);
  timer.unref();
  return async () => {
    clearInterval(timer);
    stopping.abort();
    await running;
  };
}
