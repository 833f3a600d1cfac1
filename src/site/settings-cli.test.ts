/**
 * `quire settings list|get|set` in a process of its own, on the database the tests use (a SQLite
 * file, or a PostgreSQL database of its own): the same use case as /admin/settings, an audit entry
 * by the operator, and the running app sees the change at its next request.
 */
import { spawn } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { desc } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApp } from '../app';
import { auditLog } from '../db/schema';
import { silentLog } from '../lib/logger';
import { createTestClock } from '../lib/clock';
import { Browser, createSharedTestDb, dom, testEnv } from '../test-support';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const TIMEOUT_MS = 60_000;

let shared: Awaited<ReturnType<typeof createSharedTestDb>>;
beforeAll(async () => {
  shared = await createSharedTestDb();
});
afterAll(() => shared?.close());

function quire(args: string[], input = ''): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', 'src/cli.ts', ...args], {
      cwd: ROOT,
      env: { ...process.env, ...shared.env, LOG_FORMAT: 'json' },
      stdio: ['pipe', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (data) => (stdout += data));
    child.stderr.on('data', (data) => (stderr += data));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout, stderr }));
    child.stdin.end(input);
  });
}

describe('quire settings', () => {
  it(
    'sets a setting live through the same use case, with an audit entry by the operator; gets and lists them',
    async () => {
      const app = createApp({ db: shared.db, env: testEnv(), clock: createTestClock(), log: silentLog });
      await app.ready;
      const visitor = new Browser(app);
      expect(dom(await visitor.html('/register')).querySelector('form[action="/register"]')).not.toBeNull();

      const set = await quire(['settings', 'set', 'registration', 'invite']);
      expect(set).toMatchObject({ code: 0, stdout: 'registration is now invite.\n' });
      // the very first account may always join: one is needed for the setting to refuse
      await visitor.post('/register', { username: 'founder', email: 'founder@example.com', password: 'lantern orchard velvet' });
      expect(await new Browser(app).html('/register')).toContain('Sign-ups are by invitation');
      const [entry] = await shared.db.select().from(auditLog).orderBy(desc(auditLog.id)).limit(1);
      expect(entry).toMatchObject({ action: 'settings.change', door: 'cli', actorName: 'operator (CLI)' });
      expect(JSON.parse(entry!.details!)).toEqual({ registration: { old: 'open', new: 'invite' } });

      // the operator's `quire user create` works whatever the setting
      const created = await quire(['user', 'create', '--username', 'opal', '--email', 'opal@example.com'], 'lantern orchard velvet\n');
      expect(created.code).toBe(0);
      expect(created.stdout).toMatch(/^Created user opal /);

      expect(await quire(['settings', 'set', 'title', 'Field', 'Notes'])).toMatchObject({ code: 0, stdout: 'title is now Field Notes.\n' });
      expect(await quire(['settings', 'set', 'nav-links', '[{"label":"News","url":"/tag/news"}]'])).toMatchObject({ code: 0 });
      expect(await quire(['settings', 'set', 'comments', 'off'])).toMatchObject({ code: 0, stdout: 'comments is now off.\n' });
      expect(await quire(['settings', 'get', 'title'])).toMatchObject({ code: 0, stdout: 'Field Notes\n' });
      const list = await quire(['settings', 'list']);
      expect(list.code).toBe(0);
      expect(list.stdout).toContain('registration\tinvite\n');
      expect(list.stdout).toContain('nav-links\t[{"label":"News","url":"/tag/news"}]\n');
      expect(list.stdout).toContain('new-account-articles-per-day\t3\n');
      expect(dom(await new Browser(app).html('/')).querySelector('.navbar-brand')!.text.trim()).toBe('Field Notes');

      const bad = await quire(['settings', 'set', 'registration', 'sometimes']);
      expect(bad.code).toBe(1);
      expect(bad.stderr).toBe('quire: registration must be open, invite or closed\n');
      const links = await quire(['settings', 'set', 'nav-links', '[{"label":"Evil","url":"javascript:alert(1)"}]']);
      expect(links.code).toBe(1);
      expect(links.stderr).toContain('must be a path on this site');
      const unknown = await quire(['settings', 'set', 'colour', 'red']);
      expect(unknown.code).toBe(2);
      expect(unknown.stderr).toContain('settings set needs a KEY: one of title, description, nav-links, registration');
    },
    8 * TIMEOUT_MS,
  );
});
