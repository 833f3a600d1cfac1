import { execFileSync, spawn, spawnSync, type ChildProcessWithoutNullStreams } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import Database from 'better-sqlite3';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { contentHash } from '../src/runtime';
import { startTestS3 } from '../src/test-support/s3';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const BINARY = path.join(ROOT, 'dist', 'quire');
const SOURCES = ['src', 'views', 'static', 'drizzle', 'scripts/build.ts', 'package-lock.json'];

function newestSourceMtime(): number {
  const walk = (p: string): number => {
    const stat = fs.statSync(p);
    if (!stat.isDirectory()) return stat.mtimeMs;
    return Math.max(0, ...fs.readdirSync(p).map((name) => walk(path.join(p, name))));
  };
  return Math.max(...SOURCES.map((p) => walk(path.join(ROOT, p))));
}

/** An article body with a highlighted code block and characters beyond ASCII. */
const BODY = '# Hi\n\n```js\nconst answer = 42;\n```\n\nCafé — “naïve” 日本 …';

/** The binary, copied alone into an empty directory, as on a server. */
let dir: string;
let quire: string;
let emptyPath: string;

beforeAll(() => {
  if (!fs.existsSync(BINARY) || fs.statSync(BINARY).mtimeMs < newestSourceMtime()) {
    execFileSync('npm', ['run', 'build'], { cwd: ROOT, stdio: 'inherit' });
  }
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'quire-release-'));
  emptyPath = fs.mkdtempSync(path.join(os.tmpdir(), 'quire-no-tools-'));
  quire = path.join(dir, 'quire');
  fs.copyFileSync(BINARY, quire);
  fs.chmodSync(quire, 0o755);
});

afterAll(() => {
  if (dir) fs.rmSync(dir, { recursive: true, force: true });
  if (emptyPath) fs.rmSync(emptyPath, { recursive: true, force: true });
});

/** As on a machine without Node: a PATH holding nothing at all, and only what we pass. */
function env(extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  return { PATH: emptyPath, DATABASE_PATH: path.join(dir, 'data', 'quire.db'), ...extra };
}

function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const server = net.createServer().listen(0, '127.0.0.1', () => {
      const { port } = server.address() as net.AddressInfo;
      server.close(() => resolve(port));
    });
  });
}

type Running = { child: ChildProcessWithoutNullStreams; url: string; output: () => string; exited: Promise<number | null> };

function waitForOutput(child: ChildProcessWithoutNullStreams, pattern: RegExp, output: () => string): Promise<RegExpExecArray> {
  return new Promise((resolve, reject) => {
    const check = () => {
      const match = pattern.exec(output());
      if (match) {
        child.stdout.off('data', check);
        resolve(match);
      }
    };
    child.stdout.on('data', check);
    child.once('exit', (code) => reject(new Error(`exited with ${code} before ${pattern}:\n${output()}`)));
    check();
  });
}

async function start(extraEnv: Record<string, string> = {}): Promise<Running> {
  const port = await freePort();
  const child = spawn(quire, ['serve'], {
    cwd: dir,
    env: env({ PORT: String(port), PUBLIC_URL: `http://127.0.0.1:${port}`, ...extraEnv }),
  });
  let out = '';
  child.stdout.on('data', (chunk: Buffer) => (out += chunk.toString()));
  child.stderr.on('data', (chunk: Buffer) => (out += chunk.toString()));
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  await waitForOutput(child, /"msg":"listening"/, () => out);
  return { child, url: `http://127.0.0.1:${port}`, output: () => out, exited };
}

async function stop(server: Running): Promise<number | null> {
  server.child.kill('SIGTERM');
  return server.exited;
}

function cli(args: string[], input?: string) {
  return spawnSync(quire, args, { cwd: dir, env: env(), input, encoding: 'utf8' });
}

const json = (body: unknown, token?: string): RequestInit => ({
  method: 'POST',
  headers: { 'content-type': 'application/json', ...(token ? { authorization: `Token ${token}` } : {}) },
  body: JSON.stringify(body),
});

