import fs from 'node:fs';
import { openMediaStore } from './media/open-store';
import os from 'node:os';
import readline from 'node:readline';
import { parseArgs } from 'node:util';
import { ACCOUNT_SUBCOMMANDS, askOnTerminal, isAccountSubcommand, runAccountCommand } from './accounts/cli';
import { isRole, ROLES } from './roles/permissions';
import type { z } from 'zod';
import { signUp } from './auth/use-cases';
import { CLI_CALLER, Forbidden, NotFound, type Core, type FieldErrors } from './core';
import { closeDatabase } from './db/engine';
import { databaseLabel, openDatabaseFrom } from './db/open';
import { EnvError, loadEnv, type Env } from './env';
import { systemClock } from './lib/clock';
import { createStderrLog, errorText } from './lib/logger';
import { BackupInterrupted, backupDatabase, OperationError, restoreDatabaseWithMedia } from './ops/backup';
import { describeMedia, type MediaBackupSummary } from './ops/media-backup';
import { verifyBackup } from './ops/verify-backup';
import { copyMatches, copySite, ENGINE_NAMES, formatCopyReport, locationLabel, siteLocation, type SiteLocation } from './ops/copy-site';
import { backupPostgres, restorePostgres } from './ops/postgres-backup';
import { appVersion, defaultCacheDir, prepareRuntime } from './runtime';
import { limitStoresFor, Limits } from './security/limits';
import { sharedReads } from './articles/queries';
import { changeSiteSettings, formatSetting, parseSettingText, readSiteSettings, SETTING_CLI_NAMES, SETTING_KEYS, settingKeyNamed, type SettingKey } from './site/settings';
import { serve } from './serve';
import { EmailSchema, PasswordSchema, USER_FIELD_LABELS, UsernameSchema } from './users/schemas';
import { findUserNamed, resetPassword } from './users/use-cases';
import { exportAccountData } from './your-data/use-cases';

const HELP = `Quire: a self-hosted blog in one executable.

Usage: quire [command] [options]

Commands:
  serve                          Run the site (the default when no command is given).
  migrate                        Apply database migrations, then exit.
  backup FILE                    Write a consistent, verified copy of the live database to FILE
                                 while the site keeps serving, and print its size. On PostgreSQL
                                 a pg_dump archive (custom format). The images go beside it, in
                                 FILE.media/ (every file of the media store, with a manifest).
  backup --verify FILE           Check a backup as restore would: the database, and every image
                                 it names present and whole in FILE.media/.
  restore FILE [--force]         Put a verified backup in place of the database, keeping the old
                                 one beside it, after putting its images into the media store.
                                 Refuses while the site is running (on PostgreSQL, while nodes
                                 are connected, unless --force).
  copy --from SOURCE --to DESTINATION
                                 Copy a whole site between databases (SQLite to PostgreSQL, or
                                 back): each a SQLite file or a postgres:// URL, either one left
                                 out is the configured database. The destination must be empty;
                                 the copy is read back and compared, table by table.
  user create --username NAME --email ADDRESS [--role ROLE]
                                 Create a user. The password is read from standard input, or
                                 asked for on a terminal. ROLE is owner, admin, moderator or
                                 author (the default; the first account of a site is its owner).
  user reset-password NAME       Set a new password (read the same way) and end every session of
                                 that user.
  user reset-link NAME           Print a single-use link (valid 30 minutes) with which NAME
                                 chooses a new password: for a site that sends no mail.
  user list [--role ROLE]        List the accounts, newest first: name, email, role, state, joined.
  user role NAME ROLE            Give NAME the role admin, moderator or author; "owner" hands the
                                 site over to NAME (the owner until now becomes an admin).
  user suspend NAME [--until DATE] [--reason TEXT]
                                 Suspend NAME until DATE (ISO 8601: 2027-01-31, or 2027-01-31T18:00,
                                 UTC unless an offset is given) or, without --until, for good: their
                                 sessions and API tokens end, their articles and comments are hidden.
  user unsuspend NAME            Lift NAME's suspension; what it hid comes back.
  user export NAME [--out FILE]  Write a zip of NAME's data (account.json, articles/SLUG.md) to
                                 FILE, or to standard output when it is not a terminal.
  user delete NAME [--keep-content] [--yes]
                                 Delete NAME with their articles and comments, or keep those under
                                 "deleted.author" (--keep-content). Asks for confirmation on a
                                 terminal; without one, refuses unless --yes.
  settings list                  Print every site setting (a key not set shows its default).
  settings get KEY               Print one setting.
  settings set KEY VALUE         Change a setting live, as /admin/settings does (an audit entry by
                                 the operator). KEY is title, description, registration (open,
                                 invite or closed), comments (on or off),
                                 new-account-articles-per-day, new-account-comments-per-day (0 to
                                 1000), unconfirmed-may-write (on or off) or nav-links (JSON:
                                 [{"label":"News","url":"/tag/news"}]).

Options:
  --env-file FILE                Read environment variables from FILE first (KEY=value lines).
  -v, --version                  Print the version.
  -h, --help                     Print this help.

Configuration comes from the environment, as for the server: DATABASE_PATH (or DATABASE_URL
for PostgreSQL), PORT, HOST, PUBLIC_URL, BACKUP_DIR... See .env.example or docs/deploy.md.
A postgres:// URL given to copy is visible to other users of the machine: leave its password
out and set PGPASSWORD, or use ~/.pgpass.`;

