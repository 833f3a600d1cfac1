import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { defineConfig } from '@playwright/test';

const PORT = Number(process.env.E2E_PORT ?? 4817);
const BASE_URL = `http://127.0.0.1:${PORT}`;

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

export default defineConfig({
  testDir: 'e2e',
  fullyParallel: true,
  workers: 2,
  retries: 0,
  forbidOnly: !!process.env.CI,
  reporter: 'list',
  // generous for a busy 2-core machine; passing runs never wait for it
  expect: { timeout: 10_000 },
  use: {
    baseURL: BASE_URL,
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
  // the whole suite runs twice: every page must work with and without JavaScript
  projects: [
    { name: 'js-on', use: { browserName: 'chromium', javaScriptEnabled: true } },
    { name: 'js-off', use: { browserName: 'chromium', javaScriptEnabled: false } },
  ],
  webServer: {
    command: 'npm start',
    url: `${BASE_URL}/healthz`,
    reuseExistingServer: false,
    timeout: 60_000,
    stdout: 'ignore',
    stderr: 'pipe',
    env: {
      PORT: String(PORT),
      HOST: '127.0.0.1',
      PUBLIC_URL: BASE_URL,
      DATABASE_PATH,
      NODE_ENV: 'test',
      // every story signs up its own people from 127.0.0.1: raise the per-address sign-up and
      // global budgets (the limits themselves stay on and are tested in src/security)
      RATE_LIMIT_SIGNUP: '10000/h',
      // each sign-up and each keystroke pause of the strength hint spends a password check
      RATE_LIMIT_PASSWORD_STRENGTH: '10000/m',
      RATE_LIMIT_GLOBAL: '100000/m',
      // every wrong password from 127.0.0.1 counts against the one address all stories share, and
      // a success no longer clears it: no waits, or one story's failure refuses another's sign-in
      SIGNIN_BACKOFF: '0',
    },
  },
});
