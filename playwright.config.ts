import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { defineConfig } from '@playwright/test';

// one server per engine, each on a database of its own; the stories sign up their own people
const SQLITE_PORT = Number(process.env.E2E_PORT ?? 4817);
const POSTGRES_PORT = SQLITE_PORT + 1;
// e2e/community.spec.ts closes sign-ups and changes who may join: a site of its own per engine, so
// no other story's sign-up meets a closed site, and its two projects (JS on, then off) in turn
const COMMUNITY_SQLITE_PORT = SQLITE_PORT + 2;
const COMMUNITY_POSTGRES_PORT = SQLITE_PORT + 3;
const COMMUNITY = /community\.spec\.ts$/;
// the mailbox every server sends to, read by the stories over HTTP (e2e/mailbox.ts)
const MAILBOX_SMTP_PORT = SQLITE_PORT + 4;
const MAILBOX_HTTP_PORT = SQLITE_PORT + 5;
process.env.QUIRE_E2E_MAILBOX = `http://127.0.0.1:${MAILBOX_HTTP_PORT}`;
const baseUrl = (port: number) => `http://127.0.0.1:${port}`;

// Playwright loads this file in the runner and again in every worker: the runner makes the
// database directory once and hands it to the workers through the environment.
const DATA_DIR_VAR = 'QUIRE_E2E_DATA_DIR';
if (!process.env[DATA_DIR_VAR]) {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'quire-e2e-'));
  process.env[DATA_DIR_VAR] = dir;
  // every run starts from an empty database and leaves nothing behind
  process.on('exit', () => fs.rmSync(dir, { recursive: true, force: true }));
}
const DATABASE_PATH = path.join(process.env[DATA_DIR_VAR]!, 'quire.db');
const COMMUNITY_DATABASE_PATH = path.join(process.env[DATA_DIR_VAR]!, 'community.db');

