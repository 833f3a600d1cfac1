import { createHash, randomBytes } from 'node:crypto';
import fs from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import sea from 'node:sea';
import { fileURLToPath, pathToFileURL } from 'node:url';
import vm from 'node:vm';
import type { WorkerOptions } from 'node:worker_threads';
import type * as S3SdkModule from './media/s3-sdk';

/**
 * The one module that knows both ways Quire runs: from source (tsx, or the test runner) and as
 * the release binary (a Node single executable application, whose files are SEA assets). Every
 * file location and native addon is resolved here. No top-level await: the binary is CommonJS.
 */

const SOURCE_ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const requireFromHere = createRequire(import.meta.url);

/** Asset keys in the binary; scripts/build.ts writes them. */
export const ASSET_KEYS = {
  sqliteAddon: 'addons/better_sqlite3.node',
  argon2Addon: 'addons/argon2.node',
  manifest: 'manifest.json',
  passwordDictionaries: 'password-dictionaries.json',
  offThreadWorker: 'offthread-worker.cjs',
  /** sharp's addon and the libvips it links, by their paths under node_modules/@img/ */
  sharpAddon: 'addons/sharp/sharp-linux-x64/lib/sharp-linux-x64.node',
  libvips: 'addons/sharp/sharp-libvips-linux-x64/lib/libvips-cpp.so',
  /** the S3 client (src/media/s3-sdk.ts) bundled on its own, evaluated by the first S3 media store */
  s3Sdk: 's3-sdk.cjs',
} as const;

export type SeaManifest = {
  version: string;
  static: string[];
  /** SQLite's migrations (drizzle/, without pg/) and PostgreSQL's (drizzle/pg/), relative to each */
  migrations: string[];
  pgMigrations: string[];
  /** contentHash() of the addons and of each engine's migrations, taken at build time */
  hashes: { sqliteAddon: string; argon2Addon: string; migrations: string; pgMigrations: string; sharp: string };
  /**
   * sharp's addon and libvips, as their file names in node_modules/@img/ (the addon finds libvips
   * by RPATH `$ORIGIN/../../sharp-libvips-linux-x64/lib`, which the extracted folder keeps)
   */
  sharp: { addon: string; libvips: string };
};

export function isBinary(): boolean {
  try {
    return sea.isSea();
  } catch {
    return false;
  }
}

function asset(key: string): Buffer {
  return Buffer.from(sea.getAsset(key));
}

/**
 * An asset's bytes in the binary's own memory, not copied: only to be written out, never changed.
 * libvips is 18 MB; a copy of it would stay in the first start's memory.
 */
function rawAsset(key: string): Buffer {
  const raw = sea.getRawAsset(key);
  return typeof raw === 'string' ? Buffer.from(raw) : Buffer.from(raw);
}

/** An asset's bytes inside the binary; null from source (whose files are on disk). */
export function binaryAsset(key: string): Buffer | null {
  return isBinary() ? asset(key) : null;
}

const manifest = once((): SeaManifest => JSON.parse(asset(ASSET_KEYS.manifest).toString('utf8')) as SeaManifest);

export function appVersion(): string {
  if (isBinary()) return manifest().version;
  const pkg = JSON.parse(fs.readFileSync(path.join(SOURCE_ROOT, 'package.json'), 'utf8')) as { version: string };
  return pkg.version;
}

/** The static files (name -> bytes): from static/ in source, from the assets in the binary. */
export function readStaticFiles(): Map<string, Buffer> {
  const files = new Map<string, Buffer>();
  if (isBinary()) {
    for (const name of manifest().static) files.set(name, asset(`static/${name}`));
    return files;
  }
  const dir = path.join(SOURCE_ROOT, 'static');
  for (const name of fs.readdirSync(dir)) {
    const file = path.join(dir, name);
    if (fs.statSync(file).isFile()) files.set(name, fs.readFileSync(file));
  }
  return files;
}

/** Where `npm start` (scripts/bundle.mjs) writes the worker's bundle, beside its own. */
const BUNDLED_WORKER = 'offthread-worker.mjs';

/**
 * The worker thread's code (src/lib/offthread-worker.ts) in each way Quire runs. The binary carries
 * it bundled as an asset and evaluates it (a single executable has no files to point a worker at);
 * `npm start` has its bundle beside the server's; from source (tsx, vitest) the worker loads the
 * TypeScript through tsx itself, whatever loader the parent has.
 */
