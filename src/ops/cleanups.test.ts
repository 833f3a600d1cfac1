import { eq } from 'drizzle-orm';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import {
  createSession,
  deleteEndedSessions,
  SESSION_ABSOLUTE_LIFETIME_MS,
  SESSION_CLEANUP_STEP,
  SESSION_IDLE_TIMEOUT_MS,
  SESSION_LIFETIME_MS,
  validateSessionToken,
} from '../auth/session';
import type { Db } from '../db/client';
import { tablesOf } from '../db/engine';
import { createTestClock } from '../lib/clock';
import type { LogLine } from '../lib/logger';
import { createSharedTestDb, createTestDb, insertUser, rowCount, testEngine } from '../test-support';
import { CLEANUP_INTERVAL_MS, CLEANUPS, runCleanups, scheduleCleanups, type CleanupTask } from './cleanups';

const DAY = 24 * 60 * 60 * 1000;
const T0 = Date.UTC(2026, 0, 1);

afterEach(() => {
  vi.useRealTimers();
});

/** `count` sessions of `userId` made at `now`, with their tokens. */
async function sessionsAt(db: Db, userId: number, now: number, count: number): Promise<string[]> {
  const tokens: string[] = [];
  for (let i = 0; i < count; i++) tokens.push((await createSession(db, userId, { now })).token);
  return tokens;
}

const idOf = (token: string) => token.slice(0, token.indexOf('.'));

async function sessionIds(db: Db): Promise<string[]> {
  const { sessions } = tablesOf(db);
  return (await db.select({ id: sessions.id }).from(sessions)).map((row) => row.id).sort();
}

/** A task that records its steps: `steps` of one row each, then done. */
function countingTask(name: string, steps: number, seen: Array<string | null> = []): CleanupTask {
  return {
    name,
    step: async (_db, _now, after) => {
      seen.push(after);
      const done = (after === null ? 0 : Number(after)) + 1;
      return { deleted: 1, next: done >= steps ? null : String(done) };
    },
  };
}

describe(`deleteEndedSessions on ${testEngine()}`, () => {
  let db: Db;
  let userId: number;
  beforeEach(async () => {
    db = await createTestDb();
    userId = (await insertUser(db, 'alice')).id;
  });

  it('deletes the sessions validation refuses (expired, idle, past their absolute lifetime) and keeps the live ones', async () => {
    const now = T0 + 100 * DAY;
    const { sessions } = tablesOf(db);
    await sessionsAt(db, userId, now - SESSION_LIFETIME_MS, 1); // expired
    const [live] = await sessionsAt(db, userId, now - DAY, 1);
    const [idle] = await sessionsAt(db, userId, now - DAY, 1);
    // unused since long ago, though its expiry says otherwise
    await db.update(sessions).set({ lastSeenAt: new Date(now - SESSION_IDLE_TIMEOUT_MS), expiresAt: new Date(now + DAY) }).where(eq(sessions.id, idOf(idle!)));
    const [old] = await sessionsAt(db, userId, now - DAY, 1);
    // renewed while used, but signed in longer ago than the absolute lifetime
    await db.update(sessions).set({ createdAt: new Date(now - SESSION_ABSOLUTE_LIFETIME_MS), expiresAt: new Date(now + DAY) }).where(eq(sessions.id, idOf(old!)));
    const [endsNow] = await sessionsAt(db, userId, now - SESSION_LIFETIME_MS + 1, 1);

    expect(await deleteEndedSessions(db, now, null)).toEqual({ deleted: 3, next: null });

    expect(await sessionIds(db)).toEqual([idOf(live!), idOf(endsNow!)].sort());
    // what it keeps, validation accepts; one millisecond later the other has ended too
    expect(await validateSessionToken(db, live!, now)).not.toBeNull();
    expect(await deleteEndedSessions(db, now + 1, null)).toEqual({ deleted: 1, next: null });
    expect(await sessionIds(db)).toEqual([idOf(live!)]);
  });

  it('walks the table a step at a time, deleting only ended sessions in each', async () => {
    const now = T0 + 100 * DAY;
    const ended = await sessionsAt(db, userId, now - SESSION_LIFETIME_MS - DAY, SESSION_CLEANUP_STEP + 30);
    const live = await sessionsAt(db, userId, now - DAY, SESSION_CLEANUP_STEP + 20);

    const steps = [];
    let after: string | null = null;
    do {
      const step = await deleteEndedSessions(db, now, after);
      steps.push(step);
      after = step.next;
    } while (after !== null);

    expect(steps.length).toBeGreaterThanOrEqual(3);
    for (const step of steps) expect(step.deleted).toBeLessThanOrEqual(SESSION_CLEANUP_STEP);
    expect(steps.reduce((sum, step) => sum + step.deleted, 0)).toBe(ended.length);
    expect(await sessionIds(db)).toEqual(live.map(idOf).sort());
  });
});