class UsageError extends Error {}

/** Copies a web stream to a Node stream (a file, standard output), waiting for each write; answers the bytes written. */
async function writeStream(stream: ReadableStream<Uint8Array>, to: NodeJS.WritableStream & { close?: () => void }): Promise<number> {
  let bytes = 0;
  for await (const chunk of stream as unknown as AsyncIterable<Uint8Array>) {
    bytes += chunk.byteLength;
    if (!to.write(chunk)) await new Promise((resolve) => to.once('drain', resolve));
  }
  if (to !== process.stdout) {
    await new Promise<void>((resolve, reject) => {
      to.once('error', reject);
      to.end(() => resolve());
    });
  }
  return bytes;
}

const OPTIONS = {
  help: { type: 'boolean', short: 'h' },
  version: { type: 'boolean', short: 'v' },
  'env-file': { type: 'string' },
  username: { type: 'string' },
  email: { type: 'string' },
  role: { type: 'string' },
  until: { type: 'string' },
  reason: { type: 'string' },
  'keep-content': { type: 'boolean' },
  yes: { type: 'boolean', short: 'y' },
  from: { type: 'string' },
  to: { type: 'string' },
  force: { type: 'boolean' },
  out: { type: 'string' },
  verify: { type: 'boolean' },
} as const;

type OptionName = keyof typeof OPTIONS;
type Parsed = { positional: string[]; flags: Partial<Record<OptionName, string | boolean>> };

function parseCommandLine(argv: string[]): Parsed {
  // not strict: parseArgs' own errors ("Option '--email <value>' argument missing") are replaced
  // by the messages below, which name the option as it was typed
  const { values, positionals, tokens } = parseArgs({ args: argv, options: OPTIONS, allowPositionals: true, strict: false, tokens: true });
  for (const token of tokens) {
    if (token.kind !== 'option') continue;
    if (!Object.hasOwn(OPTIONS, token.name)) throw new UsageError(`unknown option ${token.rawName}`);
    if (OPTIONS[token.name as OptionName].type === 'string' && token.value === undefined) {
      throw new UsageError(`${token.rawName} needs a value`);
    }
  }
  return { positional: positionals, flags: values as Parsed['flags'] };
}

function flag(parsed: Parsed, name: OptionName): string {
  const value = parsed.flags[name];
  if (typeof value !== 'string' || value === '') throw new UsageError(`--${name} is required`);
  return value;
}

