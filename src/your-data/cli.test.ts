/** `quire user export NAME --out FILE` in a process of its own, on the engine of the run. */
import fs from 'node:fs';
import path from 'node:path';
import { strFromU8, unzipSync } from 'fflate';
import { describe, expect, it } from 'vitest';
import { tablesOf } from '../db/engine';
import { insertArticle, insertUser, testEngine } from '../test-support';
import { cliTestSite } from '../test-support/cli-site';
import { PROCESS_TEST_TIMEOUT_MS } from '../test-support/quire-process';

const { site, cli } = cliTestSite('quire-cli-export');
const { quire } = cli;

describe(`quire user export on ${testEngine()}`, { timeout: PROCESS_TEST_TIMEOUT_MS }, () => {
  it('writes the zip of an account to --out, recorded in the audit log; --help names it', async () => {
    const alice = await insertUser(site.db, 'alice');
    const article = await insertArticle(site.db, alice.id, { title: 'Alice writes' });
    const out = path.join(site.dir, 'alice.zip');
    const res = await quire(['user', 'export', 'alice', '--out', out]);
    expect(res.code, res.stderr).toBe(0);
    expect(res.stdout).toMatch(/^Exported alice's data to .*alice\.zip \(\d+ bytes\)\.\n$/);
    const files = unzipSync(new Uint8Array(fs.readFileSync(out)));
    expect(Object.keys(files).sort()).toEqual(['account.json', `articles/${article.slug}.md`]);
    expect(JSON.parse(strFromU8(files['account.json']!)).account.username).toBe('alice');
    const { auditLog } = tablesOf(site.db);
    expect((await site.db.select().from(auditLog)).map((row) => [row.action, row.actorName, row.targetLabel])).toEqual([['user.export', 'operator (CLI)', 'alice']]);
    const unknown = await quire(['user', 'export', 'nobody', '--out', out]);
    expect([unknown.code, unknown.stderr]).toEqual([1, 'quire: There is no user named nobody\n']);
    expect((await quire(['--help'])).stdout).toContain('\n  user export NAME [--out FILE]');
  });
});
