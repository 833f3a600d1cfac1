/**
 * `quire user list | role | suspend | unsuspend | delete` in processes of their own, on the engine
 * of the run (as src/cli-database.test.ts runs the other user commands): each through the account
 * use cases, each leaving an audit entry by the operator.
 */
import fs from 'node:fs';
import path from 'node:path';
import { eq } from 'drizzle-orm';
import { describe, expect, it } from 'vitest';
import { createSession, validateSessionToken } from '../auth/session';
import { tablesOf } from '../db/engine';
import { insertArticle, insertUser, testEngine } from '../test-support';
import { cliTestSite } from '../test-support/cli-site';
import { PROCESS_TEST_TIMEOUT_MS } from '../test-support/quire-process';
import { PLACEHOLDER_USERNAME } from './queries';

const { site, cli } = cliTestSite('quire-cli-accounts');
const { quire } = cli;

async function audit() {
  const { auditLog } = tablesOf(site.db);
  return (await site.db.select().from(auditLog).orderBy(auditLog.id)).map((row) => ({
    action: row.action,
    actor: row.actorName,
    door: row.door,
    target: row.targetLabel,
    reason: row.reason,
    details: row.details ? (JSON.parse(row.details) as unknown) : null,
  }));
}

async function rolesByName() {
  const { users } = tablesOf(site.db);
  const rows = await site.db.select({ username: users.username, role: users.role }).from(users).orderBy(users.id);
  return Object.fromEntries(rows.map((row) => [row.username, row.role]));
}

