import { createHash } from 'node:crypto';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { verifyPassword } from './auth/password';
import { createSession } from './auth/session';
import { openDatabase, type Db } from './db/client';
import { uploads } from './db/schema';
import sharp from 'sharp';
import { lockFilePath, verifyDatabaseFile } from './ops/backup';
import { insertArticle, insertUser } from './test-support';
import { LINE_TIMEOUT_MS, PROCESS_TEST_TIMEOUT_MS, QuireRunner, ROOT } from './test-support/quire-process';

const VERSION = (JSON.parse(fs.readFileSync(path.join(ROOT, 'package.json'), 'utf8')) as { version: string }).version;
const STRONG_PASSWORD = 'lantern orchard velvet';

let dir: string;
let sockets: net.Socket[];
const cli = new QuireRunner(baseEnv);
const { start, quire, startServer } = cli;

beforeEach(async () => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'quire-cli-test-'));
  sockets = [];
});

afterEach(async () => {
  for (const socket of sockets) socket.destroy();
  await cli.stopAll();
  fs.rmSync(dir, { recursive: true, force: true });
});

function databasePath(): string {
  return path.join(dir, 'data', 'quire.db');
}

/** The environment of a fresh shell: nothing from the test runner's own configuration leaks in. */
function baseEnv(overrides: Record<string, string> = {}): Record<string, string> {
  return {
    PATH: process.env.PATH ?? '/usr/bin:/bin',
    HOME: process.env.HOME ?? dir,
    DATABASE_PATH: databasePath(),
    ...overrides,
  };
}

/** A direct connection to the database the commands use, closed before the next command runs. */
async function withDatabase<T>(work: (db: Db) => T | Promise<T>): Promise<T> {
  const db = openDatabase(databasePath());
  try {
    return await work(db);
  } finally {
    db.$client.close();
  }
}

/** The security events a command logged (JSON lines on stderr), with the fields that say who and what. */
function securityEvents(stderr: string) {
  return stderr
    .split('\n')
    .filter((line) => line.startsWith('{'))
    .map((line) => JSON.parse(line) as Record<string, unknown>)
    .filter((line) => typeof line.msg === 'string' && line.msg.startsWith('security.'))
    .map(({ event, door, userId, requestId, ip }) => ({ event, door, userId, requestId, ip }));
}

function usernames(db: Db): string[] {
  return (db.$client.prepare('select username from users order by id').all() as Array<{ username: string }>).map((row) => row.username);
}

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\-]/g, '\\$&');
}

/** A raw TCP client, to hold a request half-sent. */
function rawConnection(port: number) {
  const socket = net.connect(port, '127.0.0.1');
  let received = '';
  const listeners = new Set<() => void>();
  socket.setEncoding('utf8');
  socket.on('data', (data: string) => {
    received += data;
    for (const listener of listeners) listener();
  });
  const closed = new Promise<void>((resolve, reject) => {
    socket.on('close', () => resolve());
    socket.on('error', reject);
  });
  sockets.push(socket);
  return {
    socket,
    closed,
    received: () => received,
    /** Resolves once what the server sent satisfies `done`. */
    waitFor: (done: (text: string) => boolean) =>
      new Promise<void>((resolve, reject) => {
        const timer = setTimeout(() => finish(() => reject(new Error(`unexpected answer: ${JSON.stringify(received)}`))), LINE_TIMEOUT_MS);
        const check = () => {
          if (done(received)) finish(resolve);
        };
        const finish = (settle: () => void) => {
          clearTimeout(timer);
          listeners.delete(check);
          settle();
        };
        listeners.add(check);
        check();
      }),
  };
}