export default defineConfig({
  testDir: 'e2e',
  fullyParallel: true,
  workers: 2,
  retries: 0,
  forbidOnly: !!process.env.CI,
  reporter: 'list',
  // generous for a busy 2-core machine (a sign-up on PostgreSQL took over 10 s while benchmarks ran beside it); passing runs never wait for it
  expect: { timeout: 20_000 },
  use: {
    trace: 'off',
    launchOptions: {
      executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium',
      args: [
        '--no-sandbox',
        '--disable-gpu',
        '--disable-dev-shm-usage',
        '--disable-background-networking',
        '--disable-component-update',
        '--disable-sync',
        '--no-first-run',
      ],
    },
  },
  // the whole suite runs four times: on SQLite and on PostgreSQL, every page with and without
  // JavaScript (`--project sqlite-js-on` runs one; Playwright starts both servers whatever it runs)
  // Each engine's setup project signs up the site's owner (e2e/owner.setup.ts) before its stories.
  projects: (['sqlite', 'postgres'] as const).flatMap((engine) => [
    {
      name: `${engine}-setup`,
      testMatch: /\.setup\.ts$/,
      use: { baseURL: baseUrl(engine === 'sqlite' ? SQLITE_PORT : POSTGRES_PORT) },
    },
    ...[true, false].map((javaScriptEnabled) => ({
      name: `${engine}-js-${javaScriptEnabled ? 'on' : 'off'}`,
      dependencies: [`${engine}-setup`],
      testIgnore: COMMUNITY,
      use: { browserName: 'chromium' as const, javaScriptEnabled, baseURL: baseUrl(engine === 'sqlite' ? SQLITE_PORT : POSTGRES_PORT) },
    })),
    // the community stories, on their own site: its owner first, then JS on, then JS off
    {
      name: `community-${engine}-setup`,
      testMatch: /\.setup\.ts$/,
      use: { baseURL: baseUrl(engine === 'sqlite' ? COMMUNITY_SQLITE_PORT : COMMUNITY_POSTGRES_PORT) },
    },
    ...[true, false].map((javaScriptEnabled) => ({
      name: `community-${engine}-js-${javaScriptEnabled ? 'on' : 'off'}`,
      dependencies: [javaScriptEnabled ? `community-${engine}-setup` : `community-${engine}-js-on`],
      testMatch: COMMUNITY,
      use: {
        browserName: 'chromium' as const,
        javaScriptEnabled,
        baseURL: baseUrl(engine === 'sqlite' ? COMMUNITY_SQLITE_PORT : COMMUNITY_POSTGRES_PORT),
      },
    })),
  ]),
  webServer: [
    {
      name: 'mailbox',
      command: 'node --import tsx src/test-support/mailbox-server.ts',
      url: `http://127.0.0.1:${MAILBOX_HTTP_PORT}/healthz`,
      reuseExistingServer: false,
      timeout: 60_000,
      stdout: 'ignore' as const,
      stderr: 'pipe' as const,
      env: { MAILBOX_SMTP_PORT: String(MAILBOX_SMTP_PORT), MAILBOX_HTTP_PORT: String(MAILBOX_HTTP_PORT) },
    },
    {
      name: 'sqlite',
      command: 'npm start',
      ...serverOptions(SQLITE_PORT),
      // DATABASE_URL empty: SQLite whatever the shell's environment says
      env: { ...serverEnv(SQLITE_PORT), DATABASE_PATH, DATABASE_URL: '' },
    },
    {
      // a throwaway cluster of its own (src/test-support/with-postgres.ts), stopped after the server
      name: 'postgres',
      command: 'node --import tsx src/test-support/with-postgres.ts npm start',
      ...serverOptions(POSTGRES_PORT),
      // with-postgres passes SIGTERM on to Quire, which drains, then stops the cluster
      gracefulShutdown: { signal: 'SIGTERM', timeout: 20_000 },
      // DATABASE_PATH names a file nothing may create: on PostgreSQL Quire has no file
      env: { ...serverEnv(POSTGRES_PORT), DATABASE_PATH: `${DATABASE_PATH}.unused` },
    },
    {
      name: 'community-sqlite',
      command: 'npm start',
      ...serverOptions(COMMUNITY_SQLITE_PORT),
      env: { ...serverEnv(COMMUNITY_SQLITE_PORT), DATABASE_PATH: COMMUNITY_DATABASE_PATH, DATABASE_URL: '' },
    },
    {
      name: 'community-postgres',
      command: 'node --import tsx src/test-support/with-postgres.ts npm start',
      ...serverOptions(COMMUNITY_POSTGRES_PORT),
      gracefulShutdown: { signal: 'SIGTERM', timeout: 20_000 },
      env: { ...serverEnv(COMMUNITY_POSTGRES_PORT), DATABASE_PATH: `${COMMUNITY_DATABASE_PATH}.unused` },
    },
  ],
});

function serverOptions(port: number) {
  return {
    url: `${baseUrl(port)}/healthz`,
    reuseExistingServer: false,
    timeout: 60_000,
    stdout: 'ignore' as const,
    stderr: 'pipe' as const,
  };
}

function serverEnv(port: number): Record<string, string> {
  return {
    PORT: String(port),
    HOST: '127.0.0.1',
    PUBLIC_URL: baseUrl(port),
    NODE_ENV: 'test',
    SMTP_URL: `smtp://127.0.0.1:${MAILBOX_SMTP_PORT}`,
    // every story signs up its own people from 127.0.0.1: raise the per-address sign-up and
    // global budgets (the limits themselves stay on and are tested in src/security)
    RATE_LIMIT_SIGNUP: '10000/h',
    // each sign-up and each keystroke pause of the strength hint spends a password check
    RATE_LIMIT_PASSWORD_STRENGTH: '10000/m',
    RATE_LIMIT_GLOBAL: '100000/m',
    // reset links and confirmation mails asked for from the one address all stories share
    RATE_LIMIT_PASSWORD_RESET: '10000/h',
    RATE_LIMIT_EMAIL_CONFIRM: '10000/h',
    // every wrong password from 127.0.0.1 counts against the one address all stories share, and
    // a success no longer clears it: no waits, or one story's failure refuses another's sign-in
    SIGNIN_BACKOFF: '0',
    // every story's people are new accounts, and some write more than a new account's first day
    // allows (src/site/spam.ts, tested in src/site/site.test.ts)
    NEW_ACCOUNT_ARTICLES_PER_DAY: '1000',
    NEW_ACCOUNT_COMMENTS_PER_DAY: '1000',
  };
}