describe(`quire user (accounts) on ${testEngine()}`, { timeout: PROCESS_TEST_TIMEOUT_MS }, () => {
  it('--help lists the account commands', async () => {
    const { stdout } = await quire(['--help']);
    for (const command of ['user list [--role ROLE]', 'user role NAME ROLE', 'user suspend NAME [--until DATE] [--reason TEXT]', 'user unsuspend NAME', 'user delete NAME [--keep-content] [--yes]']) {
      expect(stdout).toContain(`\n  ${command}`);
    }
  });

  it('list shows name, email, role, state and joined date, newest first, optionally of one role', async () => {
    await insertUser(site.db, 'olive', { role: 'owner' });
    await insertUser(site.db, 'alice');
    const list = await quire(['user', 'list']);
    expect(list.code).toBe(0);
    const lines = list.stdout.trimEnd().split('\n');
    expect(lines[0]).toMatch(/^NAME\s+EMAIL\s+ROLE\s+STATE\s+JOINED$/);
    expect(lines.slice(1).map((line) => line.split(/\s+/).slice(0, 4))).toEqual([
      ['alice', 'alice@example.com', 'author', 'active'],
      ['olive', 'olive@example.com', 'owner', 'active'],
    ]);
    expect(lines[1]).toMatch(/\d{4}-\d{2}-\d{2}$/);

    const owners = await quire(['user', 'list', '--role', 'owner']);
    expect(owners.stdout.trimEnd().split('\n').slice(1).map((line) => line.split(/\s+/)[0])).toEqual(['olive']);
    const bad = await quire(['user', 'list', '--role', 'emperor']);
    expect([bad.code, bad.stderr]).toEqual([2, 'quire: --role must be one of owner, admin, moderator, author\nRun "quire --help" for the commands.\n']);
    // a usage mistake opens no database, and creates none
    const nowhere = path.join(site.dir, 'nowhere', 'quire.db');
    const missing = await quire(['user', 'role', 'alice'], { env: site.env({ DATABASE_PATH: nowhere, DATABASE_URL: '' }) });
    expect([missing.code, missing.stderr]).toEqual([2, 'quire: user role needs a ROLE: one of owner, admin, moderator, author\nRun "quire --help" for the commands.\n']);
    expect(fs.existsSync(nowhere)).toBe(false);
  });

  it('role gives a role, and "owner" hands the site over: exactly one owner, the old one an admin', async () => {
    await insertUser(site.db, 'olive', { role: 'owner' });
    await insertUser(site.db, 'alice');
    const given = await quire(['user', 'role', 'alice', 'moderator']);
    expect([given.code, given.stdout]).toEqual([0, 'alice is now a moderator (was an author).\n']);
    const handed = await quire(['user', 'role', 'alice', 'owner']);
    expect([handed.code, handed.stdout]).toEqual([0, 'alice is now the owner; olive is now an admin.\n']);
    expect(await rolesByName()).toEqual({ olive: 'admin', alice: 'owner' });
    // the owner's role changes only by handing it over
    const demote = await quire(['user', 'role', 'alice', 'author']);
    expect(demote.code).toBe(1);
    expect(demote.stderr).toMatch(/^quire: The owner’s account cannot be suspended, deleted or given another role/);
    const unknown = await quire(['user', 'role', 'nobody', 'author']);
    expect([unknown.code, unknown.stderr]).toEqual([1, 'quire: There is no user named nobody\n']);
    expect(await audit()).toEqual([
      { action: 'user.role', actor: 'operator (CLI)', door: 'cli', target: 'alice', reason: null, details: { from: 'author', to: 'moderator' } },
      {
        action: 'owner.transfer',
        actor: 'operator (CLI)',
        door: 'cli',
        target: 'alice',
        reason: null,
        details: { from: 'moderator', to: 'owner', previousOwner: 'olive', previousOwnerBecomes: 'admin' },
      },
    ]);
  });

  it('suspend ends sessions at once and hides content; a date in the past is refused; unsuspend restores', async () => {
    const alice = await insertUser(site.db, 'alice');
    await insertArticle(site.db, alice.id, { title: 'Hers' });
    const { token } = await createSession(site.db, alice.id, { now: Date.now() });

    const past = await quire(['user', 'suspend', 'alice', '--until', '2020-01-31', '--reason', 'Spam']);
    expect([past.code, past.stderr]).toEqual([1, 'quire: Until must be in the future\n']);
    const notADate = await quire(['user', 'suspend', 'alice', '--until', 'soon']);
    expect(notADate.code).toBe(2);
    expect(notADate.stderr).toMatch(/^quire: --until is not a date/);

    const suspended = await quire(['user', 'suspend', 'alice', '--until', '2999-01-31T18:00', '--reason', 'Spam links']);
    expect([suspended.code, suspended.stdout]).toEqual([
      0,
      'alice is suspended until 2999-01-31 18:00 UTC; their sessions have ended and their articles and comments are hidden.\n',
    ]);
    expect(await validateSessionToken(site.db, token, Date.now())).toBeNull();
    const { articles, users } = tablesOf(site.db);
    expect((await site.db.select({ cause: articles.hiddenCause }).from(articles))[0]!.cause).toBe('suspension');
    const list = await quire(['user', 'list']);
    expect(list.stdout).toContain('suspended until 2999-01-31 18:00 UTC');

    const lifted = await quire(['user', 'unsuspend', 'alice']);
    expect([lifted.code, lifted.stdout]).toEqual([0, 'alice is no longer suspended; their articles and comments are back.\n']);
    expect((await site.db.select({ at: articles.hiddenAt }).from(articles))[0]!.at).toBeNull();
    expect((await site.db.select({ at: users.suspendedAt }).from(users).where(eq(users.id, alice.id)))[0]!.at).toBeNull();
    const again = await quire(['user', 'unsuspend', 'alice']);
    expect([again.code, again.stderr]).toEqual([1, 'quire: alice is not suspended.\n']);

    const forGood = await quire(['user', 'suspend', 'alice']);
    expect(forGood.stdout).toMatch(/^alice is suspended for good;/);
    expect((await audit()).map(({ action, actor, reason, details }) => ({ action, actor, reason, details }))).toEqual([
      { action: 'user.suspend', actor: 'operator (CLI)', reason: 'Spam links', details: { until: '2999-01-31T18:00:00.000Z' } },
      { action: 'user.unsuspend', actor: 'operator (CLI)', reason: null, details: { ended: 'lifted', until: '2999-01-31T18:00:00.000Z' } },
      { action: 'user.suspend', actor: 'operator (CLI)', reason: 'No reason given (suspended by the operator).', details: { until: null } },
    ]);
  });

  it('delete refuses without a terminal unless --yes, and deletes with or without the content', async () => {
    const alice = await insertUser(site.db, 'alice');
    const bob = await insertUser(site.db, 'bob');
    await insertArticle(site.db, alice.id, { title: 'Alice writes' });
    await insertArticle(site.db, bob.id, { title: 'Bob writes' });

    const unconfirmed = await quire(['user', 'delete', 'alice']);
    expect([unconfirmed.code, unconfirmed.stderr]).toEqual([1, 'quire: user delete asks for confirmation on a terminal: run it on one, or add --yes.\n']);
    expect(Object.keys(await rolesByName())).toEqual(['alice', 'bob']);

    const gone = await quire(['user', 'delete', 'alice', '--yes']);
    expect([gone.code, gone.stdout]).toEqual([0, 'Deleted alice and their 1 article and 0 comments.\n']);
    const kept = await quire(['user', 'delete', 'bob', '--keep-content', '--yes']);
    expect([kept.code, kept.stdout]).toEqual([0, `Deleted bob; their 1 article and 0 comments are kept under ${PLACEHOLDER_USERNAME}.\n`]);

    const { articles, users } = tablesOf(site.db);
    const left = await site.db.select({ title: articles.title, author: users.username }).from(articles).innerJoin(users, eq(users.id, articles.authorId));
    expect(left).toEqual([{ title: 'Bob writes', author: PLACEHOLDER_USERNAME }]);
    expect((await audit()).map(({ action, target, details }) => ({ action, target, details }))).toEqual([
      { action: 'user.delete', target: 'alice', details: { keptContent: false } },
      { action: 'user.delete', target: 'bob', details: { keptContent: true } },
    ]);
  });
});