describe('quire (the command line)', { timeout: PROCESS_TEST_TIMEOUT_MS }, () => {
  it('--help lists every command', async () => {
    const { code, stdout } = await quire(['--help']);

    expect(code).toBe(0);
    for (const command of ['serve', 'migrate', 'backup FILE', 'restore FILE', 'user create --username NAME --email ADDRESS', 'user reset-password NAME']) {
      expect(stdout).toMatch(new RegExp(`^  ${escapeRegExp(command)}\\s`, 'm'));
    }
  });

  it('--version prints the version', async () => {
    const { code, stdout } = await quire(['--version']);

    expect(code).toBe(0);
    expect(stdout).toBe(`quire ${VERSION}\n`);
  });

  it('an unknown command exits 2 and points at --help', async () => {
    const { code, stdout, stderr } = await quire(['frobnicate']);

    expect(code).toBe(2);
    expect(stdout).toBe('');
    expect(stderr).toBe('quire: unknown command "frobnicate"\nRun "quire --help" for the commands.\n');
  });

  it('an option without its value, or one quire does not have, exits 2 and points at --help', async () => {
    const missing = await quire(['user', 'create', '--email', 'alice@example.com', '--username']);
    const unknown = await quire(['--frobnicate', 'migrate']);

    expect(missing.code).toBe(2);
    expect(missing.stderr).toBe('quire: --username needs a value\nRun "quire --help" for the commands.\n');
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toBe('quire: unknown option --frobnicate\nRun "quire --help" for the commands.\n');
    expect(fs.existsSync(databasePath())).toBe(false);
  });

  it('an invalid environment value exits 1 naming the variable', async () => {
    const { code, stderr } = await quire(['migrate'], { env: baseEnv({ PORT: 'abc' }) });

    expect(code).toBe(1);
    expect(stderr).toMatch(/^quire: Invalid configuration:\n {2}PORT: /);
    expect(fs.existsSync(databasePath())).toBe(false);
  });

  it('migrate creates the database', async () => {
    const { code, stderr } = await quire(['migrate']);

    expect(code).toBe(0);
    expect(stderr).toBe(`Migrations applied to ${databasePath()}.\n`);
    expect(verifyDatabaseFile(databasePath())).toBeUndefined();
    await withDatabase((db) => expect(usernames(db)).toEqual([]));
  });

  it('--env-file reads the configuration from a file', async () => {
    const fromFile = path.join(dir, 'elsewhere', 'site.db');
    fs.writeFileSync(path.join(dir, 'quire.env'), `# where the site lives\nDATABASE_PATH=${fromFile}\n`);
    const { DATABASE_PATH: _unset, ...env } = baseEnv();

    const { code, stderr } = await quire(['--env-file', path.join(dir, 'quire.env'), 'migrate'], { env });

    expect(code).toBe(0);
    expect(stderr).toBe(`Migrations applied to ${fromFile}.\n`);
    expect(fs.existsSync(fromFile)).toBe(true);
  });

  it('--env-file that does not exist stops before anything is done', async () => {
    const { code, stderr } = await quire(['--env-file', path.join(dir, 'missing.env'), 'migrate']);

    // Node 20 itself checks an --env-file anywhere on its command line (exit 9, "not found");
    // newer Node leaves it to quire (exit 2, "does not exist"). Either way it names the file.
    expect(code).not.toBe(0);
    expect(stderr).toContain(path.join(dir, 'missing.env'));
    expect(fs.existsSync(databasePath())).toBe(false);
  });

  describe('user', () => {
    it('create makes a user with the password from standard input', async () => {
      const { code, stdout, stderr } = await quire(['user', 'create', '--username', 'alice', '--email', 'alice@example.com'], {
        input: `${STRONG_PASSWORD}\n`,
      });

      expect(code).toBe(0);
      expect(stdout).toBe('Created user alice (id 1, owner).\n');
      // the security event, as the web and API sign-ups log it, on stderr (stdout is the answer)
      expect(securityEvents(stderr)).toEqual([{ event: 'signup', door: 'cli', userId: 1, requestId: null, ip: null }]);
      const user = await withDatabase(
        (db) => db.$client.prepare('select username, email, password_hash as hash from users').get() as { username: string; email: string; hash: string },
      );
      expect(user).toMatchObject({ username: 'alice', email: 'alice@example.com' });
      expect(await verifyPassword(user.hash, STRONG_PASSWORD)).toBe(true);
    });

    it('create refuses a common password', async () => {
      const { code, stdout, stderr } = await quire(['user', 'create', '--username', 'alice', '--email', 'alice@example.com'], {
        input: 'password1\n',
      });

      expect(code).toBe(1);
      expect(stdout).toBe('');
      expect(stderr).toMatch(/^quire: Password is too easy to guess/);
      await withDatabase((db) => expect(usernames(db)).toEqual([]));
    });

    it('create refuses a username that is taken', async () => {
      await withDatabase((db) => insertUser(db, 'alice'));

      const { code, stderr } = await quire(['user', 'create', '--username', 'Alice', '--email', 'other@example.com'], {
        input: `${STRONG_PASSWORD}\n`,
      });

      expect(code).toBe(1);
      expect(stderr).toBe('quire: Username has already been taken\n');
    });

    it('reset-password sets the new password and ends every session of that user', async () => {
      const { oldHash } = await withDatabase(async (db) => {
        const alice = await insertUser(db, 'alice');
        const bob = await insertUser(db, 'bob');
        await createSession(db, alice.id, { now: Date.now() });
        await createSession(db, alice.id, { now: Date.now() });
        await createSession(db, bob.id, { now: Date.now() });
        return { oldHash: alice.passwordHash };
      });

      const { code, stdout, stderr } = await quire(['user', 'reset-password', 'alice'], { input: `${STRONG_PASSWORD}\n` });

      expect(code).toBe(0);
      expect(stdout).toBe('Password changed for alice; every session of theirs has ended.\n');
      expect(securityEvents(stderr)).toEqual([{ event: 'password.changed', door: 'cli', userId: 1, requestId: null, ip: null }]);
      await withDatabase(async (db) => {
        const rows = db.$client
          .prepare('select username, password_hash as hash, (select count(*) from sessions where user_id = users.id) as sessions from users order by id')
          .all() as Array<{ username: string; hash: string; sessions: number }>;
        expect(rows.map(({ username, sessions }) => ({ username, sessions }))).toEqual([
          { username: 'alice', sessions: 0 },
          { username: 'bob', sessions: 1 },
        ]);
        expect(rows[0]!.hash).not.toBe(oldHash);
        expect(await verifyPassword(rows[0]!.hash, STRONG_PASSWORD)).toBe(true);
      });
    });

    it('reset-password for someone who does not exist exits 1', async () => {
      await quire(['migrate']);

      const { code, stderr } = await quire(['user', 'reset-password', 'nobody'], { input: `${STRONG_PASSWORD}\n` });

      expect(code).toBe(1);
      expect(stderr).toBe('quire: There is no user named nobody\n');
    });
  });

  describe('backup and restore', () => {
    it('backup writes a verified copy and prints its size', async () => {
      await withDatabase((db) => insertUser(db, 'alice'));
      const file = path.join(dir, 'backups', 'today.db');

      const { code, stdout, stderr } = await quire(['backup', file]);

      expect(code).toBe(0);
      const bytes = fs.statSync(file).size;
      expect(stdout).toBe(`Backup written to ${file} (${(bytes / 1024).toFixed(1)} KiB, ${bytes} bytes), integrity check ok.\n`);
      expect(stderr).toMatch(/Backing up\.\.\. 100%\n$/);
      expect(verifyDatabaseFile(file)).toBeUndefined();
      expect(fs.readdirSync(path.dirname(file))).toEqual(['today.db']);
    });

    it('backup carries the images beside the database; --verify and restore check them together', async () => {
      // an image as the upload use case stores it: named by the hash of its bytes, in media/ beside the database
      const bytes = await sharp({ create: { width: 40, height: 30, channels: 3, background: '#2a7' } }).jpeg().toBuffer();
      const name = `${createHash('sha256').update(bytes).digest('hex').slice(0, 20)}-40x30.jpg`;
      const mediaDir = path.join(dir, 'data', 'media');
      fs.mkdirSync(mediaDir, { recursive: true });
      fs.writeFileSync(path.join(mediaDir, name), bytes);
      await withDatabase(async (db) => {
        const alice = await insertUser(db, 'alice');
        await db.insert(uploads).values({ key: name.slice(0, 20), ownerId: alice.id, type: 'jpeg', width: 40, height: 30, bytes: bytes.length, url: `/media/${name}`, createdAt: new Date() });
      });
      const file = path.join(dir, 'backups', 'today.db');

      const backup = await quire(['backup', file]);
      expect(backup.code).toBe(0);
      expect(backup.stdout).toMatch(new RegExp(`integrity check ok; 1 image file \\(\\d+\\.\\d KiB\\) in ${escapeRegExp(file)}\\.media\\.\n$`));
      expect(fs.readdirSync(`${file}.media`).sort()).toEqual([name, 'manifest.json']);
      const verified = await quire(['backup', '--verify', file]);
      expect(verified.code).toBe(0);
      expect(verified.stdout).toBe(`${file} is a sound backup (integrity check ok), with 1 image file (${(bytes.length / 1024).toFixed(1)} KiB), each whole.\n`);

      fs.rmSync(path.join(`${file}.media`, name));
      const broken = await quire(['backup', '--verify', file]);
      expect(broken.code).toBe(1);
      expect(broken.stderr).toContain(`today.db.media fails verification: ${name} is missing`);
      const refused = await quire(['restore', file]);
      expect(refused.code).toBe(1);
      expect(refused.stderr).toContain(`${name} is missing`);

      // whole again, the restore puts the image back into the store, then the database
      fs.writeFileSync(path.join(`${file}.media`, name), bytes);
      fs.rmSync(path.join(mediaDir, name));
      const restored = await quire(['restore', file]);
      expect(restored.code).toBe(0);
      expect(restored.stdout).toContain(`1 image file verified; 1 put into files in ${mediaDir}.`);
      expect(fs.readFileSync(path.join(mediaDir, name)).equals(bytes)).toBe(true);
    });

    it.each([
      ['SIGINT', 130],
      ['SIGTERM', 143],
    ] as const)('backup stopped by %s removes its partial copy and exits %i', async (signal, exitCode) => {
      await withDatabase((db) => {
        // 100 MB: the copy is still running when the signal comes
        db.$client.exec('create table ballast (data blob not null)');
        const insert = db.$client.prepare('insert into ballast (data) values (zeroblob(1024 * 1024))');
        db.$client.transaction(() => {
          for (let i = 0; i < 100; i++) insert.run();
        })();
      });
      const file = path.join(dir, 'backups', 'today.db');
      const backup = start(['backup', file]);
      await backup.waitForLine(/^Backing up\.\.\. \d+%$/, LINE_TIMEOUT_MS, 'stderr');
      // held still while we look: the partial copy is there, half written
      backup.child.kill('SIGSTOP');
      expect(fs.readdirSync(path.dirname(file))).toContain(`today.db.partial-${backup.child.pid}`);

      backup.child.kill(signal);
      backup.child.kill('SIGCONT');

      expect(await backup.exited).toBe(exitCode);
      expect(backup.stderr).toContain(`quire: The backup was interrupted: nothing was written to ${file}.\n`);
      expect(backup.stdout).toBe('');
      expect(fs.readdirSync(path.dirname(file))).toEqual([]);
    });

    it('backup without a database exits 1', async () => {
      const { code, stderr } = await quire(['backup', path.join(dir, 'today.db')]);

      expect(code).toBe(1);
      expect(stderr).toBe(`quire: There is no database at ${databasePath()}\n`);
      expect(fs.existsSync(path.join(dir, 'today.db'))).toBe(false);
    });

    it('restore puts a backup back and says where the old database is kept', async () => {
      await withDatabase((db) => insertUser(db, 'alice'));
      const file = path.join(dir, 'today.db');
      expect((await quire(['backup', file])).code).toBe(0);
      await withDatabase((db) => insertUser(db, 'bob'));

      const { code, stdout } = await quire(['restore', file]);

      expect(code).toBe(0);
      const match = /^Restored (.+) to (.+)\. The previous database is kept as (.+)\.\n$/.exec(stdout);
      expect(match?.slice(1, 3)).toEqual([file, databasePath()]);
      const keptAs = match![3]!;
      expect(keptAs).toMatch(new RegExp(`^${escapeRegExp(databasePath())}\\.before-restore-\\d{8}T\\d{6}Z$`));
      await withDatabase((db) => expect(usernames(db)).toEqual(['alice']));
      const kept = openDatabase(keptAs);
      try {
        expect(usernames(kept)).toEqual(['alice', 'bob']);
      } finally {
        kept.$client.close();
      }
    });

    it('restore refuses a file that is not a backup', async () => {
      await withDatabase((db) => insertUser(db, 'alice'));
      fs.writeFileSync(path.join(dir, 'notes.txt'), 'not a database, but long enough to look like a header of one');

      const { code, stderr } = await quire(['restore', path.join(dir, 'notes.txt')]);

      expect(code).toBe(1);
      expect(stderr).toContain(`quire: ${path.join(dir, 'notes.txt')} is not usable: file is not a database`);
      await withDatabase((db) => expect(usernames(db)).toEqual(['alice']));
    });
  });

  describe('serve', () => {
    it('serves until SIGTERM, refusing a restore and a second server meanwhile', async () => {
      const { server, url } = await startServer();

      const health = await fetch(`${url}/healthz`);
      expect(health.status).toBe(200);
      expect(await health.json()).toEqual({ status: 'ok' });
      expect(fs.readFileSync(lockFilePath(databasePath()), 'utf8')).toBe(String(server.child.pid));

      // an online backup from another process while the site runs
      const file = path.join(dir, 'while-serving.db');
      expect((await quire(['backup', file])).code).toBe(0);
      expect(verifyDatabaseFile(file)).toBeUndefined();

      const restore = await quire(['restore', file]);
      expect(restore.code).toBe(1);
      expect(restore.stderr).toContain(`Quire is running (pid ${server.child.pid})`);

      const second = await quire(['serve'], { env: baseEnv({ PORT: '0', HOST: '127.0.0.1' }) });
      expect(second.code).toBe(1);
      expect(second.stderr).toContain(`Quire is already running on ${databasePath()} (pid ${server.child.pid})`);
      expect(server.running).toBe(true);

      server.child.kill('SIGTERM');

      expect(await server.exited).toBe(0);
      expect(server.logMessages().slice(-2)).toEqual(['stopping', 'stopped']);
      expect(fs.existsSync(lockFilePath(databasePath()))).toBe(false);
      // the WAL was checkpointed into the database before it closed
      expect(fs.existsSync(`${databasePath()}-wal`)).toBe(false);
    });

    it('renders bodies left unrendered (by an older version) before it listens', async () => {
      const slug = await withDatabase(async (db) => {
        const user = await insertUser(db, 'alice');
        const article = await insertArticle(db, user.id, { title: 'Old one', body: 'Saved **before** rendering.' });
        db.$client.prepare("update articles set body_html = '', reading_minutes = 0 where id = ?").run(article.id);
        return article.slug;
      });
      const { server, url } = await startServer();
      const page = await (await fetch(`${url}/article/${slug}`)).text();
      expect(page).toContain('<p>Saved <strong>before</strong> rendering.</p>');
      server.child.kill('SIGTERM');
      expect(await server.exited).toBe(0);
      expect(await withDatabase((db) => db.$client.prepare('select count(*) as n from articles where reading_minutes = 0').get())).toEqual({ n: 0 });
    });

    it('finishes a request in flight at SIGTERM, closes its connection, then exits', async () => {
      const { server, url } = await startServer();
      const { port } = new URL(url);
      const body = JSON.stringify({ user: { email: 'nobody@example.com', password: 'not the password' } });
      const half = Math.floor(body.length / 2);
      const client = rawConnection(Number(port));

      // Expect: 100-continue makes the server say when it has the request head: from then on the
      // request is in flight, waiting for the rest of its body
      client.socket.write(
        [
          'POST /api/users/login HTTP/1.1',
          `Host: 127.0.0.1:${port}`,
          'Content-Type: application/json',
          `Content-Length: ${Buffer.byteLength(body)}`,
          'Expect: 100-continue',
          '',
          '',
        ].join('\r\n'),
      );
      await client.waitFor((text) => text.includes('HTTP/1.1 100 Continue\r\n\r\n'));
      client.socket.write(body.slice(0, half));

      server.child.kill('SIGTERM');
      await server.waitForLine(/"msg":"stopping"/);
      expect(server.running).toBe(true);
      client.socket.write(body.slice(half));

      // the server ends the connection once the response is written, instead of keeping it alive
      await client.closed;
      const response = client.received().replace('HTTP/1.1 100 Continue\r\n\r\n', '');
      const [head, payload] = [response.slice(0, response.indexOf('\r\n\r\n')), response.slice(response.indexOf('\r\n\r\n') + 4)];
      expect(head).toMatch(/^HTTP\/1\.1 (401|422) /);
      expect(head).toMatch(/\r\nconnection: close(\r\n|$)/i);
      expect(head).toContain(`\r\nContent-Length: ${Buffer.byteLength(payload)}`);
      expect(JSON.parse(payload)).toEqual({ errors: { credentials: ['invalid'] } });

      expect(await server.exited).toBe(0);
      expect(server.stdout).toMatch(/"msg":"stopped"/);
      expect(fs.existsSync(lockFilePath(databasePath()))).toBe(false);
    });
  });
});