describe('the release binary, alone in an empty directory', () => {
  let token = '';

  it('prints its version and help with no node (nor anything else) on its PATH', () => {
    expect(spawnSync('sh', ['-c', 'command -v node'], { env: env() }).status).not.toBe(0);
    const version = cli(['--version']);
    expect(version.status).toBe(0);
    expect(version.stdout).toMatch(/^quire \d+\.\d+\.\d+/);
    expect(cli(['--help']).stdout).toContain('reset-password');
  });

  it('creates and migrates its database, serves every kind of page, and stops cleanly on SIGTERM', async () => {
    const server = await start();
    expect(fs.existsSync(path.join(dir, 'data', 'quire.db'))).toBe(true);
    // the addons are written out under the hash of their bytes, which the build put in the manifest
    const cache = path.join(dir, 'data', '.cache');
    const addons = fs.readdirSync(cache).filter((name) => name.endsWith('.node'));
    expect(addons.map((name) => name.replace(/-[0-9a-f]{16}\.node$/, '')).sort()).toEqual(['argon2', 'better_sqlite3']);
    for (const name of addons) expect(name).toContain(`-${contentHash(fs.readFileSync(path.join(cache, name)))}.node`);
    // each engine's migrations in a folder of its own, named by their hash: SQLite's without pg/,
    // PostgreSQL's (drizzle/pg) with the same files as the source
    const folders = fs.readdirSync(cache).filter((name) => /migrations-[0-9a-f]{16}$/.test(name)).sort();
    expect(folders.map((name) => name.replace(/-[0-9a-f]{16}$/, ''))).toEqual(['migrations', 'pg-migrations']);
    const listed = (dir: string): string[] =>
      fs.readdirSync(dir, { withFileTypes: true }).flatMap((e) => (e.isDirectory() ? listed(path.join(dir, e.name)).map((f) => `${e.name}/${f}`) : [e.name])).sort();
    expect(fs.existsSync(path.join(cache, folders[0]!, 'pg'))).toBe(false);
    expect(listed(path.join(cache, folders[1]!))).toEqual(listed(path.join(ROOT, 'drizzle', 'pg')));

    // the password dictionaries come from the binary's own asset
    const weak = await fetch(`${server.url}/api/users`, json({ user: { username: 'bob', email: 'bob@example.com', password: 'password123' } }));
    expect(weak.status).toBe(422);
    expect(JSON.stringify(await weak.json())).toContain('commonly used password');
    const signUp = await fetch(`${server.url}/api/users`, json({ user: { username: 'ada', email: 'ada@example.com', password: 'velvet otter quarry 42' } }));
    expect(signUp.status).toBe(201);
    token = ((await signUp.json()) as { user: { token: string } }).user.token;
    const created = await fetch(`${server.url}/api/articles`, json({ article: { title: 'From the binary', description: 'd', body: BODY } }, token));
    expect(created.status).toBe(201);

    const home = await (await fetch(`${server.url}/`)).text();
    expect(home).toContain('From the binary');
    const css = /href="(\/static\/style\.[0-9a-f]+\.css)"/.exec(home)![1]!;
    const cssRes = await fetch(`${server.url}${css}`);
    expect(cssRes.headers.get('content-type')).toContain('text/css');
    expect(cssRes.headers.get('cache-control')).toContain('immutable');
    expect((await fetch(`${server.url}/default-avatar.svg`)).headers.get('content-type')).toBe('image/svg+xml');
    const article = await fetch(`${server.url}/article/from-the-binary`);
    // markdown-it and highlight.js from the bundle, whose characters beyond ASCII the build escaped
    const articleHtml = await article.text();
    expect(articleHtml).toContain('<h1>Hi</h1>');
    expect(articleHtml).toContain('<span class="hljs-keyword">const</span>');
    expect(articleHtml).toContain('Café — “naïve” 日本 …');
    // a form post signs in through Argon2 in the binary's own addon
    const login = await fetch(`${server.url}/login`, {
      method: 'POST',
      redirect: 'manual',
      headers: { 'content-type': 'application/x-www-form-urlencoded', origin: server.url },
      body: new URLSearchParams({ email: 'ada@example.com', password: 'velvet otter quarry 42' }),
    });
    expect(login.status).toBe(303);

    expect(await stop(server)).toBe(0);
    expect(server.output()).toContain('"msg":"stopped"');
    expect(fs.existsSync(path.join(dir, 'data', 'quire.db.lock'))).toBe(false);
  });

  it('takes an image through the API with its own sharp and libvips, and serves it back from /media', async () => {
    const server = await start();
    try {
      const photo = await sharp({ create: { width: 1500, height: 1000, channels: 3, background: '#c84' } }).jpeg().toBuffer();
      const form = new FormData();
      form.set('file', new File([new Uint8Array(photo)], 'photo.jpg', { type: 'image/jpeg' }));
      const res = await fetch(`${server.url}/api/uploads`, { method: 'POST', headers: { authorization: `Token ${token}` }, body: form });
      expect(res.status).toBe(201);
      const { upload } = (await res.json()) as { upload: { url: string; width: number; height: number; type: string; bytes: number } };
      expect(upload).toMatchObject({ width: 1500, height: 1000, type: 'jpeg' });
      expect(upload.url).toMatch(new RegExp(`^${server.url}/media/[0-9a-f]{20}-1500x1000\\.jpg$`));
      for (const [url, type, width] of [
        [upload.url, 'image/jpeg', 1500],
        [upload.url.replace('.jpg', '-960.webp'), 'image/webp', 960],
      ] as const) {
        const served = await fetch(url);
        expect(served.status).toBe(200);
        expect(served.headers.get('content-type')).toBe(type);
        const bytes = Buffer.from(await served.arrayBuffer());
        expect(served.headers.get('content-length')).toBe(String(bytes.length));
        expect((await sharp(bytes).metadata()).width).toBe(width);
      }
      // the addon and libvips extracted into one folder named by their hash, keeping their layout
      const cache = path.join(dir, 'data', '.cache');
      const folder = fs.readdirSync(cache).find((name) => /^sharp-[0-9a-f]{16}$/.test(name));
      expect(folder).toBeDefined();
      expect(fs.readdirSync(path.join(cache, folder!, 'sharp-linux-x64', 'lib'))[0]).toMatch(/^sharp-linux-x64-[\d.]+\.node$/);
      expect(fs.readdirSync(path.join(cache, folder!, 'sharp-libvips-linux-x64', 'lib'))[0]).toMatch(/^libvips-cpp\.so\.[\d.]+$/);
      // and the files the file store wrote beside the database: the original and its 480 and 960 copies
      expect(fs.readdirSync(path.join(dir, 'data', 'media')).sort()).toEqual(
        [upload.url, upload.url.replace('.jpg', '-480.webp'), upload.url.replace('.jpg', '-960.webp')].map((url) => url.slice(url.lastIndexOf('/') + 1)).sort(),
      );
    } finally {
      expect(await stop(server)).toBe(0);
    }
  });

  it('keeps images in an S3-compatible bucket with MEDIA_STORE=s3, loading the S3 client it carries', async () => {
    const s3 = await startTestS3();
    // a site of its own: this one's images are in the bucket, the other's in its folder
    const server = await start({ ...s3.env, DATABASE_PATH: path.join(dir, 's3-site', 'quire.db') });
    try {
      const signUp = await fetch(`${server.url}/api/users`, json({ user: { username: 'bo', email: 'bo@example.com', password: 'velvet otter quarry 42' } }));
      expect(signUp.status).toBe(201);
      const own = ((await signUp.json()) as { user: { token: string } }).user.token;
      const photo = await sharp({ create: { width: 400, height: 300, channels: 3, background: '#48c' } }).png().toBuffer();
      const form = new FormData();
      form.set('file', new File([new Uint8Array(photo)], 'photo.png', { type: 'image/png' }));
      const res = await fetch(`${server.url}/api/uploads`, { method: 'POST', headers: { authorization: `Token ${own}` }, body: form });
      expect(res.status).toBe(201);
      const { upload } = (await res.json()) as { upload: { url: string } };
      const served = await fetch(upload.url);
      expect(served.status).toBe(200);
      expect(served.headers.get('content-type')).toBe('image/png');
      expect((await sharp(Buffer.from(await served.arrayBuffer())).metadata()).width).toBe(400);
      // not in a folder beside the database: in the bucket
      expect(fs.existsSync(path.join(dir, 's3-site', 'media'))).toBe(false);
    } finally {
      expect(await stop(server)).toBe(0);
      await s3.stop();
    }
  });

  it('finds the article again after a restart, with the files it wrote out the first time', async () => {
    const cache = path.join(dir, 'data', '.cache');
    const written = new Map(fs.readdirSync(cache).map((name) => [name, fs.statSync(path.join(cache, name)).mtimeMs]));
    const server = await start();
    const res = await fetch(`${server.url}/api/articles/from-the-binary`);
    expect(res.status).toBe(200);
    expect(await stop(server)).toBe(0);
    expect(new Map(fs.readdirSync(cache).map((name) => [name, fs.statSync(path.join(cache, name)).mtimeMs]))).toEqual(written);
  });

  it('takes a verified backup while the site serves and writes, and restores it once stopped', async () => {
    // the write mix must not hit the per-user article limit
    const server = await start({ RATE_LIMIT_ARTICLES: '100000/h' });
    const backupFile = path.join(dir, 'backups', 'live.db');
    let writing = true;
    const statuses: number[] = [];
    const writes = (async () => {
      while (writing) {
        const res = await fetch(`${server.url}/api/articles`, json({ article: { title: `Busy ${statuses.length}`, description: 'd', body: 'b' } }, token));
        statuses.push(res.status);
      }
      return statuses.length;
    })();
    const backup = await new Promise<{ code: number | null; stdout: string }>((resolve) => {
      const child = spawn(quire, ['backup', backupFile], { cwd: dir, env: env() });
      let stdout = '';
      child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
      child.once('exit', (code) => resolve({ code, stdout }));
    });
    writing = false;
    const written = await writes;
    expect(backup.code).toBe(0);
    // the image uploaded earlier goes along: its original and two copies, beside the database
    expect(backup.stdout).toMatch(/integrity check ok; 3 image files \(.*\) in .*live\.db\.media\./);
    expect(cli(['backup', '--verify', backupFile]).stdout).toMatch(/is a sound backup \(integrity check ok\), with 3 image files/);
    expect(written).toBeGreaterThan(0);
    expect(new Set(statuses)).toEqual(new Set([201]));
    const copy = new Database(backupFile, { readonly: true });
    expect(copy.pragma('integrity_check', { simple: true })).toBe('ok');
    expect((copy.prepare('select count(*) n from articles').get() as { n: number }).n).toBeGreaterThanOrEqual(1);
    copy.close();

    const refused = cli(['restore', backupFile]);
    expect(refused.status).toBe(1);
    expect(refused.stderr).toContain('Quire is running');
    expect(await stop(server)).toBe(0);

    const restored = cli(['restore', backupFile]);
    expect(restored.status).toBe(0);
    expect(restored.stdout).toMatch(/kept as .*before-restore-/);
  });

  it('refuses to start on a database migrated by a newer Quire', async () => {
    const file = path.join(dir, 'data', 'quire.db');
    const db = new Database(file);
    db.prepare('insert into __drizzle_migrations (hash, created_at) values (?, ?)').run('f'.repeat(64), Date.now() + 1e9);
    db.close();
    const port = await freePort();
    const result = spawnSync(quire, ['serve'], { cwd: dir, env: env({ PORT: String(port) }), encoding: 'utf8' });
    expect(result.status).toBe(1);
    expect(result.stderr).toContain('newer version of Quire');
  });
});
