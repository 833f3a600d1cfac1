/**
 * Backups of a PostgreSQL site: PostgreSQL's own pg_dump and pg_restore, in its custom format
 * (compressed, one file, restorable table by table). What src/ops/backup.ts is for SQLite.
 *
 * - `backupPostgres(url, file)` runs `pg_dump --format=custom`, which reads one snapshot (a
 *   REPEATABLE READ transaction) while the site keeps writing, into `<file>.partial-<pid>`; checks
 *   it with `pg_restore --list` (a whole archive, a Quire database); and renames it into place.
 *   A signal stops it and removes the partial file, as a SQLite backup does.
 * - `restorePostgres(url, file)` checks the archive the same way, refuses while Quire nodes are
 *   connected to the database (unless forced), keeps the database as it was in a dump beside the
 *   file, then runs `pg_restore --clean --if-exists --single-transaction`: the tables are replaced
 *   in one transaction, which either commits whole or leaves the database as it was. The restored
 *   database is then migrated (a backup taken by an older Quire), and its cache versions moved past
 *   every value they had before, so no node serves an answer it cached before the restore.
 *
 * The programs are found in POSTGRES_BIN_DIR, else the newest /usr/lib/postgresql/N/bin (Debian's
 * packages), else PATH. pg_dump refuses a server newer than itself, so its major version is checked
 * first, with a message that says what to install. The connection is given to them in libpq's
 * environment variables (PGHOST, PGUSER, PGPASSWORD...): a password is never on a command line,
 * where any user of the machine could read it, and never in a message.
 */
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { readMigrationFiles } from 'drizzle-orm/migrator';
import type pg from 'pg';
import type { MediaStore } from '../media/store';
import { runtime } from '../runtime';
import { backupTarget, OperationError, putBackupInPlace } from './backup';
import { mediaNamesOf, restoreMediaBackup, verifyMediaBackup, type MediaBackupSummary } from './media-backup';

export type PostgresTool = 'pg_dump' | 'pg_restore';

export type ToolOptions = {
  /** POSTGRES_BIN_DIR: the folder holding pg_dump and pg_restore */
  binDir?: string;
  /** where Debian installs each major version's programs (tests point it elsewhere) */
  root?: string;
  /** the PATH searched last (default: this process's) */
  searchPath?: string;
};

const INSTALL_HINT =
  "Install PostgreSQL's client programs (Debian: apt-get install postgresql-client, of the server's version or newer) " +
  'or set POSTGRES_BIN_DIR to the folder that holds pg_dump and pg_restore.';

/** The program `name`: in options.binDir, else the newest /usr/lib/postgresql/N/bin, else on PATH. */
export function findPostgresTool(name: PostgresTool, options: ToolOptions = {}): string {
  const executable = (file: string) => {
    try {
      fs.accessSync(file, fs.constants.X_OK);
      return fs.statSync(file).isFile();
    } catch {
      return false;
    }
  };
  if (options.binDir) {
    const file = path.join(options.binDir, name);
    if (executable(file)) return file;
    throw new OperationError(`POSTGRES_BIN_DIR=${options.binDir} holds no ${name}. ${INSTALL_HINT}`);
  }
  const root = options.root ?? '/usr/lib/postgresql';
  const versions = fs.existsSync(root)
    ? fs
        .readdirSync(root)
        .filter((version) => /^\d+$/.test(version) && executable(path.join(root, version, 'bin', name)))
        .sort((a, b) => Number(b) - Number(a))
    : [];
  if (versions[0]) return path.join(root, versions[0], 'bin', name);
  for (const dir of (options.searchPath ?? process.env.PATH ?? '').split(path.delimiter)) {
    if (dir && executable(path.join(dir, name))) return path.join(dir, name);
  }
  throw new OperationError(`${name} was not found. ${INSTALL_HINT}`);
}

type ToolResult = { code: number | null; signal: NodeJS.Signals | null; stdout: string; stderr: string };

/** Runs a program to its end; `signal` sends it SIGTERM. Its output is collected (an archive goes to a file, never here). */
function runTool(file: string, args: string[], env: NodeJS.ProcessEnv, signal?: AbortSignal): Promise<ToolResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(file, args, { env, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (text: string) => (stdout += text));
    child.stderr.setEncoding('utf8').on('data', (text: string) => (stderr += text));
    const stop = () => child.kill('SIGTERM');
    signal?.addEventListener('abort', stop, { once: true });
    child.on('error', (error) => {
      signal?.removeEventListener('abort', stop);
      reject(new OperationError(`${path.basename(file)} could not start: ${error.message}`));
    });
    child.on('close', (code, exitSignal) => {
      signal?.removeEventListener('abort', stop);
      resolve({ code, signal: exitSignal, stdout, stderr });
    });
  });
}

