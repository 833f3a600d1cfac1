/**
 * What a file of CLI tests shares: before each test a fresh directory and a fresh database of the
 * run's engine; after it, every process it started stopped and both removed. `site.env()` is a
 * fresh shell's environment plus the database's (DATABASE_URL on PostgreSQL, DATABASE_PATH on SQLite).
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach } from 'vitest';
import { createSharedTestDb, type SharedTestDb } from './db';
import { QuireRunner } from './quire-process';

export function cliTestSite(prefix: string) {
  let shared: SharedTestDb | null = null;
  const site = {
    dir: '',
    get db() {
      return shared!.db;
    },
    env(overrides: Record<string, string> = {}): Record<string, string> {
      return {
        PATH: process.env.PATH ?? '/usr/bin:/bin',
        HOME: process.env.HOME ?? site.dir,
        DATABASE_PATH: path.join(site.dir, 'data', 'quire.db'),
        LOG_FORMAT: 'json',
        ...shared!.env,
        ...overrides,
      };
    },
  };
  const cli = new QuireRunner((overrides) => site.env(overrides));
  beforeEach(async () => {
    site.dir = fs.mkdtempSync(path.join(os.tmpdir(), `${prefix}-`));
    shared = await createSharedTestDb();
  });
  afterEach(async () => {
    await cli.stopAll();
    await shared?.close();
    fs.rmSync(site.dir, { recursive: true, force: true });
  });
  return { site, cli };
}