export function offThreadWorkerScript(): { script: string | URL; options: WorkerOptions } {
  // the dictionaries go with it: node:sea's assets are the main thread's to read
  const dictionaries = binaryAsset(ASSET_KEYS.passwordDictionaries);
  if (dictionaries) {
    return {
      script: asset(ASSET_KEYS.offThreadWorker).toString('utf8'),
      options: { eval: true, workerData: { passwordDictionaries: dictionaries.toString('utf8') } },
    };
  }
  const bundled = new URL(`./${BUNDLED_WORKER}`, import.meta.url);
  if (fs.existsSync(bundled)) return { script: bundled, options: {} };
  const source = pathToFileURL(path.join(SOURCE_ROOT, 'src', 'lib', 'offthread-worker.ts')).href;
  // tsx's ESM API ('tsx/esm/api' under the import condition, which require.resolve does not take)
  const tsx = pathToFileURL(path.join(path.dirname(requireFromHere.resolve('tsx/package.json')), 'dist/esm/api/index.mjs')).href;
  const load = `import(${JSON.stringify(tsx)}).then(({ tsImport }) => tsImport(${JSON.stringify(source)}, ${JSON.stringify(source)}))`;
  return { script: load, options: { eval: true } };
}

/** The hash that names an extracted file or folder: scripts/build.ts puts it in the manifest. */
export function contentHash(...parts: Buffer[]): string {
  const hash = createHash('sha256');
  for (const part of parts) hash.update(part);
  return hash.digest('hex').slice(0, 16);
}

/**
 * Writes `content()` to `dir/name` unless a file with that (content-hashed) name is there already:
 * a start with its files in place reads none of them out of the binary. Written to a temporary
 * file and renamed, so a second process (the server and `quire backup`) never sees half a file.
 */
function extractFile(dir: string, name: string, content: () => Buffer): string {
  const target = path.join(dir, name);
  if (fs.existsSync(target)) return target;
  fs.mkdirSync(dir, { recursive: true });
  const temp = `${target}.tmp-${process.pid}-${randomBytes(4).toString('hex')}`;
  fs.writeFileSync(temp, content(), { mode: 0o644 });
  fs.renameSync(temp, target);
  return target;
}

/** The same for a folder: built under a temporary name, then renamed into place whole. */
function extractFolder(dir: string, name: string, files: () => Map<string, Buffer>): string {
  const target = path.join(dir, name);
  if (fs.existsSync(target)) return target;
  const temp = `${target}.tmp-${process.pid}-${randomBytes(4).toString('hex')}`;
  for (const [file, content] of files()) {
    fs.mkdirSync(path.dirname(path.join(temp, file)), { recursive: true });
    fs.writeFileSync(path.join(temp, file), content);
  }
  try {
    fs.renameSync(temp, target);
  } catch (error) {
    // another process put the same folder in place first: theirs is identical
    fs.rmSync(temp, { recursive: true, force: true });
    if (!fs.existsSync(target)) throw error;
  }
  return target;
}

type Argon2 = typeof import('@node-rs/argon2');

type Native = {
  migrationsFolder: string;
  /** PostgreSQL's migrations (drizzle/pg), applied by src/db/postgres.ts */
  pgMigrationsFolder: string;
  sqliteBinding: object | undefined;
  /**
   * Loaded on first use (a sign-in, a sign-up, a password change): the addon and its threads are
   * about 3.5 MB resident that a server only reading and commenting never needs.
   */
  argon2(): Argon2;
  /**
   * sharp's native binding, in the binary: its addon dlopen'ed from the cache directory, where
   * libvips sits beside it as in node_modules/@img. Loaded with the first image processed
   * (src/media/process.ts imports sharp then). From source sharp loads it itself.
   */
  sharpBinding(): object;
};

/** `load()` once, on the first call. */
function once<T>(load: () => T): () => T {
  let value: T | undefined;
  return () => (value ??= load());
}

let native: Native | null = null;

function dlopen(file: string): object {
  const module = { exports: {} };
  // inside a single executable, require() loads only built-ins: addons come in through dlopen
  process.dlopen(module, file);
  return module.exports;
}

/**
 * Prepares what the process needs from disk. From source: nothing to do. In the binary: the
 * addons and migrations are written once to `cacheDir` under content-hashed names.
 */
