/** `quire user export NAME --out FILE` in a process of its own, on the engine of the run. */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { strFromU8, unzipSync } from 'fflate';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { tablesOf } from '../db/engine';
import { createSharedTestDb, insertArticle, insertUser, testEngine } from '../test-support';
import { PROCESS_TEST_TIMEOUT_MS, QuireRunner } from '../test-support/quire-process';

let dir: string;
let shared: Awaited<ReturnType<typeof createSharedTestDb>>;
const cli = new QuireRunner(env);
const { quire } = cli;

beforeEach(async () => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'quire-cli-export-'));
  shared = await createSharedTestDb();
});

afterEach(async () => {
  await cli.stopAll();
  await shared.close();
  fs.rmSync(dir, { recursive: true, force: true });
});

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

describe(`quire user export on ${testEngine()}`, { timeout: PROCESS_TEST_TIMEOUT_MS }, () => {
  it('writes the zip of an account to --out, recorded in the audit log; --help names it', async () => {
    const alice = await insertUser(shared.db, 'alice');
    const article = await insertArticle(shared.db, alice.id, { title: 'Alice writes' });
    const out = path.join(dir, 'alice.zip');
    const res = await quire(['user', 'export', 'alice', '--out', out]);
    expect(res.code, res.stderr).toBe(0);
    expect(res.stdout).toMatch(/^Exported alice's data to .*alice\.zip \(\d+ bytes\)\.\n$/);
    const files = unzipSync(new Uint8Array(fs.readFileSync(out)));
    expect(Object.keys(files).sort()).toEqual(['account.json', `articles/${article.slug}.md`]);
    expect(JSON.parse(strFromU8(files['account.json']!)).account.username).toBe('alice');
    const { auditLog } = tablesOf(shared.db);
    expect((await shared.db.select().from(auditLog)).map((row) => [row.action, row.actorName, row.targetLabel])).toEqual([['user.export', 'operator (CLI)', 'alice']]);
    const unknown = await quire(['user', 'export', 'nobody', '--out', out]);
    expect([unknown.code, unknown.stderr]).toEqual([1, 'quire: There is no user named nobody\n']);
    expect((await quire(['--help'])).stdout).toContain('\n  user export NAME [--out FILE]');
  });
});