/** What a program said when it failed, in one line per message. */
function failure(name: string, result: ToolResult): string {
  const said = result.stderr.trim();
  return said ? said : `${name} exited with ${result.code ?? result.signal}`;
}

/** The major version of pg_dump or pg_restore ("pg_dump (PostgreSQL) 15.14 (Debian ...)" -> 15). */
export async function toolMajorVersion(file: string): Promise<number> {
  const result = await runTool(file, ['--version'], process.env);
  const match = /\(PostgreSQL\)\s+(\d+)/.exec(result.stdout);
  if (result.code !== 0 || !match) throw new OperationError(`${file} --version did not say its version: ${failure(file, result)}`);
  return Number(match[1]);
}

/**
 * libpq's environment for the database a postgres:// URL names: host, port, user, password,
 * database and the TLS settings libpq shares with node-postgres. The password goes here, and only
 * here; whatever the URL leaves out stays as this process's environment has it (PGPASSWORD,
 * ~/.pgpass through HOME).
 */
export function libpqEnvironment(url: string, base: NodeJS.ProcessEnv = process.env): NodeJS.ProcessEnv {
  let parsed: URL;
  // a URL may leave the host out (postgres://quire@/quire?host=/run/postgresql), which URL() refuses
  const NO_HOST = 'no-host.invalid';
  try {
    parsed = new URL(url.replace(/^(postgres(?:ql)?:\/\/[^/?#]*@)(?=\/)/i, `$1${NO_HOST}`));
  } catch {
    throw new OperationError('DATABASE_URL is not a URL');
  }
  const env: NodeJS.ProcessEnv = { ...base };
  const decoded = (text: string) => decodeURIComponent(text);
  const params = parsed.searchParams;
  const hostname = parsed.hostname === NO_HOST ? '' : parsed.hostname;
  const host = params.get('host') ?? (hostname ? decoded(hostname).replace(/^\[(.*)\]$/, '$1') : '');
  if (host) env.PGHOST = host;
  const port = parsed.port || params.get('port');
  if (port) env.PGPORT = port;
  if (parsed.username) env.PGUSER = decoded(parsed.username);
  if (parsed.password) env.PGPASSWORD = decoded(parsed.password);
  const database = decoded(parsed.pathname.replace(/^\//, ''));
  if (database) env.PGDATABASE = database;
  const sslmode = params.get('sslmode');
  // node-postgres' "no-verify" is libpq's "require" (encrypted, certificate not checked)
  if (sslmode) env.PGSSLMODE = sslmode === 'no-verify' ? 'require' : sslmode;
  for (const [param, variable] of [
    ['sslrootcert', 'PGSSLROOTCERT'],
    ['sslcert', 'PGSSLCERT'],
    ['sslkey', 'PGSSLKEY'],
  ] as const) {
    const value = params.get(param);
    if (value) env[variable] = value;
  }
  env.PGAPPNAME = 'quire-backup';
  return env;
}

/** How messages name the database: the URL without its password. */
export function postgresLabel(url: string): string {
  try {
    const parsed = new URL(url);
    if (parsed.password) parsed.password = '***';
    return parsed.toString();
  } catch {
    return 'DATABASE_URL';
  }
}

/** Runs `work` on a connection of its own to the database (node-postgres, which reads the URL as the site does). */
async function withConnection<T>(url: string, work: (client: pg.Client) => Promise<T>): Promise<T> {
  // loaded here: a SQLite site never loads node-postgres
  const { default: postgres } = await import('pg');
  const client = new postgres.Client({ connectionString: url, application_name: 'quire-backup' });
  try {
    await client.connect();
  } catch (error) {
    throw new OperationError(`Cannot connect to ${postgresLabel(url)}: ${(error as Error).message}`);
  }
  try {
    return await work(client);
  } finally {
    await client.end().catch(() => {});
  }
}

/** pg_dump, checked against the server: it refuses a server of a newer major version than its own. */
async function pgDumpFor(url: string, options: ToolOptions): Promise<string> {
  const file = findPostgresTool('pg_dump', options);
  const [tool, server] = await Promise.all([
    toolMajorVersion(file),
    withConnection(url, async (client) => {
      const { rows } = await client.query<{ version: number }>("select current_setting('server_version_num')::int as version");
      return Math.floor(rows[0]!.version / 10_000);
    }),
  ]);
  if (tool < server) {
    throw new OperationError(`${file} is PostgreSQL ${tool}'s, older than the server (PostgreSQL ${server}): pg_dump cannot back it up. ${INSTALL_HINT}`);
  }
  return file;
}

/**
 * Checks an archive with `pg_restore --list`: it reads to its end (a cut-off file does not), and it
 * holds Quire's tables and migrations, none of them unknown to this build. `name` is how messages
 * call it.
 */
export async function verifyPostgresDump(file: string, options: ToolOptions & { name?: string } = {}): Promise<void> {
  const name = options.name ?? file;
  const pgRestore = findPostgresTool('pg_restore', options);
  const list = await runTool(pgRestore, ['--list', file], process.env);
  if (list.code !== 0) throw new OperationError(`${name} is not a readable pg_dump archive: ${failure('pg_restore', list)}`);
  if (!/TABLE DATA public users /.test(list.stdout) || !/TABLE DATA drizzle __drizzle_migrations /.test(list.stdout)) {
    throw new OperationError(`${name} is not a backup of a Quire database`);
  }
  const hashes = await migrationHashes(pgRestore, file);
  const known = new Set(readMigrationFiles({ migrationsFolder: runtime().pgMigrationsFolder }).map((migration) => migration.hash));
  if (hashes.some((hash) => !known.has(hash))) {
    throw new OperationError(`${name} was taken from a newer version of Quire: restore it with that version.`);
  }
}

/** The migrations an archive's database had applied: its drizzle.__drizzle_migrations rows, as pg_restore prints them. */
async function migrationHashes(pgRestore: string, file: string): Promise<string[]> {
  return (await archivedRows(pgRestore, file, 'drizzle', '__drizzle_migrations')).map((row) => row.hash!);
}

/**
 * A table's rows as an archive holds them (pg_restore's COPY text, each value a string, null for
 * \N); none when the archive has no such table. For the few plain columns read here (hashes,
 * addresses), which hold no tab, newline or backslash to unescape.
 */
async function archivedRows(pgRestore: string, file: string, schema: string, table: string): Promise<Record<string, string | null>[]> {
  const result = await runTool(pgRestore, ['--data-only', `--schema=${schema}`, `--table=${table}`, '--file=-', file], process.env);
  if (result.code !== 0) throw new OperationError(`${file} cannot be read: ${failure('pg_restore', result)}`);
  const lines = result.stdout.split('\n');
  const start = lines.findIndex((line) => line.startsWith(`COPY ${schema}.${table} (`));
  if (start < 0) return [];
  const columns = /\(([^)]*)\)/.exec(lines[start]!)![1]!.split(',').map((column) => column.trim().replace(/"/g, ''));
  const rows: Record<string, string | null>[] = [];
  for (const line of lines.slice(start + 1)) {
    if (line === '\\.') break;
    const values = line.split('\t');
    rows.push(Object.fromEntries(columns.map((column, i) => [column, values[i] === '\\N' ? null : (values[i] ?? null)])));
  }
  return rows;
}

/** The image files an archive's uploads name (those not removed); none before uploads existed. */
export async function requiredMediaOfDump(file: string, options: ToolOptions = {}): Promise<string[]> {
  const rows = await archivedRows(findPostgresTool('pg_restore', options), file, 'public', 'uploads');
  return mediaNamesOf(rows.filter((row) => row.removed_at === null && row.url).map((row) => row.url!));
}

/**
 * Writes a verified pg_dump archive of the database at `url` to `destination` and returns its size
 * in bytes (see the top of this file). `signal` stops it; whatever it had written is removed.
 */
export async function backupPostgres(
  url: string,
  destination: string,
  options: ToolOptions & { signal?: AbortSignal; media?: MediaStore; mediaDone?: (summary: MediaBackupSummary) => void } = {},
): Promise<number> {
  const { signal } = options;
  const { target, partial, interrupted } = backupTarget(destination, signal);
  try {
    interrupted();
    const pgDump = await pgDumpFor(url, options);
    interrupted();
    // --no-password: a missing password fails at once instead of waiting for someone to type it
    const result = await runTool(pgDump, ['--format=custom', '--no-password', `--file=${partial}`], libpqEnvironment(url), signal);
    interrupted();
    if (result.code !== 0) throw new OperationError(`pg_dump failed on ${postgresLabel(url)}: ${failure('pg_dump', result)}`);
    await verifyPostgresDump(partial, { ...options, name: destination });
    interrupted();
    await putBackupInPlace({ partial, target, interrupted }, options, () => requiredMediaOfDump(partial, options));
  } finally {
    fs.rmSync(partial, { force: true });
  }
  return fs.statSync(target).size;
}

/** The connections Quire nodes (application_name quire, src/db/postgres.ts) hold to the database, other than ours. */
async function nodeConnections(client: pg.Client): Promise<number> {
  const { rows } = await client.query<{ n: number }>(
    "select count(*)::int as n from pg_stat_activity where datname = current_database() and application_name = 'quire' and pid <> pg_backend_pid()",
  );
  return rows[0]!.n;
}

type Versions = { content: number; comments: number };

async function cacheVersions(client: pg.Client): Promise<Versions | null> {
  const exists = await client.query<{ name: string | null }>(`select to_regclass('public.cache_versions')::text as name`);
  if (!exists.rows[0]?.name) return null;
  const { rows } = await client.query<{ content: string; comments: string }>('select content, comments from cache_versions where id = 1');
  return rows[0] ? { content: Number(rows[0].content), comments: Number(rows[0].comments) } : null;
}

/** A conninfo naming only the database: pg_restore's --dbname, without which it prints SQL instead. */
function dbnameConninfo(url: string): string {
  const name = libpqEnvironment(url, {}).PGDATABASE ?? '';
  return `dbname='${name.replaceAll('\\', '\\\\').replaceAll("'", "\\'")}'`;
}

export function beforeRestoreName(now: Date): string {
  return `quire-before-restore-${now.toISOString().replace(/[-:]/g, '').replace(/\.\d+Z$/, 'Z')}.dump`;
}

/**
 * Puts the archive `file` in place of the database at `url` (see the top of this file); the
 * database as it was is kept as `quire-before-restore-<time>.dump` beside `file` (none when it held
 * no Quire tables). Refuses while Quire nodes are connected, unless `force`.
 */
export async function restorePostgres(
  url: string,
  file: string,
  options: ToolOptions & { force?: boolean; now?: Date; media?: MediaStore } = {},
): Promise<{ keptAs: string | null; media: (MediaBackupSummary & { put: number }) | null }> {
  if (!fs.existsSync(file)) throw new OperationError(`${file} does not exist`);
  await verifyPostgresDump(file, options);
  // the archive and its images verified together, before anything changes
  const mediaSummary = options.media ? await verifyMediaBackup(file, await requiredMediaOfDump(file, options)) : null;
  const pgRestore = findPostgresTool('pg_restore', options);
  const { nodes, before, hasSite } = await withConnection(url, async (client) => ({
    nodes: await nodeConnections(client),
    before: await cacheVersions(client),
    hasSite: (await client.query<{ name: string | null }>(`select to_regclass('public.users')::text as name`)).rows[0]?.name != null,
  }));
  if (nodes > 0 && !options.force) {
    throw new OperationError(
      `Quire is running on ${postgresLabel(url)} (${nodes} connection${nodes === 1 ? '' : 's'} of its nodes). ` +
        'Stop every node before restoring, or restore with --force (requests meanwhile wait for the restore, then see the restored site).',
    );
  }
  let keptAs: string | null = null;
  if (hasSite) {
    keptAs = path.join(path.dirname(path.resolve(file)), beforeRestoreName(options.now ?? new Date()));
    for (let n = 2; fs.existsSync(keptAs); n++) keptAs = keptAs.replace(/(-\d+)?\.dump$/, `-${n}.dump`);
    // the database alone: restoring adds images to the store and takes none away
    await backupPostgres(url, keptAs, { ...options, media: undefined });
  }
  // the images first, so the restored site finds every one it names
  const put = options.media ? (await restoreMediaBackup(file, options.media)).put : 0;
  const result = await runTool(
    pgRestore,
    ['--clean', '--if-exists', '--single-transaction', '--exit-on-error', '--no-owner', '--no-password', `--dbname=${dbnameConninfo(url)}`, file],
    libpqEnvironment(url),
  );
  if (result.code !== 0) {
    throw new OperationError(`pg_restore failed, and the database is as it was (one transaction): ${failure('pg_restore', result)}`);
  }
  // migrated to this build, then every cache version past anything a node may have cached
  const { openPostgres, closePostgres } = await import('../db/postgres');
  const db = await openPostgres(url, { max: 1 });
  await closePostgres(db);
  if (before) {
    await withConnection(url, (client) =>
      client.query('update cache_versions set content = greatest(content, $1) + 1, comments = greatest(comments, $2) + 1 where id = 1', [
        before.content,
        before.comments,
      ]),
    );
  }
  return { keptAs, media: mediaSummary && { ...mediaSummary, put } };
}