describe(`runCleanups on ${testEngine()}`, () => {
  let db: Db;
  beforeEach(async () => {
    db = await createTestDb();
  });

  it('deletes the ended sessions and logs what it deleted', async () => {
    const clock = createTestClock(T0);
    const userId = (await insertUser(db, 'alice')).id;
    await sessionsAt(db, userId, T0, 3);
    clock.advance(SESSION_LIFETIME_MS - DAY);
    await sessionsAt(db, userId, clock(), 2);
    clock.advance(2 * DAY);
    const logs: LogLine[] = [];

    expect(await runCleanups(db, { clock, log: (line) => logs.push(line) })).toEqual({ outcome: 'done', deleted: { sessions: 3, limits: 0, suspensions: 0, mail: 0, links: 0 } });

    expect(logs).toEqual([{ level: 'info', msg: 'cleanup.done', deleted: { sessions: 3, limits: 0, suspensions: 0, mail: 0, links: 0 }, durationMs: expect.any(Number) }]);
    expect(await rowCount(db, tablesOf(db).sessions)).toBe(2);
    expect(CLEANUPS.map((task) => task.name)).toEqual(['sessions', 'limits', 'suspensions', 'mail', 'links']);
  });

  it("forgets the limits' rows that no longer limit anyone (forgetSpentLimits)", async () => {
    const { rateLimitBuckets } = tablesOf(db);
    await db.insert(rateLimitBuckets).values([
      { key: 'comments:1', tokens: 1, updatedAt: new Date(T0 - DAY), fullAt: new Date(T0 - 1) },
      { key: 'comments:2', tokens: 0, updatedAt: new Date(T0), fullAt: new Date(T0 + DAY) },
    ]);
    expect(await runCleanups(db, { clock: createTestClock(T0), log: () => {} })).toEqual({ outcome: 'done', deleted: { sessions: 0, limits: 1, suspensions: 0, mail: 0, links: 0 } });
    expect(await rowCount(db, rateLimitBuckets)).toBe(1);
  });

  it('runs every task given, in steps, each from where its last step ended; a failing task leaves the others to run', async () => {
    const seen: Array<string | null> = [];
    const failing: CleanupTask = {
      name: 'broken',
      step: async () => {
        throw new Error('no such table');
      },
    };
    const logs: LogLine[] = [];
    const tasks = [countingTask('first', 3, seen), failing, countingTask('last', 1)];

    const run = await runCleanups(db, { tasks, clock: createTestClock(T0), log: (line) => logs.push(line) });

    expect(run).toEqual({ outcome: 'failed' });
    expect(seen).toEqual([null, '1', '2']);
    expect(logs).toEqual([
      { level: 'error', msg: 'cleanup.failed', task: 'broken', error: expect.stringContaining('no such table') },
      { level: 'info', msg: 'cleanup.done', deleted: { first: 3, broken: 0, last: 1 }, durationMs: expect.any(Number) },
    ]);
  });

  it('stops a task after maxSteps, saying it is unfinished', async () => {
    const logs: LogLine[] = [];
    const run = await runCleanups(db, { tasks: [countingTask('big', 10)], maxSteps: 4, clock: createTestClock(T0), log: (line) => logs.push(line) });
    expect(run).toEqual({ outcome: 'done', deleted: { big: 4 } });
    expect(logs[0]).toMatchObject({ msg: 'cleanup.done', deleted: { big: 4 }, unfinished: ['big'] });
  });

  it('logs cleanup.failed rather than throwing when the database cannot be reached', async () => {
    const shared = await createSharedTestDb();
    const other = await shared.connect();
    await shared.close(); // closes `other` too
    const logs: LogLine[] = [];
    expect(await runCleanups(other, { clock: createTestClock(T0), log: (line) => logs.push(line) })).toEqual({ outcome: 'failed' });
    // on SQLite each task's statement fails (and each says so); on PostgreSQL taking the lock already does
    const failures = testEngine() === 'sqlite' ? CLEANUPS.length : 1;
    expect(logs.filter((line) => line.level === 'error')).toEqual(Array(failures).fill(expect.objectContaining({ msg: 'cleanup.failed' })));
  });
});

