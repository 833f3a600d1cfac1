/**
 * `quire` on the database the tests run on (QUIRE_TEST_ENGINE): the commands an operator runs
 * beside a site, and `serve`, through the configuration's one way of opening the database
 * (src/db/open.ts: DATABASE_URL for PostgreSQL, else DATABASE_PATH). src/cli.test.ts covers the
 * rest of the CLI on a SQLite file: its usage errors, backup and restore, the start-up lock.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { eq, sql } from 'drizzle-orm';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { verifyPassword } from './auth/password';
import { createSession } from './auth/session';
import type { Db } from './db/client';
import { tablesOf } from './db/engine';
import { closePostgres, openPostgres, type PgDb } from './db/postgres';
import { lockFilePath } from './ops/backup';
import { createSharedTestDb, insertUser, rowCount, testEngine } from './test-support';
import { createEmptyPostgresDatabase } from './test-support/postgres';
import { PROCESS_TEST_TIMEOUT_MS, QuireRunner } from './test-support/quire-process';

const STRONG_PASSWORD = 'lantern orchard velvet';
const onPostgres = testEngine() === 'postgres';

let dir: string;
let shared: Awaited<ReturnType<typeof createSharedTestDb>>;
/** PostgreSQL pools a test opens to stand for nodes, closed after it */
let processesDbs: PgDb[];
const cli = new QuireRunner(env);
const { quire, startServer } = cli;

beforeEach(async () => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'quire-cli-db-test-'));
  processesDbs = [];
  shared = await createSharedTestDb();
});

afterEach(async () => {
  await cli.stopAll();
  for (const db of processesDbs) await closePostgres(db);
  await shared.close();
  fs.rmSync(dir, { recursive: true, force: true });
});

/**
 * A fresh shell's environment and the test database's (DATABASE_URL on PostgreSQL, DATABASE_PATH on
 * SQLite). On PostgreSQL DATABASE_PATH still names a file in the test's directory: nothing may
 * appear there (no lock, no database).
 */
function env(overrides: Record<string, string> = {}): Record<string, string> {
  return {
    PATH: process.env.PATH ?? '/usr/bin:/bin',
    HOME: process.env.HOME ?? dir,
    DATABASE_PATH: path.join(dir, 'data', 'quire.db'),
    LOG_FORMAT: 'json',
    ...shared.env,
    ...overrides,
  };
}

describe(`quire on ${testEngine()}`, { timeout: PROCESS_TEST_TIMEOUT_MS }, () => {
  it('user create and reset-password work on the configured database', async () => {
    const created = await quire(['user', 'create', '--username', 'alice', '--email', 'alice@example.com'], { input: `${STRONG_PASSWORD}\n` });
    expect([created.code, created.stdout]).toEqual([0, 'Created user alice (id 1, owner).\n']);
    const { users, sessions } = tablesOf(shared.db);
    const alice = (await shared.db.select().from(users).where(eq(users.username, 'alice')))[0]!;
    expect(alice.email).toBe('alice@example.com');
    expect(await verifyPassword(alice.passwordHash, STRONG_PASSWORD)).toBe(true);

    await createSession(shared.db, alice.id, { now: Date.now() });
    const reset = await quire(['user', 'reset-password', 'alice'], { input: 'a brand new passphrase\n' });
    expect([reset.code, reset.stdout]).toEqual([0, 'Password changed for alice; every session of theirs has ended.\n']);
    expect(await rowCount(shared.db, sessions)).toBe(0);
    const after = (await shared.db.select().from(users).where(eq(users.id, alice.id)))[0]!;
    expect(await verifyPassword(after.passwordHash, 'a brand new passphrase')).toBe(true);

    const nobody = await quire(['user', 'reset-password', 'nobody'], { input: `${STRONG_PASSWORD}\n` });
    expect([nobody.code, nobody.stderr]).toEqual([1, 'quire: There is no user named nobody\n']);
  });

  it('serve answers /healthz from the configured database and stops on SIGTERM', async () => {
    await insertUser(shared.db, 'alice');
    const { server, url } = await startServer();
    expect(await (await fetch(`${url}/healthz`)).json()).toEqual({ status: 'ok' });
    expect(await (await fetch(`${url}/profile/alice`)).text()).toContain('alice');
    // the SQLite start-up lock is beside the file; PostgreSQL has no file, and no lock
    expect(fs.existsSync(lockFilePath(env().DATABASE_PATH!))).toBe(!onPostgres);
    server.child.kill('SIGTERM');
    expect(await server.exited).toBe(0);
    expect(server.logMessages().slice(-2)).toEqual(['stopping', 'stopped']);
  });

  it('an invalid DATABASE_URL exits 1 naming the variable', async () => {
    const { code, stderr } = await quire(['migrate'], { env: env({ DATABASE_URL: 'mysql://localhost/quire' }) });
    expect(code).toBe(1);
    expect(stderr).toBe('quire: Invalid configuration:\n  DATABASE_URL: must be a postgres:// or postgresql:// URL\n');
  });
});