function say(message: string): void {
  process.stderr.write(`${message}\n`);
}

/** A password from standard input (first line), or typed at a terminal without echo. */
async function readPassword(prompt: string): Promise<string> {
  if (!process.stdin.isTTY) {
    const text = fs.readFileSync(0, 'utf8');
    return text.split(/\r?\n/)[0] ?? '';
  }
  const rl = readline.createInterface({ input: process.stdin, output: process.stderr, terminal: true });
  const output = rl as unknown as { _writeToOutput: (s: string) => void };
  process.stderr.write(prompt);
  output._writeToOutput = () => {}; // no echo
  const answer = await new Promise<string>((resolve) => rl.question('', resolve));
  rl.close();
  process.stderr.write('\n');
  return answer;
}

/** A field's shape, or the message the operator sees ("Username can only contain ..."). */
function valid<S extends z.ZodType>(schema: S, name: string, value: string): z.output<S> {
  const parsed = schema.safeParse(value);
  if (!parsed.success) throw new OperationError(`${USER_FIELD_LABELS[name]} ${parsed.error.issues[0]!.message}`);
  return parsed.data;
}

/** One problem at a time, the first of username, email, password, as a sentence. */
function firstError(errors: FieldErrors): string {
  const name = Object.keys(USER_FIELD_LABELS).find((key) => errors[key]) ?? Object.keys(errors)[0]!;
  return `${USER_FIELD_LABELS[name] ?? ''} ${errors[name]![0]}`.trim();
}

function openForCommand(env: Env) {
  prepareRuntime(env.QUIRE_CACHE_DIR ?? defaultCacheDir(env.DATABASE_PATH));
  return openDatabaseFrom(env);
}

/** The database the configuration names, as `quire copy` takes it. */
function configuredLocation(env: Env): SiteLocation {
  return env.DATABASE_URL ? { engine: 'postgres', url: env.DATABASE_URL } : { engine: 'sqlite', path: env.DATABASE_PATH };
}

/** Runs `work` with SIGINT and SIGTERM aborting its signal (Ctrl-C, or a stopping server ending the backup it started). */
async function interruptible<T>(work: (signal: AbortSignal) => Promise<T>): Promise<{ value: T } | { exitCode: number }> {
  const interrupt = new AbortController();
  const onSignal = (signal: NodeJS.Signals) => interrupt.abort(signal);
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  try {
    return { value: await work(interrupt.signal) };
  } catch (error) {
    if (!(error instanceof BackupInterrupted)) throw error;
    say(`quire: ${error.message}`);
    // the shell's convention for "ended by this signal": 130 for SIGINT, 143 for SIGTERM
    return { exitCode: 128 + os.constants.signals[interrupt.signal.reason as NodeJS.Signals] };
  } finally {
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
  }
}

/** What the use cases are built from, as the server builds it; security events go to stderr. */
async function openCore(env: Env): Promise<Core> {
  const log = createStderrLog(env.LOG_FORMAT);
  const db = await openForCommand(env);
  return { db, env, clock: systemClock, log, limits: new Limits(env, log, limitStoresFor(db)), reads: sharedReads(db, env), media: openMediaStore(env) };
}

function formatBytes(bytes: number): string {
  return bytes < 1024 * 1024 ? `${(bytes / 1024).toFixed(1)} KiB` : `${(bytes / 1024 / 1024).toFixed(1)} MiB`;
}

