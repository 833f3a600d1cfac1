import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { findPostgresBinDir } from './postgres-cluster';

describe('findPostgresBinDir', () => {
  const dirs: string[] = [];
  const tempDir = () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'quire-pgbin-'));
    dirs.push(dir);
    return dir;
  };
  const fakeServer = (dir: string) => {
    fs.mkdirSync(dir, { recursive: true });
    for (const program of ['initdb', 'pg_ctl']) fs.writeFileSync(path.join(dir, program), '');
    return dir;
  };
  afterEach(() => {
    for (const dir of dirs.splice(0)) fs.rmSync(dir, { recursive: true, force: true });
  });

  it("takes the newest of Debian's versions", () => {
    const root = tempDir();
    fakeServer(path.join(root, '15', 'bin'));
    fakeServer(path.join(root, '17', 'bin'));
    fs.mkdirSync(path.join(root, '18', 'bin'), { recursive: true }); // a client-only install: no initdb
    expect(findPostgresBinDir({ PATH: '' }, root)).toBe(path.join(root, '17', 'bin'));
  });

  it('names the Debian package when no server programs are found', () => {
    const empty = tempDir();
    expect(() => findPostgresBinDir({ PATH: empty }, path.join(empty, 'none'))).toThrow(/apt-get install postgresql/);
    expect(() => findPostgresBinDir({ POSTGRES_BIN_DIR: empty }, empty)).toThrow(/POSTGRES_BIN_DIR=.* holds no initdb/);
    const onPath = fakeServer(path.join(empty, 'bin'));
    expect(findPostgresBinDir({ PATH: `/nowhere:${onPath}` }, path.join(empty, 'none'))).toBe(onPath);
  });
});