describe('quire on PostgreSQL', { timeout: PROCESS_TEST_TIMEOUT_MS }, () => {
  // on PostgreSQL whatever engine the rest of the suite runs on
  beforeEach(async () => {
    await shared.close();
    shared = await createSharedTestDb('postgres');
  });

  it('migrate applies the migrations to an empty database, and names it without its password', async () => {
    const url = new URL(await createEmptyPostgresDatabase());
    const { code, stderr } = await quire(['migrate'], { env: env({ DATABASE_URL: url.toString() }) });
    expect(code).toBe(0);
    const shown = new URL(url);
    if (shown.password) shown.password = '***';
    expect(stderr).toBe(`Migrations applied to ${shown.toString()}.\n`);
    const db = await openPostgres(url.toString(), { migrate: false, max: 1 });
    try {
      expect(await rowCount(db as unknown as Db, tablesOf(db as unknown as Db).users)).toBe(0);
    } finally {
      await db.$client.end();
    }
  });

  it('serves two nodes on one database at once: no start-up lock', async () => {
    const one = await startServer();
    const two = await startServer();
    for (const { url } of [one, two]) expect((await fetch(`${url}/healthz`)).status).toBe(200);
    for (const { server } of [one, two]) server.child.kill('SIGTERM');
    for (const { server } of [one, two]) expect(await server.exited).toBe(0);
  });

  it('backup writes a pg_dump archive; restore puts it back, refused while a node is connected unless --force', async () => {
    await insertUser(shared.db, 'alice');
    const file = path.join(dir, 'site.dump');
    const backup = await quire(['backup', file]);
    expect(backup.stdout).toMatch(new RegExp(`^Backup written to ${file} \\([\\d.]+ KiB, \\d+ bytes, [\\d.]+ s\\), pg_restore --list ok\\.\\n$`));
    expect(backup.code).toBe(0);
    await insertUser(shared.db, 'bob');

    // a node: application_name quire (src/db/postgres.ts), its connection kept open
    const node = await openPostgres(shared.env.DATABASE_URL!, { max: 1, pool: { idleTimeoutMillis: 0 } });
    processesDbs.push(node);
    await node.execute(sql`select 1`);
    const refused = await quire(['restore', file]);
    expect(refused.code).toBe(1);
    expect(refused.stderr).toMatch(/^Checking .*\nquire: Quire is running on postgres:\/\/.* \(\d+ connections? of its nodes\)\. Stop every node before restoring, or restore with --force/);
    expect(await rowCount(shared.db, tablesOf(shared.db).users)).toBe(2);

    const forced = await quire(['restore', file, '--force']);
    expect(forced.stdout).toMatch(new RegExp(`^Restored ${file} to postgres://.*\\. The database as it was is kept as ${dir}/quire-before-restore-\\d{8}T\\d{6}Z\\.dump\\.\\n$`));
    expect(forced.code).toBe(0);
    // the node connected all along reads the restored site
    const restored = await node.execute(sql`select username from users`);
    expect(restored.rows).toEqual([{ username: 'alice' }]);
  });

  it('serve schedules backups with BACKUP_DIR on PostgreSQL too', async () => {
    const { server } = await startServer({ BACKUP_DIR: path.join(dir, 'backups'), BACKUP_INTERVAL: '1h' });
    const scheduled = JSON.parse(await server.waitForLine(/"msg":"backup.scheduled"/)) as { dir: string; everyMs: number };
    expect(scheduled).toMatchObject({ dir: path.join(dir, 'backups'), everyMs: 3_600_000 });
    server.child.kill('SIGTERM');
    expect(await server.exited).toBe(0);
  });
});