describe(`scheduleCleanups on ${testEngine()}`, () => {
  let db: Db;
  beforeEach(async () => {
    db = await createTestDb();
    // the database is real: only the interval is faked
    vi.useFakeTimers({ toFake: ['setInterval', 'clearInterval'] });
  });

  it('runs the clean-ups every interval, with the clock’s time, until stopped', async () => {
    const clock = createTestClock(T0);
    const userId = (await insertUser(db, 'alice')).id;
    await sessionsAt(db, userId, T0, 2);
    const logs: LogLine[] = [];
    const stop = scheduleCleanups(db, { clock, log: (line) => logs.push(line) });

    clock.advance(SESSION_LIFETIME_MS);
    await vi.advanceTimersByTimeAsync(CLEANUP_INTERVAL_MS - 1);
    expect(logs).toEqual([]);
    await vi.advanceTimersByTimeAsync(1);
    await vi.waitFor(() => expect(logs).toHaveLength(1));
    expect(logs[0]).toMatchObject({ msg: 'cleanup.done', deleted: { sessions: 2 } });
    expect(await rowCount(db, tablesOf(db).sessions)).toBe(0);

    await vi.advanceTimersByTimeAsync(CLEANUP_INTERVAL_MS);
    await vi.waitFor(() => expect(logs).toHaveLength(2));
    expect(logs[1]).toMatchObject({ msg: 'cleanup.done', deleted: { sessions: 0 } });

    await stop();
    expect(vi.getTimerCount()).toBe(0);
    await vi.advanceTimersByTimeAsync(3 * CLEANUP_INTERVAL_MS);
    expect(logs).toHaveLength(2);
  });

  it('never overlaps a slow run, and stopping ends a run after its current step and waits for it', async () => {
    let release!: () => void;
    let entered!: () => void;
    const inStep = new Promise<void>((resolve) => (entered = resolve));
    const steps: Array<string | null> = [];
    const slow: CleanupTask = {
      name: 'slow',
      step: async (_db, _now, after) => {
        steps.push(after);
        entered();
        await new Promise<void>((resolve) => (release = resolve));
        return { deleted: 1, next: String(steps.length) };
      },
    };
    const logs: LogLine[] = [];
    const stop = scheduleCleanups(db, { tasks: [slow], clock: createTestClock(T0), log: (line) => logs.push(line) });
    await vi.advanceTimersByTimeAsync(CLEANUP_INTERVAL_MS);
    await inStep;
    await vi.advanceTimersByTimeAsync(3 * CLEANUP_INTERVAL_MS);
    expect(steps).toEqual([null]);

    const stopped = stop();
    release();
    await stopped;

    expect(steps).toEqual([null]);
    expect(logs).toEqual([{ level: 'info', msg: 'cleanup.done', deleted: { slow: 1 }, durationMs: expect.any(Number), unfinished: ['slow'] }]);
  });
});

describe('clean-ups on two PostgreSQL nodes', () => {
  it('while one node runs the clean-ups, another node’s turn is skipped: the work is done once', async () => {
    vi.useFakeTimers({ toFake: ['setInterval', 'clearInterval'] });
    const shared = await createSharedTestDb('postgres');
    try {
      // each node its own pool, as two processes have
      const nodes = [await shared.connect(), await shared.connect()];
      const clock = createTestClock(T0);
      const userId = (await insertUser(shared.db, 'alice')).id;
      await sessionsAt(shared.db, userId, T0, SESSION_CLEANUP_STEP + 5);
      await sessionsAt(shared.db, userId, T0 + SESSION_LIFETIME_MS, 2);
      clock.advance(SESSION_LIFETIME_MS + DAY);

      // the first node's run is held inside its first step until the other node has ticked
      let release!: () => void;
      const held = new Promise<void>((resolve) => (release = resolve));
      let entered!: () => void;
      const inStep = new Promise<void>((resolve) => (entered = resolve));
      const [sessionsTask] = CLEANUPS;
      const steps = [0, 0];
      const taskOf = (node: number): CleanupTask => ({
        name: 'sessions',
        step: async (db, now, after) => {
          steps[node]!++;
          if (node === 0 && after === null) {
            entered();
            await held;
          }
          return sessionsTask!.step(db, now, after);
        },
      });
      const logs: LogLine[][] = [[], []];
      const schedule = (node: number) => scheduleCleanups(nodes[node]!, { tasks: [taskOf(node)], clock, log: (line) => logs[node]!.push(line) });
      // the second node started half an interval after the first: its turn comes while the first runs
      const stops = [schedule(0)];
      try {
        await vi.advanceTimersByTimeAsync(CLEANUP_INTERVAL_MS / 2);
        stops.push(schedule(1));
        await vi.advanceTimersByTimeAsync(CLEANUP_INTERVAL_MS / 2);
        await inStep;
        await vi.advanceTimersByTimeAsync(CLEANUP_INTERVAL_MS / 2);
        await vi.waitFor(() => expect(logs[1]).toHaveLength(1));
        release();
        await vi.waitFor(() => expect(logs[0]).toHaveLength(1));
      } finally {
        for (const stop of stops) await stop();
      }

      expect(logs[0]).toEqual([{ level: 'info', msg: 'cleanup.done', deleted: { sessions: SESSION_CLEANUP_STEP + 5 }, durationMs: expect.any(Number) }]);
      expect(logs[1]).toEqual([{ level: 'info', msg: 'cleanup.skipped', reason: 'another node is running the clean-ups' }]);
      expect(steps[1]).toBe(0);
      expect(await rowCount(shared.db, tablesOf(shared.db).sessions)).toBe(2);
    } finally {
      await shared.close();
    }
  });
});