async function run(argv: string[]): Promise<number> {
  const parsed = parseCommandLine(argv);
  if (parsed.flags.help) {
    process.stdout.write(`${HELP}\n`);
    return 0;
  }
  if (parsed.flags.version) {
    process.stdout.write(`quire ${appVersion()}\n`);
    return 0;
  }
  const envFile = parsed.flags['env-file'];
  if (typeof envFile === 'string') {
    if (!fs.existsSync(envFile)) throw new UsageError(`--env-file ${envFile} does not exist`);
    process.loadEnvFile(envFile);
  }
  const env = loadEnv();
  const [command = 'serve', ...rest] = parsed.positional;

  switch (command) {
    case 'serve':
      await serve(env);
      return -1; // keeps running until a signal
    case 'migrate': {
      await closeDatabase(await openForCommand(env));
      say(`Migrations applied to ${databaseLabel(env)}.`);
      return 0;
    }
    case 'backup': {
      const file = rest[0];
      if (!file) throw new UsageError(parsed.flags.verify ? 'backup --verify needs the backup FILE to check' : 'backup needs a FILE to write');
      prepareRuntime(env.QUIRE_CACHE_DIR ?? defaultCacheDir(env.DATABASE_PATH));
      if (parsed.flags.verify) {
        say(`Checking ${file} and ${file}.media...`);
        const { kind, media } = await verifyBackup(file, { binDir: env.POSTGRES_BIN_DIR });
        process.stdout.write(`${file} is a sound backup (${kind === 'sqlite' ? 'integrity check ok' : 'pg_restore --list ok'}), with ${describeMedia(media)}, each whole.\n`);
        return 0;
      }
      const media = openMediaStore(env);
      let images: MediaBackupSummary | null = null;
      const mediaDone = (summary: MediaBackupSummary) => (images = summary);
      const withImages = () => (images && images.files > 0 ? `; ${describeMedia(images)} in ${file}.media` : '');
      if (env.DATABASE_URL) {
        const url = env.DATABASE_URL;
        const started = performance.now();
        const result = await interruptible((signal) => backupPostgres(url, file, { signal, binDir: env.POSTGRES_BIN_DIR, media, mediaDone }));
        if ('exitCode' in result) return result.exitCode;
        const seconds = ((performance.now() - started) / 1000).toFixed(1);
        process.stdout.write(`Backup written to ${file} (${formatBytes(result.value)}, ${result.value} bytes, ${seconds} s), pg_restore --list ok${withImages()}.\n`);
        return 0;
      }
      if (!fs.existsSync(env.DATABASE_PATH)) throw new OperationError(`There is no database at ${env.DATABASE_PATH}`);
      let lastPercent = -1;
      const result = await interruptible((signal) =>
        backupDatabase(env.DATABASE_PATH, file, {
          signal,
          media,
          mediaDone,
          progress: (done, total) => {
            const percent = total ? Math.floor((done / total) * 100) : 100;
            if (percent >= lastPercent + 10 || percent === 100) {
              lastPercent = percent;
              say(`Backing up... ${percent}%`);
            }
          },
        }),
      );
      if ('exitCode' in result) return result.exitCode;
      process.stdout.write(`Backup written to ${file} (${formatBytes(result.value)}, ${result.value} bytes), integrity check ok${withImages()}.\n`);
      return 0;
    }
    case 'restore': {
      const file = rest[0];
      if (!file) throw new UsageError('restore needs the backup FILE to restore');
      prepareRuntime(env.QUIRE_CACHE_DIR ?? defaultCacheDir(env.DATABASE_PATH));
      say(`Checking ${file}...`);
      const store = openMediaStore(env);
      const images = (media: { files: number; put: number } | null) =>
        media && media.files > 0
          ? ` ${media.files} image file${media.files === 1 ? '' : 's'} verified; ${media.put} put into ${store.description}${media.put < media.files ? ', the others were there' : ''}.`
          : '';
      if (env.DATABASE_URL) {
        const { keptAs, media } = await restorePostgres(env.DATABASE_URL, file, { force: parsed.flags.force === true, binDir: env.POSTGRES_BIN_DIR, media: store });
        process.stdout.write(`Restored ${file} to ${databaseLabel(env)}.${images(media)}${keptAs ? ` The database as it was is kept as ${keptAs}.` : ''}\n`);
        return 0;
      }
      const { keptAs, media } = await restoreDatabaseWithMedia(env.DATABASE_PATH, file, store);
      process.stdout.write(`Restored ${file} to ${env.DATABASE_PATH}.${images(media)}${keptAs ? ` The previous database is kept as ${keptAs}.` : ''}\n`);
      return 0;
    }
    case 'copy':
      return copyCommand(env, parsed);
    case 'user':
      return userCommand(env, rest, parsed);
    case 'settings':
      return settingsCommand(env, rest);
    default:
      throw new UsageError(`unknown command "${command}"`);
  }
}