export function prepareRuntime(cacheDir: string): Native {
  if (native) return native;
  if (!isBinary()) {
    native = {
      migrationsFolder: path.join(SOURCE_ROOT, 'drizzle'),
      pgMigrationsFolder: path.join(SOURCE_ROOT, 'drizzle', 'pg'),
      sqliteBinding: undefined,
      argon2: once(() => requireFromHere('@node-rs/argon2') as Argon2),
      sharpBinding: () => {
        throw new Error('from source, sharp loads its own binding');
      },
    };
    return native;
  }
  const { hashes, migrations, pgMigrations } = manifest();
  const migrationsFolder = extractFolder(
    cacheDir,
    `migrations-${hashes.migrations}`,
    () => new Map(migrations.map((file) => [file, asset(`drizzle/${file}`)])),
  );
  const pgMigrationsFolder = extractFolder(
    cacheDir,
    `pg-migrations-${hashes.pgMigrations}`,
    () => new Map(pgMigrations.map((file) => [file, asset(`drizzle/pg/${file}`)])),
  );
  // extracted now (the cache directory may not be writable later), opened when first needed
  const argon2File = extractFile(cacheDir, `argon2-${hashes.argon2Addon}.node`, () => asset(ASSET_KEYS.argon2Addon));
  const sqliteFile = extractFile(cacheDir, `better_sqlite3-${hashes.sqliteAddon}.node`, () => asset(ASSET_KEYS.sqliteAddon));
  // the addon and libvips keep their relative places (the addon's RPATH finds libvips by them)
  const { sharp } = manifest();
  const sharpFolder = extractFolder(
    cacheDir,
    `sharp-${hashes.sharp}`,
    () =>
      new Map([
        [`sharp-linux-x64/lib/${sharp.addon}`, rawAsset(ASSET_KEYS.sharpAddon)],
        [`sharp-libvips-linux-x64/lib/${sharp.libvips}`, rawAsset(ASSET_KEYS.libvips)],
      ]),
  );
  native = {
    migrationsFolder,
    pgMigrationsFolder,
    sqliteBinding: dlopen(sqliteFile),
    argon2: once(() => dlopen(argon2File) as Argon2),
    sharpBinding: once(() => dlopen(path.join(sharpFolder, 'sharp-linux-x64', 'lib', sharp.addon))),
  };
  return native;
}

/** What prepareRuntime() set up; from source it needs no cache directory, so it prepares itself. */
export function runtime(): Native {
  if (native) return native;
  if (isBinary()) throw new Error('prepareRuntime(cacheDir) must run before the database is opened');
  return prepareRuntime('');
}

/** sharp's binding for the bundled sharp (scripts/build.ts puts this call in place of its loader). */
export function sharpBinding(): object {
  return runtime().sharpBinding();
}

export type S3Sdk = typeof S3SdkModule;

/**
 * The S3 client's classes, loaded on first use. The binary carries them as a bundle of their own,
 * evaluated here: in the main bundle their 1.4 MB of source would be held in memory by every
 * server, most of which keep images in files. From source, and in `npm start`, a plain import.
 */
export const loadS3Sdk = once(async (): Promise<S3Sdk> => {
  const code = binaryAsset(ASSET_KEYS.s3Sdk);
  if (!code) return import('./media/s3-sdk');
  const module = { exports: {} as S3Sdk };
  const wrapper = vm.runInThisContext(`(function (exports, require, module) {${code.toString('utf8')}\n})`, { filename: ASSET_KEYS.s3Sdk }) as (
    exports: object,
    require: NodeJS.Require,
    module: { exports: object },
  ) => void;
  wrapper(module.exports, requireFromHere, module);
  return module.exports;
});

/**
 * How to start Quire's CLI again as a child process (a scheduled backup runs `quire backup` in one):
 * the binary itself; the bundle `npm start` runs (this very file, .quire/cli.mjs); or, from source,
 * src/cli.ts through tsx, from the root where tsx and tsconfig.json are found.
 */
export function selfCommand(): { file: string; args: string[]; cwd?: string } {
  if (isBinary()) return { file: process.execPath, args: [] };
  const here = fileURLToPath(import.meta.url);
  if (!here.endsWith('.ts')) return { file: process.execPath, args: [here] };
  return { file: process.execPath, args: ['--import', 'tsx', path.join(SOURCE_ROOT, 'src', 'cli.ts')], cwd: SOURCE_ROOT };
}

/** Where the binary extracts its addons: QUIRE_CACHE_DIR, else .cache/ beside the database. */
export function defaultCacheDir(databasePath: string): string {
  return path.join(path.dirname(path.resolve(databasePath)), '.cache');
}