async function copyCommand(env: Env, parsed: Parsed): Promise<number> {
  const { from, to } = parsed.flags;
  if (typeof from !== 'string' && typeof to !== 'string') throw new UsageError('copy needs --from SOURCE, --to DESTINATION, or both');
  const source = typeof from === 'string' ? siteLocation(from) : configuredLocation(env);
  const destination = typeof to === 'string' ? siteLocation(to) : configuredLocation(env);
  prepareRuntime(env.QUIRE_CACHE_DIR ?? defaultCacheDir(env.DATABASE_PATH));
  const name = (location: SiteLocation) => `${locationLabel(location)} (${ENGINE_NAMES[location.engine]})`;
  say(`Copying ${name(source)} to ${name(destination)}...`);
  const report = await copySite(source, destination, { progress: (table, rows) => say(`  ${table}: ${rows} rows`) });
  process.stdout.write(`${formatCopyReport(report)}\n`);
  if (!copyMatches(report)) {
    throw new OperationError('The copy differs from the source (DIFFERS above): do not serve it. Empty the destination and copy again.');
  }
  const seconds = report.copyMs / 1000;
  process.stdout.write(
    `Copied ${report.rows} rows in ${seconds.toFixed(1)} s (${Math.round(report.rows / Math.max(seconds, 0.001))} rows a second); ` +
      `read back and compared in ${(report.verifyMs / 1000).toFixed(1)} s: every table matches.\n`,
  );
  return 0;
}

async function userCommand(env: Env, args: string[], parsed: Parsed): Promise<number> {
  const [sub, name] = args;
  if (sub === 'create') {
    const username = valid(UsernameSchema, 'username', flag(parsed, 'username'));
    const email = valid(EmailSchema, 'email', flag(parsed, 'email'));
    const typedRole = parsed.flags.role;
    if (typedRole !== undefined && (typeof typedRole !== 'string' || !isRole(typedRole))) {
      throw new UsageError(`--role must be one of ${ROLES.join(', ')}`);
    }
    const core = await openCore(env);
    try {
      const password = valid(PasswordSchema, 'password', await readPassword('Password: '));
      // the operator's sign-up: the same rules as the form's, no sign-up limit, no session
      const result = await signUp(core, CLI_CALLER, { username, email, password, ...(typedRole !== undefined && { role: typedRole }) });
      if (!result.ok) throw new OperationError(firstError(result.errors));
      const { user } = result.value;
      process.stdout.write(`Created user ${user.username} (id ${user.id}, ${user.role}).\n`);
    } finally {
      await closeDatabase(core.db);
    }
    return 0;
  }
  if (sub === 'reset-password') {
    if (!name) throw new UsageError('user reset-password needs a USERNAME');
    const core = await openCore(env);
    try {
      // looked up before asking, so nobody types a new password for a name that does not exist
      const user = await findUserNamed(core.db, name);
      const password = valid(PasswordSchema, 'password', await readPassword(`New password for ${user.username}: `));
      const result = await resetPassword(core, CLI_CALLER, { username: user.username, password });
      if (!result.ok) throw new OperationError(firstError(result.errors));
      process.stdout.write(`Password changed for ${result.value.user.username}; every session of theirs has ended.\n`);
    } finally {
      await closeDatabase(core.db);
    }
    return 0;
  }
  if (sub === 'export') {
    if (!name) throw new UsageError('user export needs a USERNAME');
    const out = parsed.flags.out;
    if (out === undefined && process.stdout.isTTY) throw new UsageError('user export writes a zip: give --out FILE, or redirect standard output to a file');
    const core = await openCore(env);
    try {
      const exported = await exportAccountData(core, CLI_CALLER, { username: name });
      const file = typeof out === 'string' ? out : null;
      const bytes = await writeStream(exported.stream, file ? fs.createWriteStream(file) : process.stdout);
      if (file) process.stdout.write(`Exported ${exported.username}'s data to ${file} (${bytes} bytes).\n`);
    } finally {
      await closeDatabase(core.db);
    }
    return 0;
  }
  if (isAccountSubcommand(sub)) {
    const withCore = async <T,>(work: (core: Core) => Promise<T>): Promise<T> => {
      const core = await openCore(env);
      try {
        return await work(core);
      } finally {
        await closeDatabase(core.db);
      }
    };
    const answer = await runAccountCommand(withCore, sub, {
      args: args.slice(1),
      flags: parsed.flags,
      usage: (message) => new UsageError(message),
      interactive: process.stdin.isTTY === true,
      ask: askOnTerminal,
    });
    process.stdout.write(answer);
    return 0;
  }
  throw new UsageError(`user needs a subcommand: create, reset-password, export, ${ACCOUNT_SUBCOMMANDS.join(', ')}`);
}

async function settingsCommand(env: Env, args: string[]): Promise<number> {
  const [sub, name, ...value] = args;
  const keyOf = (text: string | undefined) => {
    const key = text === undefined ? null : settingKeyNamed(text);
    if (!key) throw new UsageError(`settings ${sub} needs a KEY: one of ${SETTING_KEYS.map((k) => SETTING_CLI_NAMES[k]).join(', ')}`);
    return key;
  };
  if (sub !== 'list' && sub !== 'get' && sub !== 'set') throw new UsageError('settings needs a subcommand: list, get or set');
  const key = sub === 'list' ? null : keyOf(name);
  if (sub === 'set' && value.length === 0) throw new UsageError('settings set needs a KEY and a VALUE');
  const core = await openCore(env);
  try {
    if (sub === 'set') {
      const result = await changeSiteSettings(core, CLI_CALLER, { changes: { [key!]: parseSettingText(key!, value.join(' ')) } });
      if (!result.ok) {
        const [field, messages] = Object.entries(result.errors)[0]!;
        throw new OperationError(`${SETTING_CLI_NAMES[field as SettingKey] ?? field} ${messages[0]}`);
      }
      const now = result.value.settings[key!];
      process.stdout.write(
        result.value.changed.length === 0
          ? `${SETTING_CLI_NAMES[key!]} is already ${formatSetting(key!, now)}.\n`
          : `${SETTING_CLI_NAMES[key!]} is now ${formatSetting(key!, now)}.\n`,
      );
      return 0;
    }
    const settings = await readSiteSettings(core.db, env);
    for (const k of key ? [key] : SETTING_KEYS) {
      process.stdout.write(key ? `${formatSetting(k, settings[k])}\n` : `${SETTING_CLI_NAMES[k]}\t${formatSetting(k, settings[k])}\n`);
    }
    return 0;
  } finally {
    await closeDatabase(core.db);
  }
}

run(process.argv.slice(2)).then(
  (code) => {
    if (code >= 0) process.exit(code);
  },
  (error: unknown) => {
    if (error instanceof UsageError) {
      say(`quire: ${error.message}\nRun "quire --help" for the commands.`);
      process.exit(2);
    }
    const refused = error instanceof NotFound || error instanceof Forbidden;
    if (refused || error instanceof EnvError || error instanceof OperationError || (error as Error).name === 'DatabaseTooNewError') {
      say(`quire: ${(error as Error).message}`);
      process.exit(1);
    }
    say(`quire: unexpected error: ${errorText(error)}`);
    process.exit(1);
  },
);
